import { invalid, InvalidArgumentError } from '../../errors';
import { checkPositiveInteger } from './observer';

/** The histogram of an observer, after checking its `bins` option (a positive even number, at least `atLeast`). */
export function observerHistogram(cls: string, bins: unknown, anchorAtZero = false, atLeast = 2): RangeHistogram {
  const n = checkPositiveInteger(cls, 'bins', bins ?? 2048);
  if (n % 2 !== 0 || n < atLeast) throw new InvalidArgumentError(`Expected an even number of at least ${atLeast} for the bins of ${cls} but received ${n}`);
  return new RangeHistogram(n, anchorAtZero);
}

/**
 * A histogram with a fixed number of bins whose range grows by doubling the bin width: adjacent bins merge in pairs,
 * so counts stay exact integers, no resampling error creeps in, and the state stays O(bins) however far later batches
 * widen the range. Used by the Percentile, Entropy and MSE observers (HistogramObserver keeps PyTorch's own scheme).
 * With `anchorAtZero` the histogram covers [0, hi] and only grows to the right (for |x| in the entropy search).
 */
export class RangeHistogram {
  /** Number of bins (even). */
  readonly bins: number;
  /** Whether the left edge stays at 0 (histograms of |x|). */
  readonly anchorAtZero: boolean;
  /** Counts per bin. */
  counts: Float64Array;
  /** Left edge and bin width; the range is [lo, lo + bins * width]. */
  lo = 0;
  /** Bin width (see lo). */
  width = 0;
  /** Exact extremes of everything added, and the number of values: the smallest value added ... */
  min = Infinity;
  /** ... the largest ... */
  max = -Infinity;
  /** ... and how many values were added. */
  total = 0;

  /**
   * @param bins Number of bins; must be even.
   * @param anchorAtZero Keep the left edge at 0 (for histograms of |x|).
   * @throws {@link InvalidArgumentError} for an odd bin count (the observers validate bins before constructing one).
   */
  constructor(bins: number, anchorAtZero = false) {
    if (bins % 2 !== 0) throw invalid('the bin count of a RangeHistogram', 'an even number', bins);
    this.bins = bins;
    this.anchorAtZero = anchorAtZero;
    this.counts = new Float64Array(bins);
  }

  /** Right edge of the histogram range. */
  get hi(): number {
    return this.lo + this.bins * this.width;
  }

  /**
   * Adds finite values (non-negative ones when anchored at zero).
   * @throws Never: non-finite values are skipped.
   */
  add(values: Float32Array): void {
    if (values.length === 0) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      if (values[i] < lo) lo = values[i];
      if (values[i] > hi) hi = values[i];
    }
    if (this.total === 0) {
      this.lo = this.anchorAtZero ? 0 : lo;
      const span = hi - this.lo;
      // A batch of one repeated value has no width: give it a small one; later batches double it as needed.
      this.width = span > 0 ? span / this.bins : Math.max(Math.abs(this.lo), 1) * 2 ** -20 / this.bins;
    }
    while (hi > this.hi) this.growRight();
    while (lo < this.lo) this.growLeft();
    const { bins, width } = this;
    for (let i = 0; i < values.length; i++) {
      const b = Math.floor((values[i] - this.lo) / width);
      this.counts[b < 0 ? 0 : b >= bins ? bins - 1 : b] += 1;
    }
    this.min = Math.min(this.min, lo);
    this.max = Math.max(this.max, hi);
    this.total += values.length;
  }

  /** Doubles the width keeping the left edge: bin i takes old bins 2i and 2i+1. */
  private growRight(): void {
    const c = this.counts;
    const half = this.bins / 2;
    for (let i = 0; i < half; i++) c[i] = c[2 * i] + c[2 * i + 1];
    c.fill(0, half);
    this.width *= 2;
  }

  /** Doubles the width keeping the right edge: the old range becomes the upper half. */
  private growLeft(): void {
    const c = this.counts;
    const half = this.bins / 2;
    for (let i = half - 1; i >= 0; i--) c[half + i] = c[2 * i] + c[2 * i + 1];
    c.fill(0, 0, half);
    this.lo -= this.bins * this.width;
    this.width *= 2;
  }

  /**
   * The value below which a fraction q of the counts lie, interpolating linearly inside the bin.
   * @throws Never.
   */
  quantile(q: number): number {
    const target = q * this.total;
    let cum = 0;
    for (let b = 0; b < this.bins; b++) {
      const next = cum + this.counts[b];
      if (next >= target && this.counts[b] > 0) {
        const frac = (target - cum) / this.counts[b];
        return this.lo + (b + frac) * this.width;
      }
      cum = next;
    }
    return this.hi;
  }
}
