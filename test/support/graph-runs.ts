/** One graph's first output on int8kit (graph as given: no optimize()) and on onnxruntime-node (its graph optimizations off). */
import { createRequire } from 'node:module';
import { Session, graphToOnnx, writeModel, type Graph, type Tensor } from '../../src';

const ort = createRequire(__filename)('onnxruntime-node');

export async function runGraph(g: Graph, backend: string, feeds: Record<string, Tensor>): Promise<Float32Array> {
  const s = await Session.create(g, { backend, optimize: false });
  try {
    return (await s.run(feeds))[g.outputs[0].name].data as Float32Array;
  } finally {
    s.release();
  }
}

/** The ONNX bytes of a graph, importing the com.microsoft opset when a node is in it. */
export function onnxBytes(g: Graph): Uint8Array {
  const model = graphToOnnx(g);
  if (g.nodes.some((n) => n.domain === 'com.microsoft')) model.opsetImports.push({ domain: 'com.microsoft', version: 1 });
  return writeModel(model);
}

export async function runGraphOrt(g: Graph, feeds: Record<string, Tensor>): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(onnxBytes(g), { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
  const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)])));
  await s.release();
  return out[g.outputs[0].name].data as Float32Array;
}
