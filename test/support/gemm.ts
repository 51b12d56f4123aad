// Plan builders and independent JavaScript oracles for the GEMM ops of the plan boundary.
import type { Plan } from '../../src';
import { rng } from './random';

export interface QGemmCase {
  m: number; k: number; n: number;
  a: Uint8Array; b: Int8Array; bias: Int32Array | null;
  aScale: number; aZeroPoint: number; bScale: number[]; yScale: number; yZeroPoint: number;
  yMin: number; yMax: number;
}

export function qgemmPlan(c: QGemmCase): Plan {
  return {
    values: [
      { dtype: 'uint8', shape: [c.m, c.k] },
      { dtype: 'int8', shape: [c.k, c.n], data: c.b },
      ...(c.bias ? [{ dtype: 'int32' as const, shape: [c.n], data: c.bias }] : []),
      { dtype: 'uint8', shape: [c.m, c.n] },
    ],
    ops: [{
      op: 'QGemm',
      inputs: [0, 1, c.bias ? 2 : null],
      outputs: [c.bias ? 3 : 2],
      attrs: {
        a_scale: c.aScale, a_zero_point: c.aZeroPoint, b_scale: c.bScale,
        y_scale: c.yScale, y_zero_point: c.yZeroPoint, y_min: c.yMin, y_max: c.yMax,
      },
    }],
    inputs: [0],
    outputs: [c.bias ? 3 : 2],
  };
}

/** A random QGemm case; extremes (all-255 activations, +-127/-128 weights) show up on purpose. */
export function randomQGemm(seed: number, m: number, k: number, n: number): QGemmCase {
  const r = rng(seed);
  if (r.next() < 0.3) return tieQGemm(r, m, k, n);
  const extreme = r.next() < 0.2;
  const a = Uint8Array.from({ length: m * k }, () => (extreme ? r.pick([0, 255]) : r.int(0, 255)));
  const b = Int8Array.from({ length: k * n }, () => (extreme ? r.pick([-128, 127]) : r.int(-128, 127)));
  const perChannel = r.next() < 0.5;
  const yMin = r.next() < 0.3 ? r.int(0, 100) : 0;
  return {
    m, k, n, a, b,
    bias: r.next() < 0.7 ? Int32Array.from({ length: n }, () => r.int(-20000, 20000)) : null,
    aScale: r.float(0.001, 0.05),
    aZeroPoint: r.pick([0, 128, 255, r.int(0, 255)]),
    bScale: Array.from({ length: perChannel ? n : 1 }, () => r.float(0.0005, 0.02)),
    // Output scale around the accumulator spread so outputs cover the whole u8 range.
    yScale: r.float(0.2, 3) * Math.sqrt(k) * 0.05,
    yZeroPoint: r.pick([0, 128, 255, r.int(0, 255)]),
    yMin, yMax: r.next() < 0.3 ? r.int(Math.max(yMin, 150), 255) : 255,
  };
}

/**
 * Power-of-two scales (0.25 or 0.5 overall) and small values, so that many outputs land exactly on
 * .5 and the round-half-to-even rule is exercised rather than assumed.
 */
function tieQGemm(r: ReturnType<typeof rng>, m: number, k: number, n: number): QGemmCase {
  const aZeroPoint = r.pick([0, 128, 255]);
  return {
    m, k, n,
    a: Uint8Array.from({ length: m * k }, () => Math.min(255, Math.max(0, aZeroPoint + r.int(-3, 3)))),
    b: Int8Array.from({ length: k * n }, () => r.int(-3, 3)),
    bias: r.next() < 0.5 ? Int32Array.from({ length: n }, () => r.int(-9, 9)) : null,
    aScale: 0.5, aZeroPoint,
    bScale: r.next() < 0.5 ? [0.5] : Array.from({ length: n }, () => r.pick([0.5, 1])),
    yScale: 1, yZeroPoint: 128, yMin: 0, yMax: 255,
  };
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v), d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** The QGemm definition evaluated in JavaScript: exact integer sums, float32 requantization. */
export function qgemmReference(c: QGemmCase): Uint8Array {
  const f = Math.fround;
  const out = new Uint8Array(c.m * c.n);
  for (let j = 0; j < c.n; j++) {
    const bs = f(c.bScale[c.bScale.length === 1 ? 0 : j]);
    const scale = f(f(f(c.aScale) * bs) / f(c.yScale));
    for (let i = 0; i < c.m; i++) {
      let acc = c.bias ? c.bias[j] : 0;
      for (let k = 0; k < c.k; k++) acc += (c.a[i * c.k + k] - c.aZeroPoint) * c.b[k * c.n + j];
      let v = f(f(acc) * scale);
      v = Math.min(Math.max(v, c.yMin - c.yZeroPoint), c.yMax - c.yZeroPoint);
      out[i * c.n + j] = roundHalfEven(v) + c.yZeroPoint;
    }
  }
  return out;
}

