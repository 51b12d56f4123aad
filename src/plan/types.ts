/**
 * The plan: the one format TypeScript hands to a backend. A flat list of values (typed, shaped,
 * constants carry their data) and ops in execution order that read and write values by id.
 * Native and WASM backends decode the same binary encoding (src/plan/encode.ts) with the same C++.
 */

/** Element types a plan value can have. */
export type DType = 'float32' | 'uint8' | 'int8' | 'int32';

/** The typed array that holds each dtype. */
export interface TypedArrayOf {
  float32: Float32Array;
  uint8: Uint8Array;
  int8: Int8Array;
  int32: Int32Array;
}
export type PlanTypedArray = TypedArrayOf[DType];

export const DTYPES: Record<DType, { code: number; bytes: number; array: new (n: number) => PlanTypedArray }> = {
  float32: { code: 1, bytes: 4, array: Float32Array },
  uint8: { code: 2, bytes: 1, array: Uint8Array },
  int8: { code: 3, bytes: 1, array: Int8Array },
  int32: { code: 6, bytes: 4, array: Int32Array },
};

export interface PlanValue {
  dtype: DType;
  shape: readonly number[];
  /** Constants (weights, bias) carry their data; inputs and computed values do not. */
  data?: PlanTypedArray;
}

/** Attribute kinds per op, used to encode and to check attributes. */
export type AttrKind = 'int' | 'float' | 'ints' | 'floats';

export interface OpSchema {
  /** Input roles in order; a trailing `?` marks an optional input. */
  inputs: readonly string[];
  outputs: readonly string[];
  attrs: Readonly<Record<string, AttrKind>>;
  required?: readonly string[];
}

/**
 * Ops the plan boundary supports. Semantics (checked again in C++ at plan creation):
 * - `Gemm`: float32 Y[M,N] = clamp(A[M,K] x B[K,N] + bias[N], min, max); B and bias constant.
 * - `QGemm`: uint8 Y[M,N] from uint8 A[M,K] and int8 B[K,N] (zero point 0), int32 bias[N]:
 *   y = clamp(round_half_even((sum_k (a - a_zero_point) b + bias) * a_scale * b_scale[n] / y_scale)
 *   + y_zero_point, y_min, y_max); b_scale has 1 (per tensor) or N (per channel) entries.
 */
export const OP_SCHEMAS = {
  Gemm: { inputs: ['A', 'B', 'bias?'], outputs: ['Y'], attrs: { min: 'float', max: 'float' } },
  QGemm: {
    inputs: ['A', 'B', 'bias?'],
    outputs: ['Y'],
    attrs: {
      a_scale: 'float',
      a_zero_point: 'int',
      b_scale: 'floats',
      y_scale: 'float',
      y_zero_point: 'int',
      y_min: 'int',
      y_max: 'int',
    },
    required: ['a_scale', 'b_scale', 'y_scale'],
  },
} as const satisfies Record<string, OpSchema>;

export type OpType = keyof typeof OP_SCHEMAS;

export type AttrValue = number | readonly number[] | Float32Array;

export interface PlanOp {
  op: OpType;
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
