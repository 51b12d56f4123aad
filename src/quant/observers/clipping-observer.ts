import { calculateQParams, type QParams, type QParamsOptions } from '../qparams';
import type { QScheme } from '../qscheme';
import { Observer, resolveObserverConfig, type UniformObserverOptions } from './observer';
import { observerHistogram, type RangeHistogram } from './range-histogram';

/** Options of the clipping observers: PyTorch's uniform-observer options and the histogram's bin count. */
export interface ClippingObserverOptions extends UniformObserverOptions {
  /** Histogram bins (default 2048, even). */
  bins?: number;
}

/**
 * The per-tensor observers that choose a clipping range from a histogram (Percentile, Entropy, MSE): each says how it
 * picks the range (`clipRange`); the qparams then come from calculateQParams(lo, hi) like any other observer's.
 */
export abstract class ClippingObserver extends Observer {
  /** The validated qscheme, dtype and range options. */
  readonly config: QParamsOptions;
  /** Every observed value, binned; the range search reads it. */
  readonly histogram: RangeHistogram;

  /**
   * `histogram`: anchor the histogram at zero (for |x|), and the fewest bins allowed.
   * @throws {@link InvalidArgumentError} for bins that are not an even positive integer, or qscheme/range options the subclass rejects.
   */
  constructor(opts: ClippingObserverOptions, defaultQScheme: QScheme, histogram = { anchorAtZero: false, atLeast: 2 }) {
    super(opts);
    this.config = resolveObserverConfig(new.target.name, opts, { perChannel: false, rejectSymmetricQuint8ReduceRange: true }, defaultQScheme);
    this.histogram = observerHistogram(new.target.name, opts.bins, histogram.anchorAtZero, histogram.atLeast);
  }

  observe(x: Float32Array, shape: readonly number[]): void {
    this.histogram.add(this.finiteValues(x, shape));
  }

  /** How many values were observed. */
  protected observedCount(): number {
    return this.histogram.total;
  }

  /**
   * The range [lo, hi] to quantize, inside the observed [min, max].
   * @throws Never: call it after at least one batch.
   */
  abstract clipRange(): [number, number];

  calculateQParams(): QParams {
    if (this.observedCount() === 0) return calculateQParams(Infinity, -Infinity, this.config);
    const [lo, hi] = this.clipRange();
    return calculateQParams(lo, hi, this.config);
  }
}
