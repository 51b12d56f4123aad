/** ModelProto / TensorProto bytes -> the plain objects of ./types. */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, normalize, resolve, sep } from 'node:path';
import { fromBinary, isFieldSet, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { InvalidModelError, invalid } from '../errors';
import { byCode } from './dtypes';
import {
  AttributeProto_AttributeType as A, AttributeProtoSchema, ModelProtoSchema, TensorProtoSchema,
  type AttributeProto, type GraphProto, type NodeProto, type TypeProto, type ValueInfoProto,
} from './gen/onnx_pb';
import { decodeTensor, safeCount, type ExternalReader } from './tensor';
import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxType, OnnxValueInfo } from './types';

/** Options of {@link readModel} and {@link readTensor}. */
export interface ReadModelOptions {
  /** Directory external data locations are relative to; defaults to the model file's directory. */
  baseDir?: string;
}

function decode<D extends DescMessage>(schema: D, bytes: Uint8Array, what: string): MessageShape<D> {
  try {
    // protobuf-es stops at 100 nested messages by default; a subgraph level costs three (graph, node,
    // attribute), which would cap real If/Loop nesting at 33. 1000 keeps well inside the JS stack.
    return fromBinary(schema, bytes, { recursionLimit: 1000 });
  } catch (e) {
    // The decoder throws plain Errors (premature EOF, bad wire type, recursion limit, bad UTF-8).
    throw new InvalidModelError(`Expected a valid protobuf ${schema.name} in ${what} but received ${bytes.length} bytes that fail to decode: ${(e as Error).message}`);
  }
}

