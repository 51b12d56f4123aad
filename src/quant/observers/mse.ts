import { calculateQParams } from '../qparams';
import { ClippingObserver, type ClippingObserverOptions } from './clipping-observer';
import { checkPositiveInteger } from './observer';

export interface MseObserverOptions extends ClippingObserverOptions {
  /** Candidate clipping ranges per search pass (default 200). */
  steps?: number;
}

/**
 * Picks the clipping range that minimises the mean squared quantization error, estimated from a 2048-bin histogram:
 * a value inside the representable range [(qmin - zp) * s, (qmax - zp) * s] costs the rounding noise s^2 / 12, a
 * value outside it costs its squared distance to the nearest end (bin centres stand for the values of a bin).
 * Search: shrink [min, max] by a common factor k / steps (k = 1..steps), then, from the best, move each end alone over
 * the same grid. The qparams are computed by calculateQParams from the range found, so they are exactly what
 * quantization will use. Per tensor.
 */
export class MseObserver extends ClippingObserver {
  /** Candidate ranges per search pass. */
  readonly steps: number;

  /** @throws {@link InvalidArgumentError} for non-positive-integer steps, bad bins, or qscheme/range options it rejects. */
  constructor(opts: MseObserverOptions = {}) {
    super(opts, 'per_tensor_affine');
    const cls = new.target.name;
    this.steps = checkPositiveInteger(cls, 'steps', opts.steps ?? 200);
  }

  /**
   * The estimated mean squared error of quantizing with the qparams of the range [lo, hi].
   * @throws Never.
   */
  expectedError(lo: number, hi: number): number {
    const q = calculateQParams(lo, hi, this.config);
    const s = q.scale[0];
    const low = (q.quantMin - q.zeroPoint[0]) * s;
    const high = (q.quantMax - q.zeroPoint[0]) * s;
    const h = this.histogram;
    const noise = (s * s) / 12;
    let err = 0;
    for (let b = 0; b < h.bins; b++) {
      const n = h.counts[b];
      if (n === 0) continue;
      const c = h.lo + (b + 0.5) * h.width;
      err += n * (c < low ? (low - c) ** 2 : c > high ? (c - high) ** 2 : noise);
    }
    return err / h.total;
  }

  /**
   * The range with the smallest expected error.
   * @throws Never: call it after at least one batch.
   */
  clipRange(): [number, number] {
    const { min, max } = this.histogram;
    const mn = Math.min(min, 0);
    const mx = Math.max(max, 0);
    const grid = Array.from({ length: this.steps }, (_, k) => (k + 1) / this.steps);
    let best = { lo: mn, hi: mx, err: this.expectedError(mn, mx) };
    const consider = (lo: number, hi: number) => {
      if (lo === 0 && hi === 0) return;
      const err = this.expectedError(lo, hi);
      if (err < best.err) best = { lo, hi, err };
    };
    for (const f of grid) consider(f * mn, f * mx);
    const bestHi = best.hi;
    for (const f of grid) consider(f * mn, bestHi);
    const bestLo = best.lo;
    for (const f of grid) consider(bestLo, f * mx);
    return [Math.max(best.lo, min), Math.min(best.hi, max)];
  }
}
