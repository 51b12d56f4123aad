/**
 * The plan: the one format TypeScript hands to a backend. A flat list of values (typed, shaped,
 * constants carry their data) and ops in execution order that read and write values by id.
 * Native and WASM backends decode the same binary encoding (src/plan/encode.ts) with the same C++,
 * which also checks each op's rules (native/plan/op-*.cc).
 *
 * Ops are ONNX operators with static shapes, named and attributed as in ONNX, plus int8kit's own:
 * - `Gemm`: float32 Y[M,N] = clamp(A[M,K] x B[K,N] + bias[N], min, max); B and bias constant.
 * - `QGemm`: uint8 Y[M,N] from uint8 A[M,K] and int8 B[K,N] (zero point 0), int32 bias[N]:
 *   y = clamp(round_half_even((sum_k (a - a_zero_point) b + bias) * a_scale * b_scale[n] / y_scale)
 *   + y_zero_point, y_min, y_max); b_scale has 1 (per tensor) or N (per channel) entries.
 */

/** Element types a plan value can have. */
export type DType = 'float32' | 'uint8' | 'int8' | 'int32' | 'int64' | 'bool';

/** The typed array that holds each dtype (bool: one byte per element, 0 or 1). */
export interface TypedArrayOf {
  float32: Float32Array;
  uint8: Uint8Array;
  int8: Int8Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}
export type PlanTypedArray = TypedArrayOf[DType];

type ArrayClass = { new (n: number): PlanTypedArray; new (b: ArrayBuffer): PlanTypedArray; readonly name: string };

/** ONNX TensorProto codes, element sizes and array classes. */
export const DTYPES: Record<DType, { code: number; bytes: number; array: ArrayClass }> = {
  float32: { code: 1, bytes: 4, array: Float32Array },
  uint8: { code: 2, bytes: 1, array: Uint8Array },
  int8: { code: 3, bytes: 1, array: Int8Array },
  int32: { code: 6, bytes: 4, array: Int32Array },
  int64: { code: 7, bytes: 8, array: BigInt64Array as unknown as ArrayClass },
  bool: { code: 9, bytes: 1, array: Uint8Array },
};

export interface PlanValue {
  dtype: DType;
  shape: readonly number[];
  /** Constants (weights, bias, folded shapes) carry their data; inputs and computed values do not. */
  data?: PlanTypedArray;
}

/**
 * An attribute: integers encode as int64, other numbers (and Float32Array) as float32, strings as
 * strings. Ops accept an integer where they expect a float.
 */
export type AttrValue = number | readonly number[] | Float32Array | string;

export interface PlanOp {
  /** The op type: an ONNX operator name or one of int8kit's (`Gemm`, `QGemm`, ...). */
  op: string;
  /** Value ids; `null` for an absent optional input. */
  inputs: readonly (number | null)[];
  outputs: readonly number[];
  attrs?: Readonly<Record<string, AttrValue>>;
}

export interface Plan {
  values: readonly PlanValue[];
  ops: readonly PlanOp[];
  /** Value ids fed by the caller, in run() order. */
  inputs: readonly number[];
  /** Value ids returned by run(), in order. */
  outputs: readonly number[];
}
