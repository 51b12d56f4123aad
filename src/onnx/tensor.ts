/**
 * TensorProto <-> OnnxTensor. Reading trusts nothing: element counts come from dims and must agree with the
 * data before anything is allocated, so a corrupted dims field cannot trigger a huge allocation.
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { InvalidModelError, invalid } from '../errors';
import { byCode, byDType } from './dtypes';
import { TensorProto_DataLocation, TensorProtoSchema, type TensorProto } from './gen/onnx_pb';
import type { OnnxTensor, OnnxTensorData } from './types';

/** Resolves an external data reference to its bytes; throws InvalidModelError when it cannot. */
export type ExternalReader = (location: string, offset: number, length: number | null, where: string) => Uint8Array;

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

/** int64 -> number, or an InvalidModelError naming `what` when it is not a safe non-negative integer. */
export function safeCount(v: bigint, what: string): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidModelError(`Expected a non-negative safe integer for ${what} but received ${v}`);
  }
  return Number(v);
}

function elementCount(dims: bigint[], where: string): number {
  let n = 1;
  for (let i = 0; i < dims.length; i++) {
    n *= safeCount(dims[i], `dims[${i}] of ${where}`);
    if (n > Number.MAX_SAFE_INTEGER) throw new InvalidModelError(`Expected an element count below 2^53 for ${where} but received dims [${dims.join(', ')}]`);
  }
  return n;
}

/**
 * A typed array over `bytes` without a copy when the offset suits the element size; JS typed arrays
 * cannot be misaligned, so other offsets get a copy. Assumes a little-endian host, like every platform
 * int8kit builds for.
 */
function viewOrCopy(ctor: NonNullable<ReturnType<typeof byCode.get>>['array'] & object, bytes: Uint8Array, length: number) {
  const size = ctor.BYTES_PER_ELEMENT;
  if (bytes.byteOffset % size === 0) return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, length);
  // Not bytes.slice(): on a Node Buffer that is a view, not a copy.
  return new ctor(new Uint8Array(bytes).buffer, 0, length);
}

function externalBytes(t: TensorProto, where: string, readExternal: ExternalReader | null): Uint8Array {
  const entries = new Map(t.externalData.map((e) => [e.key, e.value]));
  const location = entries.get('location');
  if (!location) throw new InvalidModelError(`Expected a 'location' entry in external_data of ${where} but received keys [${[...entries.keys()].join(', ')}]`);
  const parse = (key: string): number | null => {
    const s = entries.get(key);
    if (s === undefined) return null;
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw new InvalidModelError(`Expected a non-negative integer for external_data '${key}' of ${where} but received '${s}'`);
    return Number(s);
  };
  if (!readExternal) throw new InvalidModelError(`Expected a model path or the baseDir option to load external data '${location}' of ${where} but received model bytes alone`);
  return readExternal(location, parse('offset') ?? 0, parse('length'), where);
}

