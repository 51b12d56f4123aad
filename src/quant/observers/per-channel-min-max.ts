import { calculateQParams, type QParams, type QParamsOptions } from '../qparams';
import { channelLayout, checkAxis } from '../tensor-shape';
import { movingAverage } from './min-max';
import { checkAveragingConstant, Observer, resolveObserverConfig, type UniformObserverOptions } from './observer';
import { InvalidArgumentError, describe } from '../../errors';

export interface PerChannelObserverOptions extends UniformObserverOptions {
  /** The channel axis (default 0, the output channels of a Conv/Gemm weight); negative counts from the end. */
  chAxis?: number;
}

/**
 * PyTorch's PerChannelMinMaxObserver: a running min/max per index along `chAxis` (any axis), then per-channel
 * qparams (qscheme per_channel_affine, the default, or per_channel_symmetric). State: two arrays of `channels`.
 */
export class PerChannelMinMaxObserver extends Observer {
  /** The validated qscheme, dtype and range options. */
  readonly config: QParamsOptions;
  /** The channel axis as given (negative counts from the end). */
  readonly chAxis: number;
  /** Smallest value per channel (empty before any batch). */
  minVal = new Float32Array(0);
  /** Largest value per channel (empty before any batch). */
  maxVal = new Float32Array(0);

  /** @throws {@link InvalidArgumentError} for a non-integer chAxis, a per-tensor qscheme, or range options PyTorch rejects. */
  constructor(opts: PerChannelObserverOptions = {}) {
    super(opts);
    this.config = resolveObserverConfig(new.target.name, opts, { perChannel: true, rejectSymmetricQuint8ReduceRange: true }, 'per_channel_affine');
    this.chAxis = opts.chAxis ?? 0;
    if (!Number.isInteger(this.chAxis)) throw new InvalidArgumentError(`Expected an integer for the chAxis of ${new.target.name} but received ${describe(opts.chAxis)}`);
  }

  observe(x: Float32Array, shape: readonly number[]): void {
    const allFinite = this.checkBatch(x, shape);
    if (x.length === 0) return;
    const axis = checkAxis(this.chAxis, shape.length, `the channel axis of ${this.constructor.name} for "${this.name}"`);
    const { channels, inner } = channelLayout(shape, axis);
    if (this.minVal.length !== 0 && this.minVal.length !== channels) {
      throw new InvalidArgumentError(
        `Expected ${this.minVal.length} channels along axis ${axis} (as in earlier batches) for the tensor "${this.name}" but received shape [${shape.join(', ')}]`,
      );
    }
    const lo = new Float32Array(channels).fill(Infinity);
    const hi = new Float32Array(channels).fill(-Infinity);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (!allFinite && v - v !== 0) continue;
      const c = Math.floor(i / inner) % channels;
      if (v < lo[c]) lo[c] = v;
      if (v > hi[c]) hi[c] = v;
    }
    if (this.minVal.length === 0) {
      this.minVal = lo;
      this.maxVal = hi;
    } else {
      this.update(lo, hi);
    }
  }

  protected update(lo: Float32Array, hi: Float32Array): void {
    for (let c = 0; c < lo.length; c++) {
      this.minVal[c] = Math.min(this.minVal[c], lo[c]);
      this.maxVal[c] = Math.max(this.maxVal[c], hi[c]);
    }
  }

  calculateQParams(): QParams {
    // A channel whose values were all skipped as non-finite has no range; it gets the range [0, 0] (scale eps).
    const lo = this.minVal.map((v, c) => (v === Infinity && this.maxVal[c] === -Infinity ? 0 : v));
    const hi = this.maxVal.map((v, c) => (v === -Infinity && this.minVal[c] === Infinity ? 0 : v));
    return { ...calculateQParams(lo, hi, this.config), axis: this.chAxis };
  }
}

/** PyTorch's MovingAveragePerChannelMinMaxObserver: PerChannelMinMax with the moving average of MovingAverageMinMax. */
export class PerChannelMovingAverageMinMaxObserver extends PerChannelMinMaxObserver {
  /** The weight c of each new batch's min/max. */
  readonly averagingConstant: number;

  /** @throws {@link InvalidArgumentError} for an averagingConstant outside (0, 1] or options PerChannelMinMaxObserver rejects. */
  constructor(opts: PerChannelObserverOptions & { averagingConstant?: number } = {}) {
    super(opts);
    this.averagingConstant = checkAveragingConstant(new.target.name, opts.averagingConstant ?? 0.01);
  }

  protected override update(lo: Float32Array, hi: Float32Array): void {
    for (let c = 0; c < lo.length; c++) {
      this.minVal[c] = movingAverage(this.minVal[c], lo[c], this.averagingConstant);
      this.maxVal[c] = movingAverage(this.maxVal[c], hi[c], this.averagingConstant);
    }
  }
}
