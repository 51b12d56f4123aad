import { InvalidArgumentError, describe } from '../../errors';
import { dtypeRange, type QuantDType } from '../dtypes';
import { f32 } from '../float32';
import type { QParams } from '../qparams';
import { Observer, type ObserverOptions } from './observer';

export interface FixedQParamsOptions extends ObserverOptions {
  /** The fixed scale (positive, finite). */
  scale: number;
  /** The fixed zero point (inside the range). */
  zeroPoint: number;
  /** quint8 (default) or qint8. */
  dtype?: QuantDType;
  /** Custom range low end (with quantMax). */
  quantMin?: number;
  /** Custom range high end (with quantMin). */
  quantMax?: number;
}

/**
 * PyTorch's FixedQParamsObserver: parameters known in advance from the op's output range, whatever the data. Sigmoid
 * and Softmax outputs lie in [0, 1]: scale 1/256, zero point 0 (quint8); Tanh outputs lie in [-1, 1]: scale 2/256,
 * zero point 128. observe() only validates the batch.
 */
export class FixedQParamsObserver extends Observer {
  /** The parameters it always returns. */
  readonly qparams: QParams;

  /**
   * PyTorch's fixed qparams for Sigmoid outputs in [0, 1]: scale 1/256, zero point 0, quint8.
   * @throws Never.
   */
  static sigmoid(opts: ObserverOptions = {}): FixedQParamsObserver {
    return new FixedQParamsObserver({ ...opts, scale: 1 / 256, zeroPoint: 0 });
  }

  /**
   * The same fixed qparams for Softmax outputs in [0, 1]: scale 1/256, zero point 0, quint8.
   * @throws Never.
   */
  static softmax(opts: ObserverOptions = {}): FixedQParamsObserver {
    return new FixedQParamsObserver({ ...opts, scale: 1 / 256, zeroPoint: 0 });
  }

  /**
   * PyTorch's fixed qparams for Tanh outputs in [-1, 1]: scale 2/256, zero point 128, quint8.
   * @throws Never.
   */
  static tanh(opts: ObserverOptions = {}): FixedQParamsObserver {
    return new FixedQParamsObserver({ ...opts, scale: 2 / 256, zeroPoint: 128 });
  }

  /** @throws {@link InvalidArgumentError} for a non-positive scale, a bad range, or a zero point outside it. */
  constructor(opts: FixedQParamsOptions) {
    super(opts);
    const cls = new.target.name;
    const dtype = opts.dtype ?? 'quint8';
    const full = dtypeRange(dtype);
    const quantMin = opts.quantMin ?? full.quantMin;
    const quantMax = opts.quantMax ?? full.quantMax;
    if (!(typeof opts.scale === 'number' && opts.scale > 0 && Number.isFinite(opts.scale))) {
      throw new InvalidArgumentError(`Expected a positive finite number for the scale of ${cls} but received ${describe(opts.scale)}`);
    }
    if (!Number.isInteger(quantMin) || !Number.isInteger(quantMax) || quantMin < full.quantMin || quantMax > full.quantMax || !(quantMin < quantMax)) {
      throw new InvalidArgumentError(`Expected integers quantMin < quantMax inside [${full.quantMin}, ${full.quantMax}] for ${cls} but received [${describe(opts.quantMin)}, ${describe(opts.quantMax)}]`);
    }
    if (!Number.isInteger(opts.zeroPoint) || opts.zeroPoint < quantMin || opts.zeroPoint > quantMax) {
      throw new InvalidArgumentError(`Expected an integer in [${quantMin}, ${quantMax}] for the zero point of ${cls} but received ${describe(opts.zeroPoint)}`);
    }
    this.qparams = { scale: Float32Array.of(f32(opts.scale)), zeroPoint: Int32Array.of(opts.zeroPoint), dtype, qscheme: 'per_tensor_affine', quantMin, quantMax };
  }

  observe(x: Float32Array, shape: readonly number[]): void {
    this.checkBatch(x, shape);
  }

  calculateQParams(): QParams {
    return { ...this.qparams, scale: this.qparams.scale.slice(), zeroPoint: this.qparams.zeroPoint.slice() };
  }
}
