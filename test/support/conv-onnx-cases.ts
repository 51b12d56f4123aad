// The ONNX conformance cases of the conv family from the Debian package libonnx-testdata
// (model.onnx + test_data_set_0/*.pb), turned into one-op plans. A minimal protobuf reader for the
// few ONNX messages involved (the ONNX reader proper is another module's job).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttrValue, Plan } from '../../src';

export const TESTDATA = '/usr/share/libonnx-testdata/data/node';

type Field = { no: number; wire: number; v: bigint | Uint8Array };

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = () => {
    let r = 0n, shift = 0n;
    for (;;) {
      const b = buf[i++];
      r |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return r;
    }
  };
  while (i < buf.length) {
    const tag = Number(varint()), no = tag >>> 3, wire = tag & 7;
    if (wire === 0) out.push({ no, wire, v: varint() });
    else if (wire === 2) { const n = Number(varint()); out.push({ no, wire, v: buf.subarray(i, i + n) }); i += n; }
    else if (wire === 5) { out.push({ no, wire, v: buf.slice(i, i + 4) }); i += 4; }
    else if (wire === 1) { out.push({ no, wire, v: buf.slice(i, i + 8) }); i += 8; }
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

const text = (v: Uint8Array) => new TextDecoder().decode(v);
const signed = (v: bigint) => Number(BigInt.asIntN(64, v));
const f32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);

/** Repeated int64 field, packed or not. */
function ints(fs: Field[], no: number): number[] {
  const r: number[] = [];
  for (const f of fs.filter((x) => x.no === no)) {
    if (f.wire === 0) r.push(signed(f.v as bigint));
    else for (const g of fields(packedAsVarints(f.v as Uint8Array))) r.push(signed(g.v as bigint));
  }
  return r;
}
// Re-tags a packed varint payload as a sequence of field-1 varints so fields() can read it.
function packedAsVarints(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  let start = true;
  for (const byte of b) {
    if (start) out.push(8);
    out.push(byte);
    start = !(byte & 0x80);
  }
  return Uint8Array.from(out);
}

export interface Tensor { dims: number[]; dtype: number; data: Float32Array }

export function readTensor(buf: Uint8Array): Tensor {
  const fs = fields(buf);
  const dims = ints(fs, 1), dtype = Number(fs.find((f) => f.no === 2)?.v ?? 0n);
  const n = dims.reduce((a, b) => a * b, 1);
  const raw = fs.find((f) => f.no === 9)?.v as Uint8Array | undefined;
  let data: Float32Array;
  if (raw) data = new Float32Array(Uint8Array.from(raw).buffer, 0, raw.length / 4);
  else {
    const vals: number[] = [];
    for (const f of fs.filter((x) => x.no === 4)) {
      if (f.wire === 5) vals.push(f32(f.v as Uint8Array));
      else { const b = f.v as Uint8Array; for (let j = 0; j < b.length; j += 4) vals.push(f32(b.subarray(j, j + 4))); }
    }
    data = Float32Array.from(vals);
  }
  if (dtype === 1 && data.length !== n) throw new Error('tensor size mismatch');
  return { dims, dtype, data };
}

function readAttr(buf: Uint8Array): [string, AttrValue] {
  const fs = fields(buf);
  const name = text(fs.find((f) => f.no === 1)!.v as Uint8Array), type = Number(fs.find((f) => f.no === 20)?.v ?? 0n);
  switch (type) {
    case 1: return [name, f32(fs.find((f) => f.no === 2)!.v as Uint8Array)];
    case 2: return [name, signed(fs.find((f) => f.no === 3)!.v as bigint)];
    case 3: return [name, text(fs.find((f) => f.no === 4)!.v as Uint8Array)];
    case 6: {
      const vals: number[] = [];
      for (const f of fs.filter((x) => x.no === 7)) {
        if (f.wire === 5) vals.push(f32(f.v as Uint8Array));
        else { const b = f.v as Uint8Array; for (let j = 0; j < b.length; j += 4) vals.push(f32(b.subarray(j, j + 4))); }
      }
      return [name, Float32Array.from(vals)];
    }
    case 7: return [name, ints(fs, 8)];
    default: throw new Error(`attribute ${name} of unsupported type ${type}`);
  }
}

export interface OnnxCase {
  name: string; op: string; plan: Plan; inputs: Float32Array[]; expected: Tensor[];
}

/**
 * The case as a one-op plan: the first graph input is fed at run time, the others become
 * constants (weights) unless `runtime` lists them. null when a tensor is not float32.
 */
export function loadCase(name: string, runtime: number[] = [0]): OnnxCase | null {
  const dir = join(TESTDATA, name);
  const model = fields(readFileSync(join(dir, 'model.onnx')));
  const graph = fields(model.find((f) => f.no === 7)!.v as Uint8Array);
  const node = fields(graph.find((f) => f.no === 1)!.v as Uint8Array);
  const inNames = graph.filter((f) => f.no === 11).map((f) => text(fields(f.v as Uint8Array).find((g) => g.no === 1)!.v as Uint8Array));
  const data = join(dir, 'test_data_set_0');
  const files = readdirSync(data);
  const tin = inNames.map((_, i) => readTensor(readFileSync(join(data, `input_${i}.pb`))));
  const tout = files.filter((f) => f.startsWith('output_')).sort().map((f) => readTensor(readFileSync(join(data, f))));
  if ([...tin, ...tout].some((t) => t.dtype !== 1)) return null;
  const nodeIn = node.filter((f) => f.no === 1).map((f) => text(f.v as Uint8Array));
  const nodeOut = node.filter((f) => f.no === 2).map((f) => text(f.v as Uint8Array));
  const op = text(node.find((f) => f.no === 4)!.v as Uint8Array);
  const attrs = Object.fromEntries(node.filter((f) => f.no === 5).map((f) => readAttr(f.v as Uint8Array)));
  const values: Plan['values'][number][] = tin.map((t, i) => (runtime.includes(i) ? { dtype: 'float32', shape: t.dims } : { dtype: 'float32', shape: t.dims, data: t.data }));
  const outIds = tout.map((t) => values.push({ dtype: 'float32', shape: t.dims }) - 1);
  const plan: Plan = {
    values,
    ops: [{ op, inputs: nodeIn.map((n) => (n === '' ? null : inNames.indexOf(n))), outputs: outIds.slice(0, nodeOut.length), attrs }],
    inputs: runtime, outputs: outIds,
  };
  return { name, op, plan, inputs: runtime.map((i) => tin[i].data), expected: tout };
}

export function listCases(pattern: RegExp): string[] {
  return existsSync(TESTDATA) ? readdirSync(TESTDATA).filter((n) => pattern.test(n)).sort() : [];
}
