/**
 * The graph IR: what an ONNX model becomes after reading, what passes rewrite, and what lowering
 * turns into a plan. Values are named (ONNX style); a node input of '' is an absent optional input.
 */
import type { DType, PlanTypedArray } from '../plan/types';

/** A dimension: a number, a symbolic name (dynamic, e.g. "batch"), or null when unknown. */
export type Dim = number | string | null;

export interface ValueType {
  dtype: DType;
  /** Undefined when the rank is unknown. */
  shape?: Dim[];
}

/** A constant tensor (initializer, Constant node value, folded value). */
export interface TensorData {
  dtype: DType;
  dims: number[];
  data: PlanTypedArray;
}

export type AttrValue = number | string | number[] | string[] | TensorData | Graph;

export interface Node {
  name: string;
  opType: string;
  /** '' or 'ai.onnx' for standard operators. */
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** Attributes that are floats in ONNX even when their values are integers (set when read from ONNX). */
  floatAttrs?: string[];
}

export interface Graph {
  nodes: Node[];
  inputs: { name: string; type: ValueType }[];
  outputs: { name: string; type?: ValueType }[];
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
