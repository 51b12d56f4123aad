import { InvalidArgumentError, describe } from '../../errors';
import { FLOAT32_EPS, type QParams, type QParamsOptions } from '../qparams';
import { checkQScheme, isPerChannel, resolveQuantRange, type QScheme } from '../qscheme';
import { checkShape } from '../tensor-shape';

/** Options every observer takes. */
export interface ObserverOptions {
  /** The tensor being observed, for error messages ("conv1.output"). */
  name?: string;
  /**
   * Skip NaN and +-Infinity instead of throwing. Off by default: a non-finite activation during calibration usually
   * means broken input data, and silently dropping it would hide that.
   */
  ignoreNonFinite?: boolean;
}

/** Options of the observers that compute uniform (scale, zero point) parameters, PyTorch's keyword arguments. */
export interface UniformObserverOptions extends ObserverOptions, QParamsOptions {}

/**
 * An observer watches tensors (`observe`, batch after batch) and turns what it saw into quantization parameters
 * (`calculateQParams`). Observers keep O(bins) or O(channels) state, never the tensors themselves.
 */
export abstract class Observer {
  /** The observed tensor's name, used in error messages. */
  readonly name: string;
  /** Whether NaN and +-Infinity are skipped (true) or rejected (false). */
  readonly ignoreNonFinite: boolean;

  /** @throws Never: subclasses validate their own options. */
  constructor(opts: ObserverOptions = {}) {
    this.name = opts.name ?? 'tensor';
    this.ignoreNonFinite = opts.ignoreNonFinite ?? false;
  }

  /**
   * Folds one batch into the observer's state (min/max, histogram, votes).
   * @param x The batch's values, row-major.
   * @param shape Its dims; their product must equal x.length.
   * @throws {@link InvalidArgumentError} when x is not a Float32Array, the shape does not match its length, or
   *   (unless `ignoreNonFinite`) it holds NaN or Infinity, naming the tensor and the first bad index.
   */
  abstract observe(x: Float32Array, shape: readonly number[]): void;
  /**
   * The quantization parameters for everything observed so far (PyTorch's default scale 1,
   * zero point 0 before any batch).
   * @throws Never: the options were validated when the observer was constructed.
   */
  abstract calculateQParams(): QParams;

  /** Validates an observed tensor; returns false when it holds non-finite values that are to be skipped. */
  protected checkBatch(x: Float32Array, shape: readonly number[]): boolean {
    const what = `the tensor "${this.name}" observed by ${this.constructor.name}`;
    if (!(x instanceof Float32Array)) throw new InvalidArgumentError(`Expected a Float32Array for ${what} but received ${describe(x)}`);
    checkShape(shape as number[], x.length, what);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v - v !== 0) { // NaN or +-Infinity
        if (this.ignoreNonFinite) return false;
        throw new InvalidArgumentError(
          `Expected finite values (no NaN or Infinity) for ${what} but received ${v} at flat index ${i}; ` +
          'construct the observer with { ignoreNonFinite: true } to skip such values',
        );
      }
    }
    return true;
  }

  /** The finite values of a validated batch (the batch itself when all are finite). */
  protected finiteValues(x: Float32Array, shape: readonly number[]): Float32Array {
    return this.checkBatch(x, shape) ? x : x.filter((v) => v - v === 0);
  }
}

/** Which qschemes an observer class accepts, and whether it rejects quint8 + symmetric + reduceRange (PyTorch does, except in HistogramObserver). */
export interface UniformObserverRules {
  perChannel: boolean;
  rejectSymmetricQuint8ReduceRange: boolean;
}

/** Validates PyTorch's observer configuration rules and returns the resolved qparams options. */
export function resolveObserverConfig(cls: string, opts: UniformObserverOptions, rules: UniformObserverRules, defaultQScheme: QScheme): Required<Pick<QParamsOptions, 'qscheme'>> & QParamsOptions {
  const qscheme = checkQScheme(opts.qscheme ?? defaultQScheme);
  if (isPerChannel(qscheme) !== rules.perChannel) {
    const allowed = rules.perChannel ? 'per_channel_affine or per_channel_symmetric' : 'per_tensor_affine or per_tensor_symmetric';
    throw new InvalidArgumentError(`Expected ${allowed} for the qscheme of ${cls} but received ${describe(qscheme)}`);
  }
  const range = resolveQuantRange(opts); // checks dtype, reduceRange and a custom range
  if (rules.rejectSymmetricQuint8ReduceRange && range.dtype === 'quint8' && qscheme.endsWith('symmetric') && opts.reduceRange) {
    throw new InvalidArgumentError(
      `Expected reduceRange false for a quint8 ${qscheme} ${cls} (PyTorch cannot reduce the range of symmetric quint8) but received true`,
    );
  }
  const eps = opts.eps ?? FLOAT32_EPS;
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) {
    throw new InvalidArgumentError(`Expected a positive finite number for the eps of ${cls} but received ${describe(eps)}`);
  }
  return { dtype: range.dtype, qscheme, reduceRange: opts.reduceRange ?? false, quantMin: opts.quantMin, quantMax: opts.quantMax, eps };
}

export function checkPositiveInteger(cls: string, what: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new InvalidArgumentError(`Expected a positive integer for the ${what} of ${cls} but received ${describe(v)}`);
  return v as number;
}

/** Checks a moving-average constant: the weight of the new batch, in (0, 1]. */
export function checkAveragingConstant(cls: string, c: unknown): number {
  if (typeof c !== 'number' || !(c > 0 && c <= 1)) {
    throw new InvalidArgumentError(`Expected a number in (0, 1] for the averagingConstant of ${cls} but received ${describe(c)}`);
  }
  return c;
}
