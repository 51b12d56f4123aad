// Bad plans and bad inputs get typed errors naming the rule broken, on every backend; the process
// survives arbitrary bytes fed to the native and WASM plan decoders.
import { describe, expect, it } from 'vitest';
import {
  encodePlan, InvalidArgumentError, InvalidPlanError, PlanSession, ReleasedError, resolveBackend,
  UnsupportedIsaError, type Plan,
} from '../src';
import { qgemmPlan, randomQGemm } from './support/gemm';
import { rng } from './support/random';

const base = { ...randomQGemm(7, 5, 20, 9), bias: Int32Array.from({ length: 9 }, (_, i) => 100 * i - 400) };
const good = qgemmPlan(base);
const outputs = [{ dtype: 'uint8' as const, elements: 45 }];

/** A copy of the good plan with one change. */
function variant(change: (p: { values: any[]; ops: any[]; inputs: number[]; outputs: number[] }) => void): Plan {
  const p = structuredClone(good) as any;
  p.values[1].data = base.b; // structuredClone keeps typed arrays, but keep the same class explicitly
  change(p);
  return p;
}

const edgeCases: [string, Plan, RegExp][] = [
  ['a negative dim', variant((p) => (p.values[0].shape = [-5, 20])), /integer >= 0 for plan\.values\[0\]\.shape\[0\] but received -5 of type number/],
  ['a fractional dim', variant((p) => (p.values[0].shape = [5.5, 20])), /integer >= 0 for plan\.values\[0\]\.shape\[0\] but received 5\.5/],
  ['an unknown dtype', variant((p) => (p.values[0].dtype = 'float64')), /one of float32, uint8, int8, int32, int64, bool for plan\.values\[0\]\.dtype but received "float64"/],
  ['weights of the wrong class', variant((p) => (p.values[1].data = new Uint8Array(180))), /an Int8Array for plan\.values\[1\]\.data but received Uint8Array\(180\)/],
  ['weights of the wrong length', variant((p) => (p.values[1].data = new Int8Array(179))), /180 elements/],
  ['an id out of range', variant((p) => (p.ops[0].inputs[0] = 99)), /value id in \[0, 3\]/],
  ['a non-finite attribute', variant((p) => (p.ops[0].attrs.a_scale = Infinity)), /a finite number.*for plan\.ops\[0\]\.attrs\.a_scale/],
];

const planCases: [string, Plan, RegExp][] = [
  ['K that disagrees', variant((p) => (p.values[1].shape = [18, 10]) && (p.values[1].data = new Int8Array(180))), /B with 20 rows/],
  ['a wrong output shape', variant((p) => (p.values[3].shape = [5, 8])), /Y of shape \[5, 9\]/],
  ['non-constant weights', variant((p) => { delete p.values[1].data; p.inputs = [0, 1]; }), /B to be a constant/],
  ['a zero scale', variant((p) => (p.ops[0].attrs.y_scale = 0)), /finite and > 0/],
  ['an unknown op', variant((p) => (p.ops[0].op = 'Frobnicate')), /unsupported op type/],
  ['a missing required attribute', variant((p) => delete p.ops[0].attrs.a_scale), /a_scale and y_scale to be finite/],
  ['an unknown attribute', variant((p) => (p.ops[0].attrs.alpha = 1)), /unknown attribute alpha/],
  ['a fractional zero point', variant((p) => (p.ops[0].attrs.a_zero_point = 1.5)), /a_zero_point to be one integer/],
  ['an out-of-range zero point', variant((p) => (p.ops[0].attrs.y_zero_point = 256)), /zero points in \[0, 255\]/],
  ['y_min above y_max', variant((p) => Object.assign(p.ops[0].attrs, { y_min: 200, y_max: 100 })), /y_min <= y_max/],
  ['per-channel scales of the wrong count', variant((p) => (p.ops[0].attrs.b_scale = [0.1, 0.2])), /1 or N=9/],
  ['a wrong dtype for A', variant((p) => (p.values[0].dtype = 'int8')), /A of dtype uint8/],
  ['a value read before it is written', variant((p) => (p.inputs = [])), /before it is defined/],
  ['an output nobody computes', variant((p) => (p.outputs = [0])), /plan output 0/],
  ['an output listed twice', variant((p) => (p.outputs = [3, 3])), /plan output 3 is listed twice/],
];

describe.each(['native', 'wasm'])('%s backend', (backend) => {
  it.each(edgeCases)('rejects %s with an InvalidArgumentError', async (_, plan, message) => {
    await expect(PlanSession.create(plan, { backend })).rejects.toThrow(InvalidArgumentError);
    await expect(PlanSession.create(plan, { backend })).rejects.toThrow(message);
  });

  it.each(planCases)('rejects %s with an InvalidPlanError naming the op', async (_, plan, message) => {
    const err = await PlanSession.create(plan, { backend }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidPlanError);
    expect(err.message).toMatch(message);
    if (!/plan output|before it is defined/.test(message.source)) expect(err.message).toMatch(/op 0 \(\w+\)/);
  });

  it('rejects run inputs of the wrong count, dtype or length', async () => {
    const s = await PlanSession.create(good, { backend });
    await expect(s.run([])).rejects.toThrow(/an array of 1 typed arrays for inputs but received an array of length 0/);
    await expect(s.run([new Int8Array(100)])).rejects.toThrow(InvalidArgumentError);
    await expect(s.run([new Uint8Array(99)])).rejects.toThrow(/a Uint8Array of 100 elements \(shape \[5,20\]\) for inputs\[0\] but received Uint8Array\(99\)/);
    await expect(s.run([[1, 2, 3] as any])).rejects.toThrow(InvalidArgumentError);
    s.release();
    await expect(s.run([base.a])).rejects.toThrow(ReleasedError);
  });

  it('rejects an unknown ISA', async () => {
    await expect(PlanSession.create(good, { backend, isa: 'sse9' })).rejects.toThrow(UnsupportedIsaError);
  });

  it.each(edgeCases.filter(([name]) => /negative dim|wrong length|out of range|non-finite/.test(name)))(
    'rejects %s in C++ too when the TypeScript edge is bypassed',
    async (_, plan) => {
      const { backend: b } = await resolveBackend(backend);
      expect(() => b.createPlan(encodePlan(plan), outputs)).toThrow(InvalidPlanError);
    },
  );

  it('survives arbitrary and corrupted plan bytes with InvalidPlanError', async () => {
    const { backend: b } = await resolveBackend(backend);
    const bytes = encodePlan(good);
    const r = rng(99);
    let rejected = 0;
    for (let t = 0; t < 3000; t++) {
      let input: Uint8Array;
      if (t % 3 === 0) input = Uint8Array.from({ length: r.int(0, 64) }, () => r.int(0, 255));
      else if (t % 3 === 1) input = bytes.subarray(0, r.int(0, bytes.length - 1));
      else {
        input = bytes.slice();
        for (let f = r.int(1, 4); f > 0; f--) input[r.int(0, input.length - 1)] = r.int(0, 255);
      }
      try {
        b.createPlan(input, outputs).release();
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidPlanError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(2000); // random bytes almost never form a valid plan
  });
});
