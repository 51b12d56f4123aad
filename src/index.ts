/**
 * int8kit: INT8 quantization and fast quantized inference for Node.js.
 *
 * This entry exposes the plan boundary (the format every backend executes), the backend registry
 * and `info()`. Plans are flat lists of typed values and ops; `PlanSession.create(plan)` packs the
 * weights on the best backend (native SIMD addon, else WebAssembly) and `run()` executes off the
 * JavaScript thread. `readModel`/`writeModel` convert ONNX files to and from plain objects.
 */
export * from './errors';
export type { Plan, PlanOp, PlanValue, DType, AttrValue, PlanTypedArray } from './plan/types';
export { DTYPES } from './plan/types';
export { encodePlan } from './plan/encode';
export { validatePlan } from './plan/validate';
export { PlanSession, type PlanSessionOptions } from './runtime/plan-session';
export { info, version, type Info, type BackendReport } from './runtime/info';
export { readModel, readTensor, writeModel, type ReadModelOptions, type WriteModelOptions } from './onnx';
export type { OnnxModel, OnnxGraph, OnnxNode, OnnxTensor, OnnxTensorData, OnnxAttribute, OnnxValueInfo, OnnxType, OnnxDim, OnnxDType, OnnxOpsetImport } from './onnx';
export { registerBackend, resolveBackend, backendNames } from './backends/registry';
export type { Backend, BackendLoader, BackendPlan, BackendInfo, CreatePlanOptions, IsaStatus, OutputSpec, PlanMemory } from './backends/backend';
export { Tensor } from './runtime/tensor';
export { readNpy, writeNpy } from './io/npy';
export { Session, type SessionOptions, type ValueMetadata } from './runtime/session';
export type { Graph, Node, ValueType, TensorData, Dim } from './graph/ir';
export { optimize, removeIdentities, eliminateDeadNodes, foldBatchNorm, fuseActivations } from './graph/passes';
export { lowerQdq, type LowerQdqOptions, type LowerQdqReport, type Int8Family } from './graph/lower-qdq';
export { graphFromOnnx } from './graph/from-onnx';
export { graphToOnnx } from './graph/to-onnx';
export * from './quant';
export * from './report';
export { inspect, inspectReportDoc, formatInspect, SATURATION_NOTE, type InspectOptions, type InspectResult, type LayerReport, type Saturation } from './debug';
export * from './eval';