function readInput(input: Uint8Array | string, kind: string): { bytes: Uint8Array; what: string } {
  if (typeof input === 'string') {
    try {
      return { bytes: readFileSync(input), what: `'${input}'` };
    } catch (e) {
      throw new InvalidModelError(`Expected a readable ${kind} file at '${input}' but received ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (!(input instanceof Uint8Array)) throw invalid(`the ${kind}`, 'a Uint8Array or a file path', input);
  return { bytes: input, what: `the ${kind} bytes` };
}

/** External data files are read once per model, each whole, so tensors are views into them. */
function externalReader(baseDir: string): ExternalReader {
  const files = new Map<string, Uint8Array>();
  return (location, offset, length, where) => {
    const rel = normalize(location);
    if (isAbsolute(rel) || rel === '..' || rel.startsWith('..' + sep)) {
      throw new InvalidModelError(`Expected an external data location inside the model directory for ${where} but received '${location}'`);
    }
    const file = resolve(baseDir, rel);
    let bytes = files.get(file);
    if (!bytes) {
      try {
        if (!statSync(file).isFile()) throw Object.assign(new Error(), { code: 'not a regular file' });
        bytes = readFileSync(file);
        // Small reads come from Node's shared pool at any offset; writeModel's 64-byte offsets only help from a fresh buffer.
        if (bytes.byteOffset % 64 !== 0) bytes = new Uint8Array(bytes);
      } catch (e) {
        throw new InvalidModelError(`Expected external data file '${location}' (${file}) for ${where} but received ${(e as NodeJS.ErrnoException).code ?? 'an unreadable file'}`);
      }
      files.set(file, bytes);
    }
    const end = length === null ? bytes.length : offset + length;
    if (offset > bytes.length || end > bytes.length) {
      throw new InvalidModelError(`Expected offset ${offset} and length ${length ?? 'to end'} within external data file '${location}' of ${bytes.length} bytes for ${where} but they exceed it`);
    }
    return bytes.subarray(offset, end);
  };
}

function toNumber(v: bigint, what: string): number {
  if (v < BigInt(Number.MIN_SAFE_INTEGER) || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidModelError(`Expected a safe integer for ${what} but received ${v}`);
  return Number(v);
}

const intValue = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

class Reader {
  private readonly utf8 = new TextDecoder();
  constructor(private readonly readExternal: ExternalReader | null) {}

  graph(g: GraphProto, where: string): OnnxGraph {
    const at = `graph '${g.name}'${where}`;
    const out: OnnxGraph = {
      name: g.name,
      nodes: g.node.map((n, i) => this.node(n, i, at)),
      initializers: g.initializer.map((t) => this.tensor(t, `initializer '${t.name}' of ${at}`)),
      inputs: g.input.map((v) => this.valueInfo(v, `input '${v.name}' of ${at}`)),
      outputs: g.output.map((v) => this.valueInfo(v, `output '${v.name}' of ${at}`)),
      valueInfo: g.valueInfo.map((v) => this.valueInfo(v, `value_info '${v.name}' of ${at}`)),
    };
    if (g.docString) out.docString = g.docString;
    if (g.sparseInitializer.length) out.sparseInitializers = g.sparseInitializer;
    if (g.quantizationAnnotation.length) out.quantizationAnnotation = g.quantizationAnnotation;
    return out;
  }

  tensor(t: Parameters<typeof decodeTensor>[0], where: string): OnnxTensor {
    return decodeTensor(t, where, this.readExternal);
  }

  private node(n: NodeProto, index: number, graph: string): OnnxNode {
    const at = `node ${index} ('${n.name}', ${n.opType}) of ${graph}`;
    const attributes: Record<string, OnnxAttribute> = Object.create(null);
    for (const a of n.attribute) {
      if (Object.hasOwn(attributes, a.name)) throw new InvalidModelError(`Expected unique attribute names in ${at} but received '${a.name}' twice`);
      attributes[a.name] = this.attribute(a, `attribute '${a.name}' of ${at}`);
    }
    const out: OnnxNode = { opType: n.opType, domain: n.domain, name: n.name, inputs: n.input, outputs: n.output, attributes };
    if (n.docString) out.docString = n.docString;
    return out;
  }

  private attribute(a: AttributeProto, at: string): OnnxAttribute {
    switch (a.refAttrName ? A.UNDEFINED : a.type || inferType(a)) {
      case A.FLOAT: return { type: 'float', value: a.f };
      case A.INT: return { type: 'int', value: intValue(a.i) };
      case A.STRING: return { type: 'string', value: this.utf8.decode(a.s) };
      case A.TENSOR: return { type: 'tensor', value: this.tensor(a.t ?? missing(at, 't'), at) };
      case A.GRAPH: return { type: 'graph', value: this.graph(a.g ?? missing(at, 'g'), ` in ${at}`) };
      case A.FLOATS: return { type: 'floats', value: a.floats };
      case A.INTS: return { type: 'ints', value: a.ints.map(intValue) };
      case A.STRINGS: return { type: 'strings', value: a.strings.map((s) => this.utf8.decode(s)) };
      case A.TENSORS: return { type: 'tensors', value: a.tensors.map((t, i) => this.tensor(t, `tensor ${i} of ${at}`)) };
      case A.GRAPHS: return { type: 'graphs', value: a.graphs.map((g, i) => this.graph(g, ` (${i}) in ${at}`)) };
      default: return { type: 'other', value: a };
    }
  }

  private valueInfo(v: ValueInfoProto, at: string): OnnxValueInfo {
    const out: OnnxValueInfo = { name: v.name, type: v.type ? typeOf(v.type, at) : null };
    if (v.docString) out.docString = v.docString;
    return out;
  }
}

function missing(at: string, field: string): never {
  throw new InvalidModelError(`Expected field '${field}' to be set for ${at} but received none`);
}

/** IR versions before 0.0.2 (and some exporters) leave `type` unset; the populated field says which it is. */
function inferType(a: AttributeProto): A {
  if (a.floats.length) return A.FLOATS;
  if (a.ints.length) return A.INTS;
  if (a.strings.length) return A.STRINGS;
  if (a.tensors.length) return A.TENSORS;
  if (a.graphs.length) return A.GRAPHS;
  if (isFieldSet(a, AttributeProtoSchema.field.f)) return A.FLOAT;
  if (isFieldSet(a, AttributeProtoSchema.field.i)) return A.INT;
  if (isFieldSet(a, AttributeProtoSchema.field.s)) return A.STRING;
  if (a.t) return A.TENSOR;
  if (a.g) return A.GRAPH;
  return A.UNDEFINED;
}

function typeOf(t: TypeProto, at: string): OnnxType {
  if (t.value.case !== 'tensorType' || t.denotation) return { kind: 'other', proto: t };
  const tt = t.value.value;
  const shape = tt.shape
    ? tt.shape.dim.map((d, i) => {
        if (d.value.case === 'dimValue') return safeCount(d.value.value, `shape dim ${i} of ${at}`);
        if (d.value.case === 'dimParam') return d.value.value;
        return null;
      })
    : null;
  // Denotations of dims are dropped: no consumer in int8kit reads them.
  const dtype = byCode.get(tt.elemType)?.dtype;
  return dtype ? { kind: 'tensor', dtype, shape } : { kind: 'tensor', dtype: 'unknown', dataType: tt.elemType, shape };
}

/**
 * Reads an ONNX model from bytes or a file path. Tensor data are views into the input bytes (or into the
 * external data files) wherever alignment allows, so a large model's weights are not copied.
 *
 * @throws {@link InvalidModelError} (code INVALID_MODEL) for unreadable files, protobuf that fails to decode, tensors
 *   whose data disagree with their dims, missing or out-of-range external data; the message names the tensor,
 *   node or graph and the rule.
 * @example const model = readModel('mobilenet.onnx'); model.graph.initializers[0].data // Float32Array
 */
export function readModel(input: Uint8Array | string, options: ReadModelOptions = {}): OnnxModel {
  const { bytes, what } = readInput(input, 'ONNX model');
  const m = decode(ModelProtoSchema, bytes, what);
  const baseDir = options.baseDir ?? (typeof input === 'string' ? dirname(input) : undefined);
  const reader = new Reader(baseDir === undefined ? null : externalReader(baseDir));
  if (!m.graph) throw new InvalidModelError(`Expected a graph in ${what} but received a ModelProto without one`);
  const out: OnnxModel = {
    irVersion: toNumber(m.irVersion, `ir_version of ${what}`),
    opsetImports: m.opsetImport.map((o) => ({ domain: o.domain, version: toNumber(o.version, `opset_import '${o.domain}' of ${what}`) })),
    producerName: m.producerName,
    producerVersion: m.producerVersion,
    domain: m.domain,
    modelVersion: toNumber(m.modelVersion, `model_version of ${what}`),
    metadataProps: m.metadataProps.map((p) => [p.key, p.value]),
    graph: reader.graph(m.graph, ` of ${what}`),
  };
  if (m.docString) out.docString = m.docString;
  if (m.functions.length) out.functions = m.functions;
  if (m.trainingInfo.length) out.trainingInfo = m.trainingInfo;
  return out;
}

/**
 * Reads a TensorProto file, such as the conformance data's test_data_set_N/input_N.pb.
 * @throws {@link InvalidModelError} as readModel does.
 */
export function readTensor(input: Uint8Array | string, options: ReadModelOptions = {}): OnnxTensor {
  const { bytes, what } = readInput(input, 'ONNX tensor');
  const t = decode(TensorProtoSchema, bytes, what);
  const baseDir = options.baseDir ?? (typeof input === 'string' ? dirname(input) : undefined);
  return decodeTensor(t, `tensor '${t.name}' in ${what}`, baseDir === undefined ? null : externalReader(baseDir));
}
