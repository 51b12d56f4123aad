/** The plain objects of ./types -> ModelProto bytes, with large initializers optionally in an external data file. */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { invalid } from '../errors';
import { byDType } from './dtypes';
import {
  AttributeProto_AttributeType as A, AttributeProtoSchema, GraphProtoSchema, ModelProtoSchema, TensorProtoSchema, TypeProtoSchema,
  type AttributeProto, type GraphProto, type TypeProto,
} from './gen/onnx_pb';
import { encodeTensor, type ExternalWriter } from './tensor';
import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxType, OnnxValueInfo } from './types';

/** Options of {@link writeModel}. */
export interface WriteModelOptions {
  /** Tensors (initializers, attribute tensors) of at least this many bytes go to the external data file (needs `path`). */
  externalDataThreshold?: number;
  /** Writes the model here; the external data file, if any, goes next to it. */
  path?: string;
  /** External data file name, relative to the model's directory; default `<model file name>.data`. */
  externalDataFile?: string;
}

const utf8 = new TextEncoder();
/** Offsets in the external file are multiples of this, so tensors read back as views (and mmap-friendly). */
const EXTERNAL_ALIGN = 64;

function int64(v: number | bigint, where: string): bigint {
  if (typeof v === 'bigint' ? BigInt.asIntN(64, v) !== v : !Number.isSafeInteger(v)) throw invalid(where, 'int64 values (safe integers or bigint)', v);
  return BigInt(v);
}

function attribute(name: string, a: OnnxAttribute, at: string, ext: ExternalWriter | null): AttributeProto {
  if (a.type === 'other') return a.value;
  const init: MessageInitShape<typeof AttributeProtoSchema> = { name };
  const where = `attribute '${name}' of ${at}`;
  switch (a.type) {
    case 'float': init.type = A.FLOAT; init.f = a.value; break;
    case 'int': init.type = A.INT; init.i = int64(a.value, where); break;
    case 'string': init.type = A.STRING; init.s = utf8.encode(a.value); break;
    case 'tensor': init.type = A.TENSOR; init.t = encodeTensor(a.value, where, ext); break;
    case 'graph': init.type = A.GRAPH; init.g = graph(a.value, ` in ${where}`, ext); break;
    case 'floats': init.type = A.FLOATS; init.floats = a.value; break;
    case 'ints': init.type = A.INTS; init.ints = a.value.map((v) => int64(v, where)); break;
    case 'strings': init.type = A.STRINGS; init.strings = a.value.map((s) => utf8.encode(s)); break;
    case 'tensors': init.type = A.TENSORS; init.tensors = a.value.map((t, i) => encodeTensor(t, `tensor ${i} of ${where}`, ext)); break;
    case 'graphs': init.type = A.GRAPHS; init.graphs = a.value.map((g, i) => graph(g, ` (${i}) in ${where}`, ext)); break;
    default: throw invalid(`type of ${where}`, 'an ONNX attribute type', (a as { type: unknown }).type);
  }
  return create(AttributeProtoSchema, init);
}

function type(t: OnnxType): TypeProto {
  if (t.kind === 'other') return t.proto;
  const dims = t.shape?.map((d) => ({ value: d === null ? { case: undefined } : typeof d === 'number' ? { case: 'dimValue' as const, value: BigInt(d) } : { case: 'dimParam' as const, value: d } }));
  const elemType = t.dtype === 'unknown' ? t.dataType : byDType.get(t.dtype)?.code;
  if (elemType === undefined) throw invalid(`the dtype of a value type`, 'an ONNX dtype, or dataType with dtype unknown', t.dtype);
  return create(TypeProtoSchema, { value: { case: 'tensorType', value: { elemType, shape: dims ? { dim: dims } : undefined } } });
}

const valueInfo = (v: OnnxValueInfo) => ({ name: v.name, type: v.type ? type(v.type) : undefined, docString: v.docString });

function graph(g: OnnxGraph, where: string, ext: ExternalWriter | null): GraphProto {
  const at = `graph '${g.name}'${where}`;
  return create(GraphProtoSchema, {
    name: g.name,
    docString: g.docString,
    node: g.nodes.map((n, i) => ({
      opType: n.opType, domain: n.domain, name: n.name, input: n.inputs, output: n.outputs, docString: n.docString,
      attribute: Object.entries(n.attributes).map(([k, a]) => attribute(k, a, `node ${i} ('${n.name}', ${n.opType}) of ${at}`, ext)),
    })),
    initializer: g.initializers.map((t) => encodeTensor(t, `initializer '${t.name}' of ${at}`, ext)),
    input: g.inputs.map(valueInfo),
    output: g.outputs.map(valueInfo),
    valueInfo: g.valueInfo.map(valueInfo),
    sparseInitializer: g.sparseInitializers,
    quantizationAnnotation: g.quantizationAnnotation,
  });
}

