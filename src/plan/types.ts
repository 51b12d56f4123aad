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
/** Any typed array a plan value can hold. */
export type PlanTypedArray = TypedArrayOf[DType];

type ArrayClass = { new (n: number): PlanTypedArray; new (b: ArrayBuffer): PlanTypedArray; readonly name: string };

/** ONNX TensorProto codes, element sizes and array classes. */
export const DTYPES: Record<DType, {
  /** The ONNX TensorProto.DataType code. */
  code: number;
  /** Bytes per element. */
  bytes: number;
  /** The typed array class holding it. */
  array: ArrayClass;
}> = {
  float32: { code: 1, bytes: 4, array: Float32Array },
  uint8: { code: 2, bytes: 1, array: Uint8Array },
  int8: { code: 3, bytes: 1, array: Int8Array },
  int32: { code: 6, bytes: 4, array: Int32Array },
  int64: { code: 7, bytes: 8, array: BigInt64Array as unknown as ArrayClass },
  bool: { code: 9, bytes: 1, array: Uint8Array },
};

/** One value of a plan: an input, a constant (with `data`) or an intermediate result. */
export interface PlanValue {
  /** Element type. */
  dtype: DType;
  /** Static dims (at most 8). */
  shape: readonly number[];
  /** Constants (weights, bias, folded shapes) carry their data; inputs and computed values do not. */
  data?: PlanTypedArray;
}

/**
 * An attribute: integers encode as int64, other numbers (and Float32Array) as float32, strings as
 * strings. Ops accept an integer where they expect a float.
 */
export type AttrValue = number | readonly number[] | Float32Array | string;

/** One op of a plan, run in list order. */
export interface PlanOp {
  /** The op type: an ONNX operator name or one of int8kit's (`Gemm`, `QGemm`, ...). */
  op: string;
  /** Value ids; `null` for an absent optional input. */
  inputs: readonly (number | null)[];
  /** Value ids it writes. */
  outputs: readonly number[];
  /** Attributes by ONNX name. */
  attrs?: Readonly<Record<string, AttrValue>>;
}

/** A whole plan: what {@link PlanSession.create} takes. See {@link validatePlan} for its rules. */
export interface Plan {
  /** Every value, indexed by id. */
  values: readonly PlanValue[];
  /** The ops in execution order. */
  ops: readonly PlanOp[];
  /** Value ids fed by the caller, in run() order. */
  inputs: readonly number[];
  /** Value ids returned by run(), in order. */
  outputs: readonly number[];
}
