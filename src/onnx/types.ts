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
  /** The tensor's name ('' for attribute values). */
  name: string;
  /** Element type, or 'unknown' for a data type this library does not know. */
  dtype: OnnxDType | 'unknown';
  /** The ONNX TensorProto.DataType code, kept for dtype 'unknown'. */
  dataType?: number;
  /** Dims, outermost first. */
  dims: number[];
  /** The elements in row-major order. */
  data: OnnxTensorData;
  /** doc_string, when given. */
  docString?: string;
}

/** A dimension: a size, a symbolic name (dim_param), or null when neither is given. */
export type OnnxDim = number | string | null;

/**
 * A value's type: a tensor with element type and shape (null shape: rank unknown; `dataType` only for
 * dtype 'unknown'), or another ONNX type (sequence, map, optional, sparse) kept as its proto.
 */
export type OnnxType =
  | {
      /** A tensor type. */
      kind: 'tensor';
      /** Element type. */
      dtype: OnnxDType | 'unknown';
      /** The ONNX data type code, for dtype 'unknown'. */
      dataType?: number;
      /** Dims, or null when the rank is unknown. */
      shape: OnnxDim[] | null;
    }
  | {
      /** A sequence, map, optional or sparse type. */
      kind: 'other';
      /** The TypeProto as read. */
      proto: TypeProto;
    };

/** A graph input, output or value_info entry. `type` is null when the proto gives none. */
export interface OnnxValueInfo {
  /** The value's name. */
  name: string;
  /** Its type, or null when the proto gives none. */
  type: OnnxType | null;
  /** doc_string, when given. */
  docString?: string;
}

/**
 * Attribute values: `type` is the attribute kind and `value` its JavaScript value. Ints are numbers
 * when safe integers, else bigint. Other kinds (sparse tensors, type protos) keep their proto.
 */
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

/** A node of an ONNX graph. */
export interface OnnxNode {
  /** The operator, e.g. `Conv`. */
  opType: string;
  /** The operator set domain: '' (or ai.onnx) for standard ops, e.g. com.microsoft for contrib ops. */
  domain: string;
  /** The node's name (may be ''). */
  name: string;
  /** Names of input values; '' marks an omitted optional input. */
  inputs: string[];
  /** Names of output values. */
  outputs: string[];
  /** Attributes by name. */
  attributes: Record<string, OnnxAttribute>;
  /** doc_string, when given. */
  docString?: string;
}

/** An ONNX graph: the model's main graph or a subgraph attribute. */
export interface OnnxGraph {
  /** The graph's name. */
  name: string;
  /** Nodes in file order (ONNX requires topological order). */
  nodes: OnnxNode[];
  /** Constant tensors (weights). */
  initializers: OnnxTensor[];
  /** Graph inputs (may include initializers in older models). */
  inputs: OnnxValueInfo[];
  /** Graph outputs. */
  outputs: OnnxValueInfo[];
  /** Types of intermediate values, when the model records them. */
  valueInfo: OnnxValueInfo[];
  /** doc_string, when given. */
  docString?: string;
  /** Kept as protos: rarely used, carried through writeModel unchanged. */
  sparseInitializers?: SparseTensorProto[];
  /** Kept as protos, carried through writeModel unchanged. */
  quantizationAnnotation?: TensorAnnotation[];
}

/** One opset the model imports. */
export interface OnnxOpsetImport {
  /** '' for the standard ONNX domain. */
  domain: string;
  /** The opset version. */
  version: number;
}

/** A whole ONNX model (ModelProto), as {@link readModel} returns and {@link writeModel} takes. */
export interface OnnxModel {
  /** The ONNX IR version. */
  irVersion: number;
  /** The opsets the graph's nodes use. */
  opsetImports: OnnxOpsetImport[];
  /** The tool that wrote the model. */
  producerName: string;
  /** That tool's version. */
  producerVersion: string;
  /** The model's domain (reverse-DNS), often ''. */
  domain: string;
  /** The model's own version number. */
  modelVersion: number;
  /** doc_string, when given. */
  docString?: string;
  /** metadata_props as key/value pairs in file order. */
  metadataProps: [string, string][];
  /** The main graph. */
  graph: OnnxGraph;
  /** Kept as protos, carried through writeModel unchanged. */
  functions?: FunctionProto[];
  /** Kept as protos, carried through writeModel unchanged. */
  trainingInfo?: TrainingInfoProto[];
}
