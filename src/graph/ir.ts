/**
 * The graph IR: what an ONNX model becomes after reading, what passes rewrite, and what lowering
 * turns into a plan. Values are named (ONNX style); a node input of '' is an absent optional input.
 */
import type { DType, PlanTypedArray } from '../plan/types';

/** A dimension: a number, a symbolic name (dynamic, e.g. "batch"), or null when unknown. */
export type Dim = number | string | null;

/** The type of a graph value. */
export interface ValueType {
  /** Element type. */
  dtype: DType;
  /** Undefined when the rank is unknown. */
  shape?: Dim[];
}

/** A constant tensor (initializer, Constant node value, folded value). */
export interface TensorData {
  /** Element type. */
  dtype: DType;
  /** Dims, outermost first. */
  dims: number[];
  /** Elements in row-major order. */
  data: PlanTypedArray;
}

/** A node attribute: numbers, strings, their lists, a tensor, or a subgraph. */
export type AttrValue = number | string | number[] | string[] | TensorData | Graph;

/** An operator node. */
export interface Node {
  /** The node's name (unique in the graph after reading). */
  name: string;
  /** The operator, e.g. `Conv`. */
  opType: string;
  /** '' or 'ai.onnx' for standard operators. */
  domain: string;
  /** Input value names; '' is an absent optional input. */
  inputs: string[];
  /** Output value names. */
  outputs: string[];
  /** Attributes by ONNX name. */
  attrs: Record<string, AttrValue>;
  /** Attributes that are floats in ONNX even when their values are integers (set when read from ONNX). */
  floatAttrs?: string[];
}

/** A model's graph, as {@link graphFromOnnx} returns it; passes rewrite it in place. */
export interface Graph {
  /** Nodes in execution order. */
  nodes: Node[];
  /** Inputs the caller feeds (initializers excluded). */
  inputs: {
    /** The input's name. */
    name: string;
    /** Its dtype and (possibly symbolic) shape. */
    type: ValueType;
  }[];
  /** Outputs returned by a run. */
  outputs: {
    /** The output's name. */
    name: string;
    /** Its type, when the model states it. */
    type?: ValueType;
  }[];
  /** Constants by value name. */
  initializers: Map<string, TensorData>;
  /** Types of intermediate values, when the model states them. */
  valueInfo: Map<string, ValueType>;
  /** Opset version of the default domain. */
  opset: number;
}

/** A value whose dtype and shape are fully known, for one set of input shapes. */
export interface StaticType {
  dtype: DType;
  shape: number[];
}
