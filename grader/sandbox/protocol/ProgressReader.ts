import { endianness } from "node:os";
import { PROGRESS_RECORD_BYTES } from "./channel.js";

const littleEndian = endianness() === "LE";

/**
 * Reads the child's progress pipe (see channel.ts): records may be split across chunks, and
 * only the latest whole one matters.
 */
export class ProgressReader {
  private rest = Buffer.alloc(0);

  /** The latest whole record in what has arrived, or null when none completed. */
  push(chunk: Buffer): { id: number; index: number } | null {
    const data = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    const whole = data.length - (data.length % PROGRESS_RECORD_BYTES);
    this.rest = Buffer.from(data.subarray(whole));
    if (whole === 0) return null;
    const at = whole - PROGRESS_RECORD_BYTES;
    const id = littleEndian ? data.readUInt32LE(at) : data.readUInt32BE(at);
    const index = littleEndian ? data.readUInt32LE(at + 4) : data.readUInt32BE(at + 4);
    return { id, index };
  }
}
