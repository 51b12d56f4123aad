import { InvalidArgumentError, describe } from '../../errors';
import { ClippingObserver, type ClippingObserverOptions } from './clipping-observer';

export interface PercentileObserverOptions extends ClippingObserverOptions {
  /** The share of values to keep inside the range, in percent (default 99.99): the range is [P(100-p), P(p)]. */
  percentile?: number;
}

/**
 * Clips the range to percentiles of the observed distribution: [P(100 - p), P(p)] (default p = 99.99), read from a
 * 2048-bin histogram with linear interpolation inside the bin, then never wider than the observed [min, max].
 * A few extreme values then no longer stretch the scale for everything else. Per tensor.
 */
export class PercentileObserver extends ClippingObserver {
  /** The share of values kept inside the range, in percent. */
  readonly percentile: number;

  /** @throws {@link InvalidArgumentError} for a percentile outside (50, 100], bad bins, or qscheme/range options it rejects. */
  constructor(opts: PercentileObserverOptions = {}) {
    super(opts, 'per_tensor_affine');
    const cls = new.target.name;
    const p = opts.percentile ?? 99.99;
    if (typeof p !== 'number' || !(p > 50 && p <= 100)) throw new InvalidArgumentError(`Expected a number in (50, 100] for the percentile of ${cls} but received ${describe(p)}`);
    this.percentile = p;
  }

  /**
   * The clipped range [P(100-p), P(p)] inside [min, max].
   * @throws Never: call it after at least one batch.
   */
  clipRange(): [number, number] {
    const h = this.histogram;
    const q = this.percentile / 100;
    return [Math.max(h.quantile(1 - q), h.min), Math.min(h.quantile(q), h.max)];
  }
}
