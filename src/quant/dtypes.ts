import { InvalidArgumentError, describe } from '../errors';

/**
 * Quantized integer types, with PyTorch's names: `quint8` (u8, activations), `qint8` (s8, weights and symmetric
 * activations) and `qint32` (s32, the bias of a quantized Conv/Gemm, whose scale is s_in * s_w and zero point 0).
 */
export type QuantDType = 'quint8' | 'qint8' | 'qint32';

/** Every {@link QuantDType}. */
export const QUANT_DTYPES: readonly QuantDType[] = ['quint8', 'qint8', 'qint32'];

/**
 * The full integer range of a dtype.
 * @throws {@link InvalidArgumentError} for an unknown dtype.
 */
export function dtypeRange(dtype: QuantDType): {
  /** Lowest code. */
  quantMin: number;
  /** Highest code. */
  quantMax: number;
} {
  switch (dtype) {
    case 'quint8': return { quantMin: 0, quantMax: 255 };
    case 'qint8': return { quantMin: -128, quantMax: 127 };
    case 'qint32': return { quantMin: -2147483648, quantMax: 2147483647 };
    default: throw new InvalidArgumentError(`Expected one of ${QUANT_DTYPES.join(', ')} for dtype but received ${describe(dtype)}`);
  }
}

/**
 * The 'u8' | 's8' | 's32' shorthand some callers use, mapped to PyTorch's names.
 * @throws {@link InvalidArgumentError} for a name that is none of quint8, qint8, qint32, u8, s8, s32.
 */
export function toQuantDType(name: QuantDType | 'u8' | 's8' | 's32'): QuantDType {
  const map: Record<string, QuantDType> = { u8: 'quint8', s8: 'qint8', s32: 'qint32', quint8: 'quint8', qint8: 'qint8', qint32: 'qint32' };
  const dtype = map[name as string];
  if (!dtype) throw new InvalidArgumentError(`Expected one of quint8, qint8, qint32, u8, s8, s32 for dtype but received ${describe(name)}`);
  return dtype;
}
