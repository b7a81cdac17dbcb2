/** Settles when `work` does or after `ms`, whichever comes first; never rejects. */
export async function waitAtMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([
      work.then(
        () => {},
        () => {},
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
