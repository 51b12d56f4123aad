import { InvalidArgumentError, describe } from '../errors';
import { dtypeRange, type QuantDType } from './dtypes';

/**
 * How real values map to integers, with PyTorch's names. Affine: q = round(x / scale) + zero_point with the zero
 * point chosen so that [min, max] fills the integer range. Symmetric: the range is [-a, a] with a = max(|min|, |max|),
 * zero point 0 (qint8) or 128 (quint8). Per-channel: one (scale, zero_point) per index along an axis.
 */
export type QScheme = 'per_tensor_affine' | 'per_tensor_symmetric' | 'per_channel_affine' | 'per_channel_symmetric';

/** Every {@link QScheme}, PyTorch's names. */
export const QSCHEMES: readonly QScheme[] = ['per_tensor_affine', 'per_tensor_symmetric', 'per_channel_affine', 'per_channel_symmetric'];

/**
 * Whether the qscheme has one scale per channel.
 * @throws Never.
 */
export const isPerChannel = (q: QScheme): boolean => q === 'per_channel_affine' || q === 'per_channel_symmetric';
/**
 * Whether the qscheme is symmetric (zero point fixed at the middle of the range).
 * @throws Never.
 */
export const isSymmetric = (q: QScheme): boolean => q === 'per_tensor_symmetric' || q === 'per_channel_symmetric';

export function checkQScheme(qscheme: unknown): QScheme {
  if (!QSCHEMES.includes(qscheme as QScheme)) {
    throw new InvalidArgumentError(`Expected one of ${QSCHEMES.join(', ')} for qscheme but received ${describe(qscheme)}`);
  }
  return qscheme as QScheme;
}

/** The integer range options every observer and `calculateQParams` accept. */
export interface QuantRangeOptions {
  /** quint8 (default), qint8 or qint32. */
  dtype?: QuantDType;
  /** Halve the range ([0,127] / [-64,63]) so that u8*s8 pair sums cannot overflow int16 on x86 `vpmaddubsw` kernels. */
  reduceRange?: boolean;
  /** A custom range (both or neither); it must contain 0. reduceRange then halves it (floor division, as PyTorch). */
  quantMin?: number;
  /** Custom range high end (with quantMin). */
  quantMax?: number;
}

/** The integer range {@link resolveQuantRange} settles on. */
export interface QuantRange {
  /** The quantized dtype. */
  dtype: QuantDType;
  /** Lowest code. */
  quantMin: number;
  /** Highest code. */
  quantMax: number;
  /** Whether quantMin/quantMax were given: symmetric quint8 then centres the zero point at floor((min+max)/2). */
  customized: boolean;
}

/**
 * PyTorch's `calculate_qmin_qmax` with its checks, plus one of ours: a custom range must lie inside the dtype.
 * @throws {@link InvalidArgumentError} for an unknown dtype, a non-boolean reduceRange, or a custom range that is
 *   not two integers, does not contain 0, is empty, or leaves the dtype's range.
 */
export function resolveQuantRange(opts: QuantRangeOptions = {}): QuantRange {
  const dtype = opts.dtype ?? 'quint8';
  const full = dtypeRange(dtype);
  const { quantMin, quantMax } = opts;
  const reduce = opts.reduceRange ?? false;
  if (typeof reduce !== 'boolean') throw new InvalidArgumentError(`Expected a boolean for reduceRange but received ${describe(reduce)}`);
  if (quantMin === undefined && quantMax === undefined) {
    if (!reduce || dtype === 'qint32') return { dtype, ...full, customized: false };
    return { dtype, quantMin: dtype === 'qint8' ? -64 : 0, quantMax: dtype === 'qint8' ? 63 : 127, customized: false };
  }
  const what = `quantMin/quantMax of a ${dtype} range`;
  if (!Number.isInteger(quantMin) || !Number.isInteger(quantMax)) {
    throw new InvalidArgumentError(`Expected two integers (both or neither) for ${what} but received [${describe(quantMin)}, ${describe(quantMax)}]`);
  }
  const lo = quantMin as number;
  const hi = quantMax as number;
  if (!(lo <= 0 && 0 <= hi)) throw new InvalidArgumentError(`Expected a range that includes 0 for ${what} but received [${lo}, ${hi}]`);
  if (!(lo < hi)) throw new InvalidArgumentError(`Expected quantMin < quantMax for ${what} but received [${lo}, ${hi}]`);
  if (lo < full.quantMin || hi > full.quantMax) {
    throw new InvalidArgumentError(`Expected a range inside [${full.quantMin}, ${full.quantMax}] for ${what} but received [${lo}, ${hi}]`);
  }
  return reduce
    ? { dtype, quantMin: Math.floor(lo / 2), quantMax: Math.floor(hi / 2), customized: true }
    : { dtype, quantMin: lo, quantMax: hi, customized: true };
}
