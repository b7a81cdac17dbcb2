/**
 * gradmark's framing: each message is a 4-byte little-endian length followed by that many bytes
 * of V8's serialization of the message. The reader checks the length against its cap before it
 * keeps a single byte of the body, and decodes inside a try/catch, so a child that writes
 * garbage, a huge length or a body that does not decode costs one error, never the reader.
 *
 * Used on both sides; in the child it runs after student code has loaded, so it relies only on
 * what it saved when the module was evaluated.
 */
import { deserialize, serialize } from "node:v8";

const saved = {
  serialize,
  deserialize,
  alloc: Buffer.allocUnsafe,
  concat: Buffer.concat,
};

const HEADER_BYTES = 4;

/** One message as a frame: its length, then its body. */
export function encodeFrame(message: unknown): Buffer {
  const body = saved.serialize(message);
  const frame = saved.alloc(HEADER_BYTES + body.length);
  frame.writeUInt32LE(body.length, 0);
  body.copy(frame, HEADER_BYTES);
  return frame;
}

/** Why a stream of frames cannot be read on. After one, the stream is given up. */
export class FrameError extends Error {}

/**
 * Reads frames out of a byte stream that may split or join them anyhow. `push` returns the
 * decoded messages that are now complete (not yet validated: see validate.ts) and throws a
 * FrameError for a length over the cap or a body that does not decode; the reader then stays
 * broken.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private broken: FrameError | null = null;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): unknown[] {
    if (this.broken) throw this.broken;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: unknown[] = [];
    while (this.buffered >= HEADER_BYTES) {
      const head = this.peekHeader();
      if (head > this.maxBytes) {
        return this.fail(`a frame of ${head} bytes, over the limit of ${this.maxBytes}`);
      }
      if (this.buffered < HEADER_BYTES + head) break;
      const frame = this.take(HEADER_BYTES + head);
      let message: unknown;
      try {
        message = saved.deserialize(frame.subarray(HEADER_BYTES));
      } catch (error) {
        return this.fail(`a frame that does not decode (${(error as Error).message})`);
      }
      messages.push(message);
    }
    return messages;
  }

  private fail(reason: string): never {
    this.broken = new FrameError(reason);
    this.chunks = [];
    this.buffered = 0;
    throw this.broken;
  }

  private peekHeader(): number {
    const first = this.chunks[0]!;
    if (first.length >= HEADER_BYTES) return first.readUInt32LE(0);
    const joined = saved.concat(this.chunks);
    this.chunks = [joined];
    return joined.readUInt32LE(0);
  }

  private take(bytes: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : saved.concat(this.chunks);
    const frame = joined.subarray(0, bytes);
    const rest = joined.subarray(bytes);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }
}
