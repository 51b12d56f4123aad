// fuseGelu (src/graph/fuse-gelu.ts), the elementwise fusion that goes with the dynamic BERT fast
// path: which GELU spellings become one com.microsoft Gelu and which are left alone, and that the
// fused graph computes the unfused one's values (up to the erf kernel's rounding, vmath.h) on
// int8kit and in onnxruntime-node.
import { describe, expect, it } from 'vitest';
import { Tensor, optimize, type Graph, type Node, type TensorData } from '../src';
import { bertLike } from '../src/bench/models';
import { fuseGelu } from '../src/graph/fuse-gelu';
import { runGraph, runGraphOrt } from './support/graph-runs';
import { rng } from './support/random';




/** Largest difference relative to the largest magnitude of `want`. */
function relError(got: Float32Array, want: Float32Array): number {
  const scale = Math.max(...Array.from(want, Math.abs));
  return got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0) / scale;
}

const scalar = (v: number): TensorData => ({ dtype: 'float32', dims: [], data: Float32Array.of(v) });
const node = (opType: string, inputs: string[], outputs: string[]): Node => ({ name: outputs[0], opType, domain: '', inputs, outputs, attrs: {} });

/** y = GELU(x) written one of the ways exporters do; x [4, 8]. */
function geluGraph(form: 'bert' | 'hf', opts: { mulInsteadOfDiv?: boolean; swap?: boolean; sqrt2?: number; extraOutput?: string } = {}): Graph {
  const sw = (a: string, b: string) => (opts.swap ? [b, a] : [a, b]);
  const nodes = [
    opts.mulInsteadOfDiv ? node('Mul', sw('x', 'inv_sqrt2'), ['d']) : node('Div', ['x', 'sqrt2'], ['d']),
    node('Erf', ['d'], ['e']),
    node('Add', sw('e', 'one'), ['a']),
    ...(form === 'bert'
      ? [node('Mul', sw('x', 'a'), ['m']), node('Mul', sw('m', 'half'), ['y'])]
      : [node('Mul', sw('x', 'half'), ['m']), node('Mul', sw('m', 'a'), ['y'])]),
  ];
  return {
    nodes,
    inputs: [{ name: 'x', type: { dtype: 'float32', shape: [4, 8] } }],
    outputs: [{ name: 'y' }, ...(opts.extraOutput ? [{ name: opts.extraOutput }] : [])],
    initializers: new Map([
      ['sqrt2', scalar(opts.sqrt2 ?? Math.SQRT2)], ['inv_sqrt2', scalar(Math.SQRT1_2)], ['one', scalar(1)], ['half', scalar(0.5)],
    ]),
    valueInfo: new Map(),
    opset: 13,
  };
}

const x = () => {
  const r = rng(5);
  return new Tensor('float32', Float32Array.from({ length: 32 }, () => r.float(-6, 6)), [4, 8]);
};

describe('fuseGelu', () => {
  it.each([
    ['BERT form', 'bert', {}],
    ['BERT form, operands swapped', 'bert', { swap: true }],
    ['Hugging Face form', 'hf', {}],
    ['Hugging Face form with Mul by 1/sqrt 2, operands swapped', 'hf', { mulInsteadOfDiv: true, swap: true }],
  ] as const)('fuses the %s into one Gelu with the same values', async (_, form, opts) => {
    const g = geluGraph(form, opts);
    const f = structuredClone(g);
    expect(fuseGelu(f)).toBe(1);
    expect(f.nodes.map((n) => [n.opType, n.domain, n.inputs])).toEqual([['Gelu', 'com.microsoft', ['x']]]);
    for (const backend of ['native', 'wasm']) {
      const got = await runGraph(f, backend, { x: x() }), want = await runGraph(g, backend, { x: x() });
      // The kernel's erf and its x * (1 / sqrt 2) against the graph's x / sqrt 2: vmath.h's 1e-6
      // relative (+ 1e-6 absolute) accuracy, with room for the one extra rounding.
      got.forEach((v, i) => expect(Math.abs(v - want[i]), `${backend} element ${i}`).toBeLessThanOrEqual(2e-6 * Math.abs(want[i]) + 2e-6));
    }
    expect(relError(await runGraphOrt(f, { x: x() }), await runGraphOrt(g, { x: x() }))).toBeLessThanOrEqual(1e-6);
  });

  it('leaves other constants, shared intermediates and graph outputs alone', () => {
    const cases = [
      geluGraph('bert', { sqrt2: 1.4 }), // not sqrt 2: another function
      geluGraph('bert', { extraOutput: 'e' }),
      geluGraph('hf', { extraOutput: 'm' }),
      geluGraph('bert', { extraOutput: 'a' }),
    ];
    const shaped = geluGraph('bert');
    shaped.initializers.set('half', { dtype: 'float32', dims: [1], data: Float32Array.of(0.5) }); // [1] could broadcast a scalar x
    const shared = geluGraph('bert');
    shared.nodes.push(node('Neg', ['d'], ['z']));
    shared.outputs.push({ name: 'z' });
    for (const g of [...cases, shaped, shared]) {
      const before = g.nodes.map((n) => n.opType);
      expect(fuseGelu(g)).toBe(0);
      expect(g.nodes.map((n) => n.opType)).toEqual(before);
    }
  });

  it('fuses every layer of bertLike through optimize(), and the model keeps its outputs on int8kit and onnxruntime', async () => {
    const g = bertLike(7, 2, 32, 2, 50);
    const f = structuredClone(g);
    expect(optimize(f).fuseGelu).toBe(2);
    expect(f.nodes.filter((n) => n.opType === 'Erf')).toHaveLength(0);
    const r = rng(9);
    const feeds = { input_ids: new Tensor('int64', BigInt64Array.from({ length: 16 }, () => BigInt(r.int(0, 49))), [1, 16]) };
    // Through two LayerNormalizations the kernel's 1e-6 rounding stays well below 1e-5 of the output scale.
    expect(relError(await runGraph(f, 'native', feeds), await runGraph(g, 'native', feeds))).toBeLessThanOrEqual(1e-5);
    expect(relError(await runGraphOrt(f, feeds), await runGraphOrt(g, feeds))).toBeLessThanOrEqual(1e-5);
  });
});
