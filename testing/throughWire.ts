import { fromWire, toWire } from "../grader/sandbox/child/wireCodec.js";
import { FloatPack } from "../grader/sandbox/protocol/FloatPack.js";
import { fromWireResult, toWirePayload } from "../grader/sandbox/wireValues.js";

/**
 * Calls `call` with `payload` as the sandbox would, in this process: the payload goes to the
 * wire and back (as the child revives it), and so does the result (as the parent reads it).
 */
export function throughWire(call: (payload: unknown) => unknown, payload: unknown): unknown {
  const out = new FloatPack();
  const wirePayload = toWirePayload(payload, out);
  const revived = fromWire(wirePayload, out.finish());
  const back = new FloatPack();
  const wireResult = toWire(call(revived), 0, back);
  return fromWireResult(wireResult, back.finish());
}
