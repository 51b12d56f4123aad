// Reads one ONNX node conformance case (libonnx-testdata: model.onnx + test_data_set_0/*.pb) with
// a minimal protobuf decoder: just the fields a single-node model and its tensors use.
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DType, PlanTypedArray } from '../../src';

type Field = { no: number; wire: number; v: bigint; bytes?: Uint8Array };

function* fields(b: Uint8Array): Generator<Field> {
  let p = 0;
  const varint = () => {
    let r = 0n, s = 0n;
    for (;;) {
      const x = b[p++];
      r |= BigInt(x & 0x7f) << s;
      s += 7n;
      if (!(x & 0x80)) return r;
    }
  };
  while (p < b.length) {
    const key = Number(varint()), no = key >>> 3, wire = key & 7;
    if (wire === 0) yield { no, wire, v: varint() };
    else if (wire === 2) {
      const n = Number(varint());
      yield { no, wire, v: 0n, bytes: b.subarray(p, p + n) };
      p += n;
    } else if (wire === 5) {
      yield { no, wire, v: 0n, bytes: b.subarray(p, p + 4) };
      p += 4;
    } else if (wire === 1) {
      yield { no, wire, v: 0n, bytes: b.subarray(p, p + 8) };
      p += 8;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const f32 = (b: Uint8Array) => new Float32Array(Uint8Array.from(b).buffer);
const varints = (f: Field): bigint[] => (f.wire === 0 ? [f.v] : packed(f.bytes!));
function packed(b: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let p = 0;
  while (p < b.length) {
    let r = 0n, s = 0n;
    for (;;) {
      const x = b[p++];
      r |= BigInt(x & 0x7f) << s;
      s += 7n;
      if (!(x & 0x80)) break;
    }
    out.push(r);
  }
  return out;
}

const DT: Record<number, DType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool' };

export interface OnnxTensor { name: string; dtype: DType | null; shape: number[]; data: PlanTypedArray | null }

export function readTensor(b: Uint8Array): OnnxTensor {
  let name = '', code = 0, raw: Uint8Array | null = null;
  const shape: number[] = [], floats: number[] = [], ints: bigint[] = [];
  for (const f of fields(b)) {
    if (f.no === 1) shape.push(...varints(f).map(Number));
    else if (f.no === 2) code = Number(f.v);
    else if (f.no === 8) name = text(f.bytes!);
    else if (f.no === 9) raw = f.bytes!;
    else if (f.no === 4) floats.push(...(f.wire === 5 ? f32(f.bytes!) : f32(f.bytes!)));
    else if (f.no === 5 || f.no === 7) ints.push(...varints(f));
  }
  const dtype = DT[code] ?? null;
  if (!dtype) return { name, dtype, shape, data: null };
  const n = shape.reduce((a, c) => a * c, 1);
  let data: PlanTypedArray;
  if (raw) {
    const copy = Uint8Array.from(raw).buffer;
    data = dtype === 'float32' ? new Float32Array(copy) : dtype === 'int32' ? new Int32Array(copy) : dtype === 'int64' ? new BigInt64Array(copy) : dtype === 'int8' ? new Int8Array(copy) : new Uint8Array(copy);
  } else if (dtype === 'float32') data = Float32Array.from(floats);
  else if (dtype === 'int64') data = BigInt64Array.from(ints.map((v) => BigInt.asIntN(64, v)));
  else if (dtype === 'int32') data = Int32Array.from(ints.map((v) => Number(BigInt.asIntN(32, v))));
  else if (dtype === 'int8') data = Int8Array.from(ints.map((v) => Number(BigInt.asIntN(8, v))));
  else data = Uint8Array.from(ints.map(Number));
  // Sequences, optionals and strings are not TensorProtos of a plan dtype.
  if (data.length !== n) return { name, dtype: null, shape, data: null };
  return { name, dtype, shape, data };
}

export interface OnnxNodeCase {
  op: string;
  opset: number;
  inputs: (string | null)[];
  outputs: string[];
  attrs: Record<string, number | number[] | string>;
  initializers: OnnxTensor[];
  graphInputs: string[];
  feeds: OnnxTensor[];     // test_data_set_0 inputs, in graph input order
  expected: OnnxTensor[];  // outputs, in graph output order
}

/** null unless the model is one node whose op `want` accepts. */
export function readNodeCase(dir: string, want: (op: string) => boolean): OnnxNodeCase | null {
  const model = readFileSync(join(dir, 'model.onnx'));
  let graph: Uint8Array | null = null, opset = 0;
  for (const f of fields(model)) {
    if (f.no === 7) graph = f.bytes!;
    if (f.no === 8) for (const g of fields(f.bytes!)) if (g.no === 2) opset = Math.max(opset, Number(g.v));
  }
  const nodes: Uint8Array[] = [], initializers: OnnxTensor[] = [], graphInputs: string[] = [];
  for (const f of fields(graph!)) {
    if (f.no === 1) nodes.push(f.bytes!);
    else if (f.no === 5) initializers.push(readTensor(f.bytes!));
    else if (f.no === 11) for (const g of fields(f.bytes!)) if (g.no === 1) graphInputs.push(text(g.bytes!));
  }
  if (nodes.length !== 1) return null;
  let op = '';
  const inputs: (string | null)[] = [], outputs: string[] = [], attrs: OnnxNodeCase['attrs'] = {};
  for (const f of fields(nodes[0])) {
    if (f.no === 1) inputs.push(text(f.bytes!) || null);
    else if (f.no === 2) outputs.push(text(f.bytes!));
    else if (f.no === 4) op = text(f.bytes!);
    else if (f.no === 5) {
      let name = '', type = 0, fv = 0, iv = 0n, s = '';
      const fl: number[] = [], il: bigint[] = [];
      for (const g of fields(f.bytes!)) {
        if (g.no === 1) name = text(g.bytes!);
        else if (g.no === 2) fv = f32(g.bytes!)[0];
        else if (g.no === 3) iv = BigInt.asIntN(64, g.v);
        else if (g.no === 4) s = text(g.bytes!);
        else if (g.no === 7) fl.push(...f32(g.bytes!));
        else if (g.no === 8) il.push(...varints(g).map((v) => BigInt.asIntN(64, v)));
        else if (g.no === 20) type = Number(g.v);
      }
      attrs[name] = type === 1 ? fv : type === 2 ? Number(iv) : type === 3 ? s : type === 6 ? fl : il.map(Number);
    }
  }
  const set = join(dir, 'test_data_set_0');
  if (!want(op) || !existsSync(set)) return null;
  const files = readdirSync(set);
  const load = (prefix: string) => files.filter((f) => f.startsWith(prefix)).sort((a, b) => parseInt(a.slice(prefix.length)) - parseInt(b.slice(prefix.length)))
    .map((f) => readTensor(readFileSync(join(set, f))));
  return { op, opset, inputs, outputs, attrs, initializers, graphInputs, feeds: load('input_'), expected: load('output_') };
}
