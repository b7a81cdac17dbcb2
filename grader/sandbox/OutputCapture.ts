/** Keeps the first bytes a child writes to one stream and counts the rest; never parses them. */
export class OutputCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;

  constructor(readonly limitBytes: number) {}

  /** The text of several captures one after the other, within `limitBytes` in all. */
  static joined(parts: readonly OutputCapture[], limitBytes: number): string {
    const all = new OutputCapture(limitBytes);
    for (const part of parts) {
      for (const chunk of part.chunks) all.add(chunk);
      all.dropped += part.dropped;
    }
    return all.text();
  }

  add(chunk: Buffer): void {
    const room = this.limitBytes - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(Buffer.from(part));
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(0, room));
  }

  text(): string {
    const body = Buffer.concat(this.chunks).toString("utf8");
    return this.dropped > 0 ? `${body}\n[... ${this.dropped} more bytes not shown]` : body;
  }
}
