import { f32, roundHalfEven } from '../float32';
import { calculateQParams, type QParams, type QParamsOptions } from '../qparams';
import { aminmax } from './min-max';
import { checkPositiveInteger, Observer, resolveObserverConfig, type UniformObserverOptions } from './observer';
import { nonLinearParamSearch } from './histogram-search';
import { torchHistc } from './torch-histc';

export interface HistogramObserverOptions extends UniformObserverOptions {
  /** Number of histogram bins (default 2048). */
  bins?: number;
  /** How finely the old histogram is resampled when a batch widens the range (default 128). */
  upsampleRate?: number;
}

/**
 * PyTorch 1.13's HistogramObserver, reproduced bit for bit (observers.json: search_min/search_max and qparams).
 *
 * State: a float32 histogram of `bins` bins over [minVal, maxVal]. The first batch is binned with torch.histc; when a
 * later batch widens the range, the old histogram is upsampled `upsampleRate` times, placed on a grid whose width is
 * a whole multiple (downsample rate) of the upsampled bin width, and summed back into `bins` bins; the range's max is
 * then relaxed so that the grid fits exactly. calculateQParams runs the L2 search (nonLinearParamSearch) and computes
 * the qparams from the range it picks.
 *
 * Faithful to PyTorch 1.13 including its quirk: torch.histc is called with int(min) and int(max), truncated towards
 * zero, so values beyond the integer part of the range are not counted (data in [0.5, 6.7] is binned over [0, 6]).
 * It accepts quint8 + symmetric + reduceRange (zero point 128 with quantMax 127), as PyTorch does.
 */
export class HistogramObserver extends Observer {
  /** The validated qscheme, dtype and range options. */
  readonly config: QParamsOptions;
  /** Number of histogram bins. */
  readonly bins: number;
  /** Resampling factor used when the range widens. */
  readonly upsampleRate: number;
  /** 2^bits of the dtype: the number of levels the L2 search quantizes to (256 for 8-bit types). */
  readonly dstBins: number;
  /** Counts per bin over [minVal, maxVal]. */
  histogram: Float32Array;
  /** Smallest value observed (+Infinity before any batch). */
  minVal = Infinity;
  /** Largest value observed (-Infinity before any batch). */
  maxVal = -Infinity;

  /** @throws {@link InvalidArgumentError} for non-positive-integer bins or upsampleRate, or qscheme/range options PyTorch rejects. */
  constructor(opts: HistogramObserverOptions = {}) {
    super(opts);
    const cls = new.target.name;
    this.config = resolveObserverConfig(cls, opts, { perChannel: false, rejectSymmetricQuint8ReduceRange: false }, 'per_tensor_affine');
    this.bins = checkPositiveInteger(cls, 'bins', opts.bins ?? 2048);
    this.upsampleRate = checkPositiveInteger(cls, 'upsampleRate', opts.upsampleRate ?? 128);
    this.dstBins = this.config.dtype === 'qint32' ? 2 ** 32 : 256;
    this.histogram = new Float32Array(this.bins);
  }

  observe(x: Float32Array, shape: readonly number[]): void {
    const values = this.finiteValues(x, shape);
    if (values.length === 0) return;
    const [lo, hi] = aminmax(values);
    const uninitialized = this.minVal === Infinity && this.maxVal === -Infinity;
    if (uninitialized || this.minVal === this.maxVal) {
      // PyTorch restarts from this batch when everything seen so far was one value.
      this.minVal = lo;
      this.maxVal = hi;
      this.histogram = new Float32Array(this.bins);
      torchHistc(values, this.bins, Math.trunc(lo), Math.trunc(hi), lo, hi, this.histogram);
      return;
    }
    const combinedMin = Math.min(lo, this.minVal);
    let combinedMax = Math.max(hi, this.maxVal);
    // _adjust_min_max: a common grid of width hist_bin_width = (max - min) / (bins * upsample_rate)
    const histBinWidth = f32(f32(this.maxVal - this.minVal) / (this.bins * this.upsampleRate));
    const span = f32(this.bins * histBinWidth);
    const downsampleRate = Math.ceil(f32(f32(combinedMax - combinedMin) / span));
    const e = f32(f32(downsampleRate * span) - f32(combinedMax - combinedMin));
    combinedMax = f32(combinedMax + e); // relax only the max, so one-sided distributions keep min at 0
    const startIdx = roundHalfEven(f32(f32(this.minVal - combinedMin) / histBinWidth));

    const combined = new Float32Array(this.bins);
    torchHistc(values, this.bins, Math.trunc(combinedMin), Math.trunc(combinedMax), lo, hi, combined);
    if (combinedMin === this.minVal && combinedMax === this.maxVal) {
      for (let i = 0; i < this.bins; i++) combined[i] = f32(combined[i] + this.histogram[i]);
    } else {
      this.addResampled(combined, downsampleRate, startIdx);
    }
    this.histogram = combined;
    this.minVal = combinedMin;
    this.maxVal = combinedMax;
  }

  /**
   * _combine_histograms: repeat every old bin upsampleRate times at offset startIdx on a zero grid of
   * bins * downsampleRate cells, take the float64 cumulative sum at every downsampleRate-th cell, difference it against
   * its float32-rounded predecessor, divide by upsampleRate and add (float32) to `out`. Only the upsampled cells are
   * non-zero, so the loop walks those (bins * upsampleRate cells) instead of the whole grid.
   */
  private addResampled(out: Float32Array, downsampleRate: number, startIdx: number): void {
    const { bins, upsampleRate } = this;
    const gridCells = bins * downsampleRate;
    const integral = new Float64Array(bins); // cumsum at cells k * downsampleRate + downsampleRate - 1
    let sum = 0;
    let k = 0;
    const firstCell = startIdx;
    const lastCell = Math.min(startIdx + bins * upsampleRate, gridCells) - 1;
    for (let cell = firstCell; cell <= lastCell; cell++) {
      while (k < bins && k * downsampleRate + downsampleRate - 1 < cell) integral[k++] = sum;
      sum += this.histogram[Math.floor((cell - startIdx) / upsampleRate)];
    }
    while (k < bins) integral[k++] = sum;
    let previous = 0;
    for (let b = 0; b < bins; b++) {
      out[b] = f32(out[b] + f32((integral[b] - previous) / upsampleRate));
      previous = f32(integral[b]); // the shifted integral lives in a float32 tensor
    }
  }

  /**
   * The range the L2 search picks, from which calculateQParams computes the qparams.
   * @throws Never.
   */
  searchRange(): [number, number] {
    return nonLinearParamSearch(this.histogram, this.minVal, this.maxVal, this.dstBins);
  }

  calculateQParams(): QParams {
    if (this.minVal === Infinity && this.maxVal === -Infinity) return calculateQParams(Infinity, -Infinity, this.config);
    const [lo, hi] = this.searchRange();
    return calculateQParams(lo, hi, this.config);
  }
}
