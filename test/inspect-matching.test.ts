// Layers of the INT8 model are matched to the FP32 model by node name, then output name, then
// weight name; onnxruntime quantize_static's naming (<v>_QuantizeLinear_Output,
// <v>_DequantizeLinear_Output, <w>_quantized) gives the same statistics as int8kit's naming, and a
// layer that matches nothing is reported with a note rather than failing the run.
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor, inspect, quantizeStatic, type Graph, type InspectResult } from '../src';
import { loadMnistSplit } from '../src/data/mnist';

const fpPath = join(resolve(__dirname, '..'), 'assets', 'mnist-cnn.onnx');
const digits = loadMnistSplit('calibration');
const samples = Array.from({ length: 8 }, (_, i) => ({ input: new Tensor('float32', digits.images.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]) }));
const LAYER_OPS = new Set(['Conv', 'Gemm']);

/** Values renamed by `f` everywhere (nodes, initializers, outputs); layer node names by `node`. */
function rename(g: Graph, f: (v: string) => string, node: (n: Graph['nodes'][number]) => string = (n) => n.name): Graph {
  return {
    ...g,
    nodes: g.nodes.map((n) => ({ ...n, name: node(n), inputs: n.inputs.map((v) => (v ? f(v) : v)), outputs: n.outputs.map(f) })),
    initializers: new Map([...g.initializers].map(([k, v]) => [f(k), v])),
    outputs: g.outputs.map((o) => ({ ...o, name: f(o.name) })),
  };
}

// onnxruntime's names for the activation pairs; weights keep <w>_quantized.
const ortNames = (v: string) => (v.endsWith('_dequantized') && !v.includes('weight') && !v.includes('bias') ? v.replace(/_dequantized$/, '_DequantizeLinear_Output') : v.endsWith('_quantized') && !v.includes('weight') && !v.includes('bias') ? v.replace(/_quantized$/, '_QuantizeLinear_Output') : v);

describe('inspect: matching the FP32 model', () => {
  let qdq: Graph, base: InspectResult;
  beforeAll(async () => {
    qdq = (await quantizeStatic(fpPath, { calibration: samples })).graph!;
    base = await inspect(fpPath, qdq, samples, { attribution: false });
  });
  const stats = (r: InspectResult) => r.layers.map((l) => [l.activation?.sqnr, l.weight?.sqnr, l.saturation?.saturating, l.range?.chosen]);

  it('onnxruntime-style names, unnamed layer nodes: matched by output name, same statistics', async () => {
    const ort = rename(qdq, ortNames, (n) => (LAYER_OPS.has(n.opType) ? '' : n.name));
    expect(ort.nodes.some((n) => n.outputs[0].endsWith('_DequantizeLinear_Output'))).toBe(true);
    const r = await inspect(fpPath, ort, samples, { attribution: false });
    expect(r.layers.map((l) => l.matchedBy)).toEqual(['output name', 'output name', 'output name', 'output name']);
    expect(stats(r)).toEqual(stats(base));
  });

  it('renamed nodes and outputs: matched by weight name', async () => {
    // The conv outputs keep their names (they are the FP32 values compared), but no layer output does.
    const layerOuts = new Set(qdq.nodes.filter((n) => LAYER_OPS.has(n.opType)).map((n) => n.outputs[0]));
    const g = rename(qdq, (v) => (layerOuts.has(v) && v !== 'logits' ? `${v}_renamed` : v), (n) => (LAYER_OPS.has(n.opType) ? `layer_${n.outputs[0]}` : n.name));
    const r = await inspect(fpPath, g, samples, { attribution: false });
    expect(r.layers.map((l) => l.matchedBy)).toEqual(['weight name', 'weight name', 'weight name', 'output name']);
    expect(r.layers.map((l) => l.weight?.sqnr)).toEqual(base.layers.map((l) => l.weight?.sqnr));
  });

  it('a layer matching nothing gets a note and no weight statistics; the others are unaffected', async () => {
    const first = qdq.nodes.find((n) => n.opType === 'Conv')!;
    const w = first.inputs[1].replace(/_dequantized$/, '');
    const g = rename(qdq, (v) => (v.startsWith(w) ? v.replace(w, 'mystery') : v === first.outputs[0] ? 'mystery_out' : v), (n) => (n === first ? 'mystery_conv' : n.name));
    const r = await inspect(fpPath, g, samples, { attribution: false });
    expect(r.layers[0].matchedBy).toBeUndefined();
    expect(r.layers[0].weight).toBeNull();
    expect(r.layers[0].notes.join()).toMatch(/no FP32 node with this name, output or weight/);
    // Its activation is still compared: the value after its Relu keeps the FP32 name.
    expect(r.layers[0].activation!.sqnr).toBe(base.layers[0].activation!.sqnr);
    expect(stats(r).slice(1)).toEqual(stats(base).slice(1));
  });
});