/** Decodes a TensorProto; `where` names it in errors ("initializer 'w' of graph 'main'"). */
export function decodeTensor(t: TensorProto, where: string, readExternal: ExternalReader | null): OnnxTensor {
  const dims = t.dims.map((d, i) => safeCount(d, `dims[${i}] of ${where}`));
  const out: OnnxTensor = { name: t.name, dtype: 'unknown', dims, data: new Uint8Array(0) };
  if (t.docString) out.docString = t.docString;
  const external = t.dataLocation === TensorProto_DataLocation.EXTERNAL;
  const raw = external ? externalBytes(t, where, readExternal) : t.rawData;
  const info = byCode.get(t.dataType);
  if (!info) {
    out.dataType = t.dataType;
    // A plain Uint8Array even when the input is a Node Buffer, so results compare and serialise alike.
    out.data = new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
    return out;
  }
  out.dtype = info.dtype;
  const count = elementCount(t.dims, where) * info.lanes;
  const shape = `${info.dtype}, dims [${dims.join(', ')}]`;
  if (!info.array) {
    if (external || t.rawData.length > 0) throw new InvalidModelError(`Expected string_data for string ${where} but received raw_data`);
    if (t.stringData.length !== count) throw new InvalidModelError(`Expected ${count} string_data entries for ${where} (${shape}) but received ${t.stringData.length}`);
    out.data = t.stringData.map((b) => utf8.decode(b));
    return out;
  }
  if (external || raw.length > 0) {
    const bytes = count * info.array.BYTES_PER_ELEMENT;
    if (raw.length !== bytes) throw new InvalidModelError(`Expected ${bytes} bytes of ${external ? 'external data' : 'raw_data'} for ${where} (${shape}) but received ${raw.length}`);
    out.data = viewOrCopy(info.array, raw, count);
    return out;
  }
  const values = t[info.field] as ArrayLike<number | bigint>;
  if (values.length !== count) throw new InvalidModelError(`Expected ${count} values in ${fieldName[info.field]} for ${where} (${shape}) but received ${values.length}`);
  out.data = fromTyped(info.array, values);
  return out;
}

const fieldName = { floatData: 'float_data', int32Data: 'int32_data', stringData: 'string_data', int64Data: 'int64_data', doubleData: 'double_data', uint64Data: 'uint64_data' };

function fromTyped(ctor: NonNullable<ReturnType<typeof byCode.get>>['array'] & object, values: ArrayLike<number | bigint>): OnnxTensorData {
  const out = new ctor(values.length);
  const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // uint64_data carries uint32 tensors; int32_data carries the 16-bit float bit patterns.
    (out as unknown as (number | bigint)[])[i] = big ? BigInt(v) : typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}

/** Where writeModel puts large tensors: returns the external_data entries, or null to keep data inline. */
export type ExternalWriter = (bytes: Uint8Array) => { location: string; offset: number; length: number } | null;

/** OnnxTensor -> TensorProto, checking that the data agrees with dtype and dims. Numeric data goes to raw_data. */
export function encodeTensor(t: OnnxTensor, where: string, writeExternal: ExternalWriter | null): TensorProto {
  for (const d of t.dims) if (!Number.isSafeInteger(d) || d < 0) throw invalid(`dims of ${where}`, 'non-negative integers', d);
  const init: MessageInitShape<typeof TensorProtoSchema> = { name: t.name, dims: t.dims.map((d) => BigInt(d)) };
  if (t.docString) init.docString = t.docString;
  if (t.dtype === 'unknown') {
    if (!(t.data instanceof Uint8Array) || t.dataType === undefined) throw invalid(`data of ${where}`, 'a Uint8Array and a dataType code for dtype unknown', t.data);
    init.dataType = t.dataType;
    init.rawData = t.data;
    return create(TensorProtoSchema, init);
  }
  const info = byDType.get(t.dtype);
  if (!info) throw invalid(`dtype of ${where}`, 'an ONNX dtype', t.dtype);
  init.dataType = info.code;
  const count = t.dims.reduce((n, d) => n * d, info.lanes);
  if (!info.array) {
    if (!Array.isArray(t.data) || t.data.length !== count) throw invalid(`data of ${where}`, `an array of ${count} strings`, t.data);
    init.stringData = t.data.map((s) => utf8Encoder.encode(s));
    return create(TensorProtoSchema, init);
  }
  if (!(t.data instanceof info.array) || t.data.length !== count) throw invalid(`data of ${where}`, `a ${info.array.name} of length ${count}`, t.data);
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const ext = writeExternal?.(bytes) ?? null;
  if (ext) {
    init.dataLocation = TensorProto_DataLocation.EXTERNAL;
    init.externalData = [
      { key: 'location', value: ext.location },
      { key: 'offset', value: String(ext.offset) },
      { key: 'length', value: String(ext.length) },
    ];
  } else {
    init.rawData = bytes;
  }
  return create(TensorProtoSchema, init);
}