export interface GemmCase {
  m: number; k: number; n: number;
  a: Float32Array; b: Float32Array; bias: Float32Array | null; min?: number; max?: number;
}

export function gemmPlan(c: GemmCase): Plan {
  return {
    values: [
      { dtype: 'float32', shape: [c.m, c.k] },
      { dtype: 'float32', shape: [c.k, c.n], data: c.b },
      ...(c.bias ? [{ dtype: 'float32' as const, shape: [c.n], data: c.bias }] : []),
      { dtype: 'float32', shape: [c.m, c.n] },
    ],
    ops: [{
      op: 'Gemm', inputs: [0, 1, c.bias ? 2 : null], outputs: [c.bias ? 3 : 2],
      attrs: { ...(c.min !== undefined ? { min: c.min } : {}), ...(c.max !== undefined ? { max: c.max } : {}) },
    }],
    inputs: [0],
    outputs: [c.bias ? 3 : 2],
  };
}

export function randomGemm(seed: number, m: number, k: number, n: number): GemmCase {
  const r = rng(seed);
  const clamp = r.next() < 0.3;
  return {
    m, k, n,
    a: Float32Array.from({ length: m * k }, () => r.float(-1, 1)),
    b: Float32Array.from({ length: k * n }, () => r.float(-1, 1)),
    bias: r.next() < 0.7 ? Float32Array.from({ length: n }, () => r.float(-1, 1)) : null,
    ...(clamp ? { min: -0.5, max: 2 } : {}),
  };
}

/**
 * FP32 GEMM in float64 with an error bound per element: any float32 summation order (with or
 * without FMA) of K products plus a bias stays within 2 (K + 1) 2^-24 (sum |a b| + |bias|).
 */
export function gemmReference(c: GemmCase): { value: Float64Array; bound: Float64Array } {
  const value = new Float64Array(c.m * c.n), bound = new Float64Array(c.m * c.n);
  const eps = 2 * (c.k + 1) * 2 ** -24;
  for (let i = 0; i < c.m; i++)
    for (let j = 0; j < c.n; j++) {
      let s = c.bias ? c.bias[j] : 0, mag = Math.abs(s);
      for (let k = 0; k < c.k; k++) {
        const p = c.a[i * c.k + k] * c.b[k * c.n + j];
        s += p;
        mag += Math.abs(p);
      }
      value[i * c.n + j] = Math.min(Math.max(s, c.min ?? -Infinity), c.max ?? Infinity);
      bound[i * c.n + j] = eps * mag + 1e-30;
    }
  return { value, bound };
}

/** Shapes that hit every tile edge of every kernel (MR in 4, 6, 8, 12; NR in 8, 16, 32; KR 1-4). */
export function edgeShapes(seed: number, count: number): [number, number, number][] {
  const r = rng(seed);
  const fixed: [number, number, number][] = [
    [1, 1, 1], [1, 1, 64], [7, 1, 33], [1, 5, 1], [13, 3, 97], [25, 67, 17], [8, 4, 32],
    [12, 16, 32], [6, 13, 16], [37, 255, 65], [5, 1024, 9], [3, 4096, 40],
  ];
  const ms = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 17, 24, 25, 36, 37, 50];
  const ks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33, 64, 67, 128, 255, 256, 300];
  const ns = [1, 2, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 47, 48, 63, 64, 65, 100];
  return [...fixed, ...Array.from({ length: count }, () => [r.pick(ms), r.pick(ks), r.pick(ns)] as [number, number, number])];
}
