// fuseDynamicQuantization (src/graph/fuse-dynamic.ts): which chains it fuses and which it must
// leave alone, and that the fused graph computes what the unfused one does: bit for bit on
// int8kit (the fused ops perform the chain's float32 steps in the chain's order, see
// native/ops/qdynamic.h) and onnxruntime-node runs the fused ONNX model (its own
// DynamicQuantizeMatMul and MatMulIntegerToFloat) to the same outputs.
import { describe, expect, it } from 'vitest';
import { Session, Tensor, optimize, quantizeDynamic, type Graph, type Node, type TensorData } from '../src';
import { bertLike } from '../src/bench/models';
import { fuseDynamicQuantization } from '../src/graph/fuse-dynamic';
import { runGraph, runGraphOrt } from './support/graph-runs';
import { rng } from './support/random';

const clone = (g: Graph): Graph => structuredClone(g);
const count = (g: Graph, op: string) => g.nodes.filter((n) => n.opType === op).length;

/** A small dynamically quantized BERT (2 layers, d = 32): 6 MatMul + bias Add per layer. */
async function smallBert(): Promise<Graph> {
  return (await quantizeDynamic(bertLike(7, 2, 32, 2, 50))).graph!;
}

function ids(seq: number) {
  const r = rng(seq);
  return new Tensor('int64', BigInt64Array.from({ length: seq }, () => BigInt(r.int(0, 49))), [1, seq]);
}

const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

describe('fuseDynamicQuantization on a dynamically quantized BERT', () => {
  it('fuses every MatMul chain with its bias Add: Q, K and V on one shared quantization, the rest whole', async () => {
    const g = await smallBert();
    const matmuls = count(g, 'MatMulInteger');
    expect(matmuls).toBe(12);
    expect(count(g, 'DynamicQuantizeLinear')).toBe(12); // one per MatMul, three of them of the same x per layer
    const fused = clone(g);
    expect(fuseDynamicQuantization(fused)).toBe(matmuls);
    for (const op of ['MatMulInteger', 'Cast']) expect(count(fused, op), op).toBe(0);
    // Per layer: x quantized once for Q, K and V (three MatMulIntegerToFloat on it); the output
    // projection and the two FFN MatMuls each quantize their own input.
    expect(count(fused, 'DynamicQuantizeLinear')).toBe(2);
    const shared = fused.nodes.filter((n) => n.opType === 'MatMulIntegerToFloat');
    const whole = fused.nodes.filter((n) => n.opType === 'DynamicQuantizeMatMul');
    expect(shared).toHaveLength(6);
    expect(whole).toHaveLength(6);
    for (const n of [...shared, ...whole]) {
      expect(n.domain).toBe('com.microsoft');
      // DynamicQuantizeMatMul: A, B, b_scale, b_zero_point, bias; MatMulIntegerToFloat: A_q, B, a_scale, b_scale, a_zp, b_zp, bias.
      expect(n.inputs).toHaveLength(n.opType === 'DynamicQuantizeMatMul' ? 5 : 7);
      const bias = fused.initializers.get(n.inputs[n.inputs.length - 1]);
      expect(bias?.dims).toEqual([fused.initializers.get(n.inputs[1])!.dims[1]]);
    }
    for (const n of shared) expect(fused.nodes.find((p) => p.outputs[0] === n.inputs[0])?.opType).toBe('DynamicQuantizeLinear');
    // The Adds left are the residuals and GELU's + 1, none of them a bias Add.
    expect(count(fused, 'Add')).toBe(count(g, 'Add') - matmuls);
    // optimize() runs the pass.
    const viaOptimize = clone(g);
    expect(optimize(viaOptimize).fuseDynamicQuantization).toBe(matmuls);
  });

  it.each(['native', 'wasm'])('the fused graph gives the unfused graph outputs bit for bit on %s', async (backend) => {
    const g = await smallBert();
    const fused = clone(g);
    fuseDynamicQuantization(fused);
    for (const seq of [1, 5, 16]) {
      const feeds = { input_ids: ids(seq) };
      expect(bits(await runGraph(fused, backend, feeds)), `sequence ${seq}`).toEqual(bits(await runGraph(g, backend, feeds)));
    }
  });

  it('onnxruntime-node runs the fused ONNX model to the unfused outputs, and int8kit agrees', async () => {
    const g = await smallBert();
    const fused = clone(g);
    fuseDynamicQuantization(fused);
    const feeds = { input_ids: ids(16) };
    const ortFused = await runGraphOrt(fused, feeds), ortUnfused = await runGraphOrt(g, feeds), mine = await runGraph(fused, 'native', feeds);
    // onnxruntime's own fused op against its own unfused chain: the same integers and float steps
    // up to one multiply-add rounding per element, so near-identical.
    const scale = Math.max(...Array.from(ortUnfused, Math.abs));
    const worst = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0) / scale;
    expect(worst(ortFused, ortUnfused)).toBeLessThanOrEqual(1e-5);
    // int8kit against onnxruntime: the float32 parts (Softmax, Erf, LayerNormalization) round
    // differently, and DynamicQuantizeLinear's per-tensor range makes that chaotic: one ulp on a
    // tensor's max changes its scale, which moves every code near a boundary by one step. So the
    // engines differ by quantization noise of the same order as the quantization error itself
    // (the float model against the quantized one); bound the difference by that error. A wrong
    // GEMM (errors of the order of the outputs) is far above it.
    const fp32 = await runGraphOrt(bertLike(7, 2, 32, 2, 50), feeds);
    const mean = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => m + Math.abs(v - b[i]), 0) / a.length / scale;
    console.log(`int8kit vs onnxruntime (fused): worst ${worst(mine, ortFused).toExponential(2)}, mean ${mean(mine, ortFused).toExponential(2)} of the output scale; ` +
      `quantization error worst ${worst(fp32, ortUnfused).toExponential(2)}, mean ${mean(fp32, ortUnfused).toExponential(2)}`);
    expect(worst(mine, ortFused)).toBeLessThanOrEqual(worst(fp32, ortUnfused));
    expect(mean(mine, ortFused)).toBeLessThanOrEqual(mean(fp32, ortUnfused));
  });
});

