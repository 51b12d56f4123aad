/** ONNX I/O: ModelProto and TensorProto files <-> plain TypeScript objects (see ./types). */
export { readModel, readTensor, type ReadModelOptions } from './read';
export { writeModel, type WriteModelOptions } from './write';
export type * from './types';
