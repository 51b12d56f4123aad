/** Runs ONNX models in onnxruntime-node (the peer int8kit is measured against) with tensors from readTensor. */
import * as ort from 'onnxruntime-node';
import type { OnnxTensor } from '../../src/onnx';

const ortTypes = new Set(['float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'float64', 'uint32', 'uint64']);

// Severity 4 (fatal only): the conformance cases onnxruntime rejects are counted, not logged.
export const sessionOptions = { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled', logSeverityLevel: 4 } as const;

export const ortSupports = (t: OnnxTensor) => ortTypes.has(t.dtype);

export function toOrt(t: OnnxTensor): ort.Tensor {
  return new ort.Tensor(t.dtype as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims);
}

/** Loads and runs a model; null when onnxruntime rejects the model itself (some conformance cases need newer opsets). */
export async function runOrt(model: Uint8Array, feeds: Record<string, OnnxTensor>): Promise<Record<string, ort.Tensor> | null> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, sessionOptions);
  } catch {
    return null;
  }
  try {
    const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)])));
    return out as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

/** Bitwise equality of two ORT outputs (NaN payloads included); strings compared as strings. */
export function sameTensor(a: ort.Tensor, b: ort.Tensor): boolean {
  if (a.type !== b.type || a.dims.join() !== b.dims.join()) return false;
  if (a.type === 'string') return (a.data as string[]).join('\u0000') === (b.data as string[]).join('\u0000');
  const x = a.data as Uint8Array, y = b.data as Uint8Array;
  return Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
}
