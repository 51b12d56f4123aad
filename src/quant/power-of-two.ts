import { InvalidArgumentError, describe } from '../errors';
import { dtypeRange, type QuantDType } from './dtypes';
import type { QParams } from './qparams';

/**
 * Power-of-two scales: the fixed-point "decimal position" p of DPU-style 8-bit quantization (the darknet19 static
 * quantization recipe): scale = 2^-p, zero point 0, so requantization is a shift.
 *
 * The rule: p is the largest integer for which the range fits, i.e. max <= quantMax * 2^-p and min >= quantMin * 2^-p
 * (for quint8 only the max counts; negative values clip to 0). A larger p gives a finer step, so the largest p that
 * still fits loses nothing to clipping and the most to rounding precision. For qint8, amax = 1 gives p = 6 (1/64:
 * codes up to 127/64 = 1.98) because p = 7 would stop at 127/128 < 1. p is kept within [-127, 126] so that 2^-p is a
 * normal float32. A range of only zeros fits every p; it has no position (null).
 */
export const POW2_MIN_POSITION = -127;
/** The largest decimal position (scale 2^-126). */
export const POW2_MAX_POSITION = 126;

/**
 * The decimal position p (scale 2^-p) of [min, max]: the largest p whose range still holds it (the rule above).
 * @returns p, or null when [min, max] holds no non-zero value.
 * @throws {@link InvalidArgumentError} for dtype qint32.
 */
export function powerOfTwoPosition(min: number, max: number, dtype: QuantDType = 'qint8'): number | null {
  if (dtype === 'qint32') throw new InvalidArgumentError(`Expected qint8 or quint8 for the dtype of a power-of-two scale but received ${describe(dtype)}`);
  const { quantMin, quantMax } = dtypeRange(dtype);
  const fits = (p: number) => max <= quantMax * 2 ** -p && (dtype === 'quint8' || min >= quantMin * 2 ** -p);
  const need = Math.max(max / quantMax, dtype === 'quint8' ? 0 : min / quantMin);
  if (!(need > 0)) return null;
  // Start from the estimate floor(-log2(need)) and correct it with exact checks (powers of two times small integers are exact).
  let p = Math.floor(-Math.log2(need));
  p = Math.min(Math.max(p, POW2_MIN_POSITION), POW2_MAX_POSITION);
  while (p < POW2_MAX_POSITION && fits(p + 1)) p++;
  while (p > POW2_MIN_POSITION && !fits(p)) p--;
  return p;
}

/**
 * The qparams of decimal position p: scale 2^-p, zero point 0 over the full 8-bit range.
 * @throws {@link InvalidArgumentError} for a position outside [POW2_MIN_POSITION, POW2_MAX_POSITION].
 */
export function powerOfTwoQParams(p: number, dtype: QuantDType = 'qint8'): QParams {
  if (!Number.isInteger(p) || p < POW2_MIN_POSITION || p > POW2_MAX_POSITION) {
    throw new InvalidArgumentError(`Expected an integer in [${POW2_MIN_POSITION}, ${POW2_MAX_POSITION}] for a decimal position but received ${describe(p)}`);
  }
  const { quantMin, quantMax } = dtypeRange(dtype);
  return { scale: Float32Array.of(2 ** -p), zeroPoint: Int32Array.of(0), dtype, qscheme: 'per_tensor_symmetric', quantMin, quantMax };
}
