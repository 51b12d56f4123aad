import { InvalidArgumentError, describe } from '../errors';
import { f32, roundHalfEven } from './float32';
import { checkQScheme, isSymmetric, resolveQuantRange, type QScheme, type QuantRangeOptions } from './qscheme';
import type { QuantDType } from './dtypes';

/** torch.finfo(torch.float32).eps: the smallest scale PyTorch's observers return. */
export const FLOAT32_EPS = 2 ** -23;

/** Options of {@link calculateQParams} (and of every uniform observer). */
export interface QParamsOptions extends QuantRangeOptions {
  /** Affine or symmetric, per tensor or per channel (default per_tensor_affine). */
  qscheme?: QScheme;
  /** Lower bound of the scale (default float32 eps). */
  eps?: number;
}

/**
 * Quantization parameters. Always arrays, like the tensors PyTorch returns: length 1 per tensor, one entry per
 * channel per channel (`axis` says which).
 */
export interface QParams {
  /** Scales (float32). */
  scale: Float32Array;
  /** Zero points, one per scale. */
  zeroPoint: Int32Array;
  /** The quantized dtype. */
  dtype: QuantDType;
  /** The scheme they were computed with. */
  qscheme: QScheme;
  /** Lowest code. */
  quantMin: number;
  /** Highest code. */
  quantMax: number;
  /** The channel axis, for per-channel parameters. */
  axis?: number;
}

const asList = (v: number | ArrayLike<number>): ArrayLike<number> => (typeof v === 'number' ? [v] : v);

/**
 * PyTorch 1.13's `_calculate_qparams(min_val, max_val)`, bit-exact in float32:
 *   mn = min(min, 0), mx = max(max, 0)
 *   affine:    scale = max(f32(f32(mx - mn) / f32(qmax - qmin)), eps), zp = clamp(qmin - rint(f32(mn / scale)), qmin, qmax)
 *   symmetric: scale = max(f32(max(-mn, mx) / f32((qmax - qmin) / 2)), eps), zp = 0 (qint8), 128 (quint8), or
 *              floor((qmin + qmax) / 2) for quint8 with a custom range.
 * rint rounds half to even. The range always contains 0 so that 0 is exactly representable (zero padding).
 * An observer that saw nothing (min = +inf, max = -inf, or empty lists) gets PyTorch's default: scale 1, zero point 0.
 * @param min The observed minimum (one number, or one per channel).
 * @param max The observed maximum, as many as min.
 * @param opts qscheme, dtype, range and eps.
 * @example
 * ```ts
 * calculateQParams(-1, 3, { dtype: 'quint8' }); // { scale: [0.015686...], zeroPoint: [64], ... }
 * ```
 * @throws {@link InvalidArgumentError} for a bad qscheme, range or eps, min/max lists of different lengths, or min > max.
 */
export function calculateQParams(min: number | ArrayLike<number>, max: number | ArrayLike<number>, opts: QParamsOptions = {}): QParams {
  const qscheme = checkQScheme(opts.qscheme ?? 'per_tensor_affine');
  const range = resolveQuantRange(opts);
  const eps = f32(opts.eps ?? FLOAT32_EPS);
  if (!(eps > 0) || !Number.isFinite(eps)) throw new InvalidArgumentError(`Expected a positive finite number for eps but received ${describe(opts.eps)}`);
  const mins = asList(min);
  const maxs = asList(max);
  if (mins.length !== maxs.length) {
    throw new InvalidArgumentError(`Expected as many max values as min values (${mins.length}) for calculateQParams but received ${maxs.length}`);
  }
  const base = { dtype: range.dtype, qscheme, quantMin: range.quantMin, quantMax: range.quantMax };
  const unobserved = mins.length === 0 || (mins.length === 1 && mins[0] === Infinity && maxs[0] === -Infinity);
  if (unobserved) return { ...base, scale: Float32Array.of(1), zeroPoint: Int32Array.of(0) };

  const { quantMin: qmin, quantMax: qmax } = range;
  const symmetric = isSymmetric(qscheme);
  const symmetricZp = range.dtype !== 'quint8' ? 0 : range.customized ? Math.floor((qmin + qmax) / 2) : 128;
  const scale = new Float32Array(mins.length);
  const zeroPoint = new Int32Array(mins.length);
  for (let c = 0; c < mins.length; c++) {
    const lo = f32(mins[c]);
    const hi = f32(maxs[c]);
    if (!(lo <= hi)) {
      throw new InvalidArgumentError(`Expected min <= max (finite numbers) for calculateQParams${mins.length > 1 ? ` channel ${c}` : ''} but received [${lo}, ${hi}]`);
    }
    const mn = Math.min(lo, 0);
    const mx = Math.max(hi, 0);
    if (symmetric) {
      scale[c] = Math.max(f32(Math.max(-mn, mx) / f32((qmax - qmin) / 2)), eps);
      zeroPoint[c] = symmetricZp;
    } else {
      const s = Math.max(f32(f32(mx - mn) / f32(qmax - qmin)), eps);
      scale[c] = s;
      zeroPoint[c] = Math.min(Math.max(qmin - roundHalfEven(f32(mn / s)), qmin), qmax);
    }
  }
  return { ...base, scale, zeroPoint };
}
