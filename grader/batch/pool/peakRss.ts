/**
 * For tests: the peak resident set size of this process while `work` runs. The sampler is a
 * worker thread (RSS is the whole process's), because `work` may be synchronous: a timer on
 * the main thread would not fire until it returned, and would miss the peak.
 */
import { Worker } from "node:worker_threads";

const SAMPLER = `
const { parentPort, workerData } = require("node:worker_threads");
const peak = new Int32Array(workerData);
const sample = () => {
  const kib = Math.ceil(process.memoryUsage.rss() / 1024);
  if (kib > Atomics.load(peak, 0)) Atomics.store(peak, 0, kib);
};
sample();
setInterval(sample, 2);
parentPort.postMessage("sampling");
`;

export interface Measured {
  /** The error `work` threw, if it threw. */
  error: unknown;
  peakRssBytes: number;
}

export async function peakRssDuring(work: () => unknown): Promise<Measured> {
  const peak = new Int32Array(new SharedArrayBuffer(4));
  const sampler = new Worker(SAMPLER, { eval: true, workerData: peak.buffer });
  await new Promise((resolve, reject) => {
    sampler.once("message", resolve);
    sampler.once("error", reject);
  });
  let error: unknown;
  try {
    await work();
  } catch (thrown) {
    error = thrown;
  }
  // Let the sampler take a few more readings after `work` is done.
  await new Promise((resolve) => setTimeout(resolve, 20));
  await sampler.terminate();
  return { error, peakRssBytes: Atomics.load(peak, 0) * 1024 };
}
