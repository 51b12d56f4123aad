// Error and range statistics of one tensor against its FP32 reference: SQNR, MSE, min/max,
// histogram, the fraction outside a clipping range. Sums run in float64 over all samples.

/** 10 log10(sum x^2 / sum (x - y)^2) in dB; Infinity when y equals x exactly, -Infinity for a zero reference with error. */
export function sqnr(ref: ArrayLike<number>, test: ArrayLike<number>): number {
  let signal = 0, noise = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = ref[i] - test[i];
    signal += ref[i] * ref[i];
    noise += d * d;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}

/** Mean of (x - y)^2. */
export function mse(ref: ArrayLike<number>, test: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = ref[i] - test[i];
    s += d * d;
  }
  return ref.length ? s / ref.length : 0;
}

export function minMax(x: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  return [lo, hi];
}

export interface Histogram {
  /** bins + 1 edges. */
  edges: number[];
  counts: number[];
}

/** `bins` equal bins over [lo, hi] (the last one closed); a constant tensor gets one bin of width 1. */
export function histogram(x: ArrayLike<number>, lo: number, hi: number, bins = 128): Histogram {
  if (!(hi > lo)) {
    hi = lo + 1;
    bins = 1;
  }
  const counts = new Array<number>(bins).fill(0), width = (hi - lo) / bins;
  for (let i = 0; i < x.length; i++) {
    const b = Math.floor((x[i] - lo) / width);
    if (b >= 0 && b <= bins) counts[Math.min(b, bins - 1)]++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width), counts };
}

/** Fraction of values strictly outside [lo, hi]. */
export function clippedFraction(x: ArrayLike<number>, lo: number, hi: number): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (x[i] < lo || x[i] > hi) n++;
  return x.length ? n / x.length : 0;
}

/** The float arrays of several samples as one. */
export function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
