import { f32 } from '../float32';
import { calculateQParams, type QParams, type QParamsOptions } from '../qparams';
import { checkAveragingConstant, Observer, resolveObserverConfig, type UniformObserverOptions } from './observer';

/** Minimum and maximum of the finite values of x (+inf / -inf when there are none). */
export function aminmax(x: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * PyTorch's MinMaxObserver: the running minimum and maximum over all batches, then `calculateQParams(min, max)`.
 * Per tensor only (qscheme per_tensor_affine, the default, or per_tensor_symmetric).
 */
export class MinMaxObserver extends Observer {
  /** The validated qscheme, dtype and range options. */
  readonly config: QParamsOptions;
  /** Smallest value observed (+Infinity before any batch). */
  minVal = Infinity;
  /** Largest value observed (-Infinity before any batch). */
  maxVal = -Infinity;

  /** @throws {@link InvalidArgumentError} for a qscheme, dtype, range or eps PyTorch's MinMaxObserver rejects. */
  constructor(opts: UniformObserverOptions = {}) {
    super(opts);
    this.config = resolveObserverConfig(new.target.name, opts, { perChannel: false, rejectSymmetricQuint8ReduceRange: true }, 'per_tensor_affine');
  }

  observe(x: Float32Array, shape: readonly number[]): void {
    const values = this.finiteValues(x, shape);
    if (values.length === 0) return;
    const [lo, hi] = aminmax(values);
    this.update(lo, hi);
  }

  protected update(lo: number, hi: number): void {
    this.minVal = Math.min(this.minVal, lo);
    this.maxVal = Math.max(this.maxVal, hi);
  }

  calculateQParams(): QParams {
    return calculateQParams(this.minVal, this.maxVal, this.config);
  }
}

/**
 * PyTorch's MovingAverageMinMaxObserver: the first batch sets min/max, later ones move them by
 * min += c * (batch_min - min) in float32 (c = averagingConstant, default 0.01). Suited to quantization-aware
 * training, where early batches are not representative.
 */
export class MovingAverageMinMaxObserver extends MinMaxObserver {
  /** The weight c of each new batch's min/max. */
  readonly averagingConstant: number;

  /** @throws {@link InvalidArgumentError} for an averagingConstant outside (0, 1] or options MinMaxObserver rejects. */
  constructor(opts: UniformObserverOptions & { averagingConstant?: number } = {}) {
    super(opts);
    this.averagingConstant = checkAveragingConstant(new.target.name, opts.averagingConstant ?? 0.01);
  }

  protected override update(lo: number, hi: number): void {
    if (this.minVal === Infinity && this.maxVal === -Infinity) {
      this.minVal = lo;
      this.maxVal = hi;
      return;
    }
    this.minVal = movingAverage(this.minVal, lo, this.averagingConstant);
    this.maxVal = movingAverage(this.maxVal, hi, this.averagingConstant);
  }
}

/** old + c * (new - old), every step in float32 as PyTorch's tensor arithmetic does (c is rounded to float32 too). */
export function movingAverage(old: number, next: number, c: number): number {
  return f32(old + f32(f32(c) * f32(next - old)));
}