/** A varint in exactly `width` bytes: overlong encodings are valid protobuf and let lengths be written before they are known. */
function varint(n: number, width = 0): number[] {
  const out: number[] = [];
  for (; n >= 0x80 || out.length + 1 < width; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return out;
}

// Wire tags (field number << 3 | wire type).
const MODEL_GRAPH = (7 << 3) | 2, GRAPH_INITIALIZER = (5 << 3) | 2, TENSOR_DATA_TYPE = 2 << 3, TENSOR_RAW_DATA = (9 << 3) | 2;
/** Protobuf's C++ parser reads sizes of at most 5 bytes, so fixed-width sizes use 5 (up to 32 GB, beyond protobuf's 2 GB). */
const SIZE_WIDTH = 5;
/** raw_data offsets in the file are multiples of this, so tensors read back as views (SIMD-friendly too). */
const RAW_ALIGN = 16;

/**
 * Padding of `n` bytes (0 or 2..) made of repeated data_type fields carrying the tensor's own data type:
 * for a scalar field the last occurrence wins, so every reader sees the same tensor; each field is a tag
 * plus an overlong varint of 1..10 bytes.
 */
function padding(n: number, dataType: number): number[] {
  const out: number[] = [];
  while (n > 0) {
    const size = n <= 11 ? n : n - 11 >= 2 ? 11 : n - 2;
    out.push(TENSOR_DATA_TYPE, ...varint(dataType, size - 1));
    n -= size;
  }
  return out;
}

/**
 * The ModelProto bytes with the main graph's raw_data copied once: protobuf-es copies a nested bytes field
 * at every enclosing message (about 10 ms per MB here), so the initializers are spliced in by hand, each
 * raw_data at a 16-byte-aligned file offset. Protobuf allows fields in any order; initializers keep theirs.
 */
function encodeModel(proto: ReturnType<typeof create<typeof ModelProtoSchema>>, top: GraphProto): Uint8Array {
  const initializers = top.initializer;
  top.initializer = [];
  const parts: Uint8Array[] = [toBinary(ModelProtoSchema, proto), new Uint8Array(0), toBinary(GraphProtoSchema, top)];
  let pos = parts[0].length + 1 + SIZE_WIDTH + parts[2].length;
  const graphStart = pos - parts[2].length;
  for (const t of initializers) {
    const raw = t.rawData;
    t.rawData = new Uint8Array(0);
    const rest = toBinary(TensorProtoSchema, t);
    const rawHeader = raw.length ? [TENSOR_RAW_DATA, ...varint(raw.length)] : [];
    const unpadded = pos + 1 + SIZE_WIDTH + rest.length + rawHeader.length;
    // The padding varint must fit one byte when minimal: real data types do; a foreign code goes unaligned.
    let pad = raw.length && t.dataType >= 0 && t.dataType < 0x80 ? (RAW_ALIGN - (unpadded % RAW_ALIGN)) % RAW_ALIGN : 0;
    if (pad === 1) pad += RAW_ALIGN;
    const tensorLength = pad + rest.length + rawHeader.length + raw.length;
    parts.push(Uint8Array.from([GRAPH_INITIALIZER, ...varint(tensorLength, SIZE_WIDTH), ...padding(pad, t.dataType)]), rest, Uint8Array.from(rawHeader), raw);
    pos += 1 + SIZE_WIDTH + tensorLength;
  }
  parts[1] = Uint8Array.from([MODEL_GRAPH, ...varint(pos - graphStart, SIZE_WIDTH)]);
  const out = new Uint8Array(pos);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Encodes a model as ONNX protobuf bytes; with `path`, also writes it (and its external data file).
 * Numeric tensors are stored in raw_data (little-endian), strings in string_data.
 *
 * @throws {@link InvalidArgumentError} when a tensor's data disagree with its dtype or dims, or when
 *   externalDataThreshold is given without path.
 * @example writeModel(model, { path: 'out.onnx', externalDataThreshold: 1024 }) // out.onnx + out.onnx.data
 */
export function writeModel(model: OnnxModel, options: WriteModelOptions = {}): Uint8Array {
  const { externalDataThreshold: threshold, path } = options;
  if (threshold !== undefined && (!path || !(threshold >= 0))) throw invalid('externalDataThreshold', 'a non-negative number together with path', threshold);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const location = options.externalDataFile ?? (path ? `${basename(path)}.data` : '');
  const ext: ExternalWriter | null = threshold === undefined ? null : (bytes) => {
    if (bytes.byteLength < threshold) return null;
    const pad = (EXTERNAL_ALIGN - (size % EXTERNAL_ALIGN)) % EXTERNAL_ALIGN;
    if (pad) chunks.push(new Uint8Array(pad));
    const offset = size + pad;
    chunks.push(bytes);
    size = offset + bytes.byteLength;
    return { location, offset, length: bytes.byteLength };
  };
  const top = graph(model.graph, '', ext);
  const proto = create(ModelProtoSchema, {
    irVersion: BigInt(model.irVersion),
    opsetImport: model.opsetImports.map((o) => ({ domain: o.domain, version: BigInt(o.version) })),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    domain: model.domain,
    modelVersion: BigInt(model.modelVersion),
    docString: model.docString,
    metadataProps: model.metadataProps.map(([key, value]) => ({ key, value })),
    functions: model.functions,
    trainingInfo: model.trainingInfo,
  });
  const bytes = encodeModel(proto, top);
  if (path) {
    writeFileSync(path, bytes);
    if (chunks.length) writeFileSync(join(dirname(path), location), Buffer.concat(chunks));
  }
  return bytes;
}
