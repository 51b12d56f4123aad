import type { OnnxDType } from './types';

type ArrayCtor =
  | Float32ArrayConstructor | Float64ArrayConstructor | Uint8ArrayConstructor | Int8ArrayConstructor
  | Uint16ArrayConstructor | Int16ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor
  | BigInt64ArrayConstructor | BigUint64ArrayConstructor;

/** Which repeated field of TensorProto carries the values when raw_data is absent (from onnx.proto). */
export type TypedField = 'floatData' | 'int32Data' | 'stringData' | 'int64Data' | 'doubleData' | 'uint64Data';

export interface DTypeInfo {
  dtype: OnnxDType;
  code: number;
  /** null for strings, which have no fixed-size representation. */
  array: ArrayCtor | null;
  field: TypedField;
  /** Scalars per element: complex numbers are two. */
  lanes: number;
}

const table: DTypeInfo[] = [
  { dtype: 'float32', code: 1, array: Float32Array, field: 'floatData', lanes: 1 },
  { dtype: 'uint8', code: 2, array: Uint8Array, field: 'int32Data', lanes: 1 },
  { dtype: 'int8', code: 3, array: Int8Array, field: 'int32Data', lanes: 1 },
  { dtype: 'uint16', code: 4, array: Uint16Array, field: 'int32Data', lanes: 1 },
  { dtype: 'int16', code: 5, array: Int16Array, field: 'int32Data', lanes: 1 },
  { dtype: 'int32', code: 6, array: Int32Array, field: 'int32Data', lanes: 1 },
  { dtype: 'int64', code: 7, array: BigInt64Array, field: 'int64Data', lanes: 1 },
  { dtype: 'string', code: 8, array: null, field: 'stringData', lanes: 1 },
  { dtype: 'bool', code: 9, array: Uint8Array, field: 'int32Data', lanes: 1 },
  { dtype: 'float16', code: 10, array: Uint16Array, field: 'int32Data', lanes: 1 },
  { dtype: 'float64', code: 11, array: Float64Array, field: 'doubleData', lanes: 1 },
  { dtype: 'uint32', code: 12, array: Uint32Array, field: 'uint64Data', lanes: 1 },
  { dtype: 'uint64', code: 13, array: BigUint64Array, field: 'uint64Data', lanes: 1 },
  { dtype: 'complex64', code: 14, array: Float32Array, field: 'floatData', lanes: 2 },
  { dtype: 'complex128', code: 15, array: Float64Array, field: 'doubleData', lanes: 2 },
  { dtype: 'bfloat16', code: 16, array: Uint16Array, field: 'int32Data', lanes: 1 },
];

export const byCode = new Map(table.map((d) => [d.code, d]));
export const byDType = new Map(table.map((d) => [d.dtype, d]));