describe('fuseDynamicQuantization leaves what it cannot fuse', () => {
  // One chain by hand: A [2, 4] x B [4, 3] with per-column scales and zero points, bias [3].
  function chain(opts: { swapMul?: boolean; swapScale?: boolean; swapAdd?: boolean; bias?: 'const' | 'input' | 'none'; extraUse?: string; output?: string } = {}): Graph {
    const r = rng(3);
    const t = (dtype: TensorData['dtype'], dims: number[], data: TensorData['data']): TensorData => ({ dtype, dims, data });
    const inits = new Map<string, TensorData>([
      ['B', t('int8', [4, 3], Int8Array.from({ length: 12 }, () => r.int(-128, 127)))],
      ['bs', t('float32', [3], Float32Array.of(0.01, 0.02, 0.03))],
      ['bz', t('int8', [3], Int8Array.of(0, 1, -1))],
      ['bias', t('float32', [3], Float32Array.of(0.5, -0.5, 1))],
    ]);
    const node = (opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node => ({ name: outputs[0], opType, domain: '', inputs, outputs, attrs });
    const bias = opts.bias ?? 'const';
    const nodes = [
      node('DynamicQuantizeLinear', ['A'], ['aq', 'as', 'az']),
      node('MatMulInteger', ['aq', 'B', 'az', 'bz'], ['acc']),
      node('Cast', ['acc'], ['accf'], { to: 1 }),
      node('Mul', opts.swapScale ? ['bs', 'as'] : ['as', 'bs'], ['scale']),
      node('Mul', opts.swapMul ? ['scale', 'accf'] : ['accf', 'scale'], [bias === 'none' ? 'Y' : 'prod']),
      ...(bias === 'none' ? [] : [node('Add', opts.swapAdd ? [bias === 'const' ? 'bias' : 'b2', 'prod'] : ['prod', bias === 'const' ? 'bias' : 'b2'], ['Y'])]),
    ];
    const outputs = [{ name: 'Y' }];
    if (opts.extraUse) nodes.push(node('Identity', [opts.extraUse], ['extra'])), outputs.push({ name: 'extra' });
    if (opts.output) outputs.push({ name: opts.output });
    return {
      nodes,
      inputs: [{ name: 'A', type: { dtype: 'float32', shape: [2, 4] } }, ...(bias === 'input' ? [{ name: 'b2', type: { dtype: 'float32' as const, shape: [3] } }] : [])],
      outputs,
      initializers: inits,
      valueInfo: new Map(),
      opset: 13,
    };
  }
  const feeds = (g: Graph) => ({
    A: new Tensor('float32', Float32Array.of(-1, 0.5, 2, 3, 0.25, -0.75, 1.5, -2), [2, 4]),
    ...(g.inputs.some((i) => i.name === 'b2') ? { b2: new Tensor('float32', Float32Array.of(1, 2, 3), [3]) } : {}),
  });

  type Opts = Parameters<typeof chain>[0];
  it.each<[string, Opts]>([
    ['operands as written', {}],
    ['Mul operands swapped', { swapMul: true, swapScale: true }],
    ['Add operands swapped', { swapAdd: true }],
    ['no bias Add', { bias: 'none' as const }],
  ])('fuses the chain with %s, to the same values', async (_, opts) => {
    const g = chain(opts);
    const f = clone(g);
    expect(fuseDynamicQuantization(f)).toBe(1);
    expect(f.nodes.map((n) => n.opType)).toEqual(['DynamicQuantizeMatMul']);
    expect(f.nodes[0].inputs).toHaveLength(opts?.bias === 'none' ? 4 : 5);
    expect(bits(await runGraph(f, 'native', feeds(g)))).toEqual(bits(await runGraph(g, 'native', feeds(g))));
  });

  it('keeps a bias that is not a constant as a separate Add', async () => {
    const g = chain({ bias: 'input' });
    const f = clone(g);
    expect(fuseDynamicQuantization(f)).toBe(1);
    expect(f.nodes.map((n) => n.opType)).toEqual(['DynamicQuantizeMatMul', 'Add']);
    expect(bits(await runGraph(f, 'native', feeds(g)))).toEqual(bits(await runGraph(g, 'native', feeds(g))));
  });

  it.each(['acc', 'accf', 'scale'])('does not fuse when %s has a second consumer or is a graph output', (value) => {
    for (const g of [chain({ extraUse: value }), chain({ output: value })]) {
      const before = g.nodes.map((n) => n.opType);
      expect(fuseDynamicQuantization(g)).toBe(0);
      expect(g.nodes.map((n) => n.opType)).toEqual(before);
    }
  });

  it.each(['aq', 'as', 'az'])('keeps the quantization and fuses a MatMulIntegerToFloat when %s has another use, to the same values', async (value) => {
    for (const g of [chain({ extraUse: value }), chain({ output: value })]) {
      const f = clone(g);
      expect(fuseDynamicQuantization(f)).toBe(1);
      expect(f.nodes.map((n) => n.opType).filter((t) => t !== 'Identity')).toEqual(['DynamicQuantizeLinear', 'MatMulIntegerToFloat']);
      expect(bits(await runGraph(f, 'native', feeds(g)))).toEqual(bits(await runGraph(g, 'native', feeds(g))));
    }
  });

  it('merges quantizations of one input: two chains on duplicates share one DynamicQuantizeLinear', async () => {
    const g = chain();
    // A second chain, on its own quantization of the same A and the same constants.
    const second = chain().nodes.map((n) => ({ ...n, name: `${n.name}2`, inputs: n.inputs.map((i) => (i === 'A' || g.initializers.has(i) ? i : `${i}2`)), outputs: n.outputs.map((o) => `${o}2`) }));
    g.nodes.push(...second);
    g.outputs.push({ name: 'Y2' });
    const f = clone(g);
    expect(fuseDynamicQuantization(f)).toBe(2);
    expect(f.nodes.map((n) => n.opType)).toEqual(['DynamicQuantizeLinear', 'MatMulIntegerToFloat', 'MatMulIntegerToFloat']);
    const s = await Session.create(f, { optimize: false }), want = await Session.create(g, { optimize: false });
    const [got, exp] = [await s.run(feeds(g)), await want.run(feeds(g))];
    for (const y of ['Y', 'Y2']) expect(bits(got[y].data as Float32Array), y).toEqual(bits(exp[y].data as Float32Array));
    s.release(), want.release();
  });

  it('fuses the product but not the bias Add when the product is also a graph output', () => {
    const g = chain({ output: 'prod' });
    expect(fuseDynamicQuantization(g)).toBe(1);
    expect(g.nodes.map((n) => n.opType)).toEqual(['DynamicQuantizeMatMul', 'Add']);
    expect(g.nodes[0].outputs).toEqual(['prod']);
  });

  it('does not fuse when B or its scale is not a constant of the op\'s shapes', () => {
    const g1 = chain();
    g1.initializers.delete('B');
    g1.inputs.push({ name: 'B', type: { dtype: 'int8', shape: [4, 3] } });
    const g2 = chain();
    g2.initializers.set('bs', { dtype: 'float32', dims: [2], data: Float32Array.of(1, 2) });
    const g3 = chain();
    g3.nodes[2].attrs.to = 6; // Cast to int32: not the chain
    for (const g of [g1, g2, g3]) expect(fuseDynamicQuantization(g)).toBe(0);
  });
});
