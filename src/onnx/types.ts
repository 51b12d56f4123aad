/**
 * The plain model object that readModel returns and writeModel takes: ONNX's ModelProto with names in
 * camelCase, int64 fields as numbers (bigint only where a value is not a safe integer), attribute values
 * converted to JS values, and tensor data as typed arrays.
 */
import type { FunctionProto, SparseTensorProto, TensorAnnotation, TrainingInfoProto, TypeProto, AttributeProto } from './gen/onnx_pb';

/** Element types of ONNX tensors. float16 and bfloat16 hold raw bits; complex types hold (re, im) pairs. */
export type OnnxDType =
  | 'float32' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'int32' | 'int64' | 'string' | 'bool'
  | 'float16' | 'float64' | 'uint32' | 'uint64' | 'complex64' | 'complex128' | 'bfloat16';

/** The typed array each dtype's data comes in (bool: Uint8Array of 0/1; string: UTF-8 decoded). */
export type OnnxTensorData =
  | Float32Array | Float64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | string[];

/**
 * A tensor (initializer, attribute value or conformance .pb). `data` is a view into the bytes it was
 * read from when raw_data was aligned for its element type, else a copy. `dtype: 'unknown'` keeps a
 * data type this library does not know as raw bytes with its ONNX code in `dataType`.
 */
export interface OnnxTensor {
  name: string;
  dtype: OnnxDType | 'unknown';
  dataType?: number;
  dims: number[];
  data: OnnxTensorData;
  docString?: string;
}

/** A dimension: a size, a symbolic name (dim_param), or null when neither is given. */
export type OnnxDim = number | string | null;

/**
 * A value's type: a tensor with element type and shape (null shape: rank unknown; `dataType` only for
 * dtype 'unknown'), or another ONNX type (sequence, map, optional, sparse) kept as its proto.
 */
export type OnnxType =
  | { kind: 'tensor'; dtype: OnnxDType | 'unknown'; dataType?: number; shape: OnnxDim[] | null }
  | { kind: 'other'; proto: TypeProto };

/** A graph input, output or value_info entry. `type` is null when the proto gives none. */
export interface OnnxValueInfo {
  name: string;
  type: OnnxType | null;
  docString?: string;
}

/** Attribute values; ints are numbers when safe integers, else bigint. Other kinds keep their proto. */
export type OnnxAttribute =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number | bigint }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: OnnxTensor }
  | { type: 'graph'; value: OnnxGraph }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: (number | bigint)[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensors'; value: OnnxTensor[] }
  | { type: 'graphs'; value: OnnxGraph[] }
  | { type: 'other'; value: AttributeProto };

export interface OnnxNode {
  opType: string;
  domain: string;
  name: string;
  /** Names of input values; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
  docString?: string;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
  docString?: string;
  /** Kept as protos: rarely used, carried through writeModel unchanged. */
  sparseInitializers?: SparseTensorProto[];
  quantizationAnnotation?: TensorAnnotation[];
}

export interface OnnxOpsetImport {
  domain: string;
  version: number;
}

export interface OnnxModel {
  irVersion: number;
  opsetImports: OnnxOpsetImport[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString?: string;
  /** metadata_props as key/value pairs in file order. */
  metadataProps: [string, string][];
  graph: OnnxGraph;
  /** Kept as protos, carried through writeModel unchanged. */
  functions?: FunctionProto[];
  trainingInfo?: TrainingInfoProto[];
}
