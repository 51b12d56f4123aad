// The ONNX conformance cases of the layout ops (Debian's libonnx-testdata: model.onnx plus
// input/output protobufs) run as one-op plans on every backend. A minimal protobuf reader stands
// in for the ONNX loader; every graph input but the first becomes a constant, as the lowering
// folds shape-like inputs. Skipped when the package is not installed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DTYPES, PlanSession, type AttrValue, type DType, type Plan, type PlanTypedArray } from '../src';
import { backendIsas } from './support/backends';

const ROOT = '/usr/share/libonnx-testdata/data/node';
const OPS = /^test_(concat|split|slice|reshape|flatten|squeeze|unsqueeze|transpose|gather_[0-9n]|gather_2d|expand|constant_pad|edge_pad|reflect_pad|resize|tile|identity|shape|size)/;
// Outside this family's scope: cubic interpolation, tf_crop_and_resize, sequence and optional types.
const UNSUPPORTED = /cubic|tf_crop_and_resize|identity_opt|identity_sequence/;

// ---- protobuf wire format ---------------------------------------------------------------------

type Field = { no: number; wire: number; v: bigint | Uint8Array };

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let p = 0;
  const varint = () => {
    let x = 0n, shift = 0n;
    for (;;) {
      const b = buf[p++];
      x |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return x;
      shift += 7n;
    }
  };
  while (p < buf.length) {
    const key = Number(varint());
    const no = key >>> 3, wire = key & 7;
    if (wire === 0) out.push({ no, wire, v: varint() });
    else if (wire === 2) {
      const n = Number(varint());
      out.push({ no, wire, v: buf.subarray(p, p + n) });
      p += n;
    } else if (wire === 5) out.push({ no, wire, v: buf.slice(p, p + 4) }), (p += 4);
    else if (wire === 1) out.push({ no, wire, v: buf.slice(p, p + 8) }), (p += 8);
    else throw new Error(`wire type ${wire}`);
  }
  return out;
}

const text = (f: Field) => new TextDecoder().decode(f.v as Uint8Array);
const signed = (x: bigint) => BigInt.asIntN(64, x);

/** Repeated int64 (packed or not). */
function ints(fs: Field[], no: number): bigint[] {
  const out: bigint[] = [];
  for (const f of fs.filter((g) => g.no === no)) {
    if (f.wire === 0) out.push(signed(f.v as bigint));
    else {
      // Packed varints: reuse the field reader on a synthetic stream of keys would be clumsy; decode directly.
      const b = f.v as Uint8Array;
      let p = 0;
      while (p < b.length) {
        let x = 0n, shift = 0n;
        for (;;) {
          const c = b[p++];
          x |= BigInt(c & 0x7f) << shift;
          if (!(c & 0x80)) break;
          shift += 7n;
        }
        out.push(signed(x));
      }
    }
  }
  return out;
}

function floats(fs: Field[], no: number): number[] {
  const out: number[] = [];
  for (const f of fs.filter((g) => g.no === no)) {
    const b = f.v as Uint8Array;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i + 4 <= b.length; i += 4) out.push(dv.getFloat32(i, true));
  }
  return out;
}

const CODES: Record<number, DType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool' };

interface Tensor { name: string; dtype: DType; shape: number[]; data: PlanTypedArray }

function tensor(buf: Uint8Array): Tensor {
  const fs = fields(buf);
  const shape = ints(fs, 1).map(Number);
  const dtype = CODES[Number(fs.find((f) => f.no === 2)!.v)];
  if (!dtype) throw new Error('unsupported tensor dtype');
  const nameField = fs.find((f) => f.no === 8);
  const n = shape.reduce((a, b) => a * b, 1);
  const A = DTYPES[dtype].array;
  const raw = fs.find((f) => f.no === 9);
  let data: PlanTypedArray;
  if (raw) data = new A((raw.v as Uint8Array).slice().buffer);
  else if (dtype === 'float32') data = Float32Array.from(floats(fs, 4));
  else if (dtype === 'int64') data = BigInt64Array.from(ints(fs, 7));
  else data = A === Float32Array ? new A(0) : (() => { const a = new A(n); ints(fs, 5).forEach((v, i) => ((a as Uint8Array)[i] = Number(v))); return a; })();
  if (data.length !== n) throw new Error(`tensor of ${data.length} elements for shape [${shape}]`);
  return { name: nameField ? text(nameField) : '', dtype, shape, data };
}

interface Node { op: string; inputs: string[]; outputs: string[]; attrs: Record<string, AttrValue> }

function model(buf: Uint8Array): { node: Node; inputs: string[] } | null {
  const graph = fields(fields(buf).find((f) => f.no === 7)!.v as Uint8Array);
  const nodes = graph.filter((f) => f.no === 1);
  if (nodes.length !== 1) return null;  // a multi-node graph (needs the ONNX loader)
  const nf = fields(nodes[0].v as Uint8Array);
  const attrs: Record<string, AttrValue> = {};
  for (const a of nf.filter((f) => f.no === 5)) {
    const af = fields(a.v as Uint8Array);
    const name = text(af.find((f) => f.no === 1)!);
    const type = Number(af.find((f) => f.no === 20)?.v ?? 0n);
    if (type === 1) attrs[name] = floats(af, 2)[0];
    else if (type === 2) attrs[name] = Number(ints(af, 3)[0]);
    else if (type === 3) attrs[name] = text(af.find((f) => f.no === 4)!);
    else if (type === 6) attrs[name] = floats(af, 7);
    else if (type === 7) attrs[name] = ints(af, 8).map(Number);
    else throw new Error(`attribute ${name} of type ${type}`);
  }
  const inputs = graph.filter((f) => f.no === 11).map((f) => text(fields(f.v as Uint8Array).find((g) => g.no === 1)!));
  return {
    node: {
      op: text(nf.find((f) => f.no === 4)!),
      inputs: nf.filter((f) => f.no === 1).map(text),
      outputs: nf.filter((f) => f.no === 2).map(text),
      attrs,
    },
    inputs,
  };
}

// A plain Uint8Array: a Buffer's slice() would share the file pool instead of copying.
const read = (path: string) => new Uint8Array(readFileSync(path));

interface Conformance { name: string; plan: Plan; feeds: PlanTypedArray[]; expected: Tensor[]; linear: boolean }

function load(dir: string): Conformance | null {
  const m = model(read(join(ROOT, dir, 'model.onnx')));
  if (!m) return null;
  const { node, inputs } = m;
  const set = join(ROOT, dir, 'test_data_set_0');
  const ins = inputs.map((_, i) => tensor(read(join(set, `input_${i}.pb`))));
  const outs = node.outputs.map((_, i) => tensor(read(join(set, `output_${i}.pb`))));
  const values: Plan['values'][number][] = [];
  const feeds: PlanTypedArray[] = [];
  const planInputs: number[] = [];
  const byName = new Map<string, number>();
  ins.forEach((t, i) => {
    byName.set(inputs[i], values.length);
    if (i === 0) planInputs.push(values.length), feeds.push(t.data);
    values.push({ dtype: t.dtype, shape: t.shape, ...(i === 0 ? {} : { data: t.data }) });
  });
  const outputs = outs.map((t) => (values.push({ dtype: t.dtype, shape: t.shape }), values.length - 1));
  const plan: Plan = {
    values,
    ops: [{ op: node.op, inputs: node.inputs.map((n) => (n === '' ? null : byName.get(n)!)), outputs, attrs: node.attrs }],
    inputs: planInputs,
    outputs,
  };
  return { name: dir, plan, feeds, expected: outs, linear: node.attrs.mode === 'linear' };
}

const dirs = existsSync(ROOT) ? readdirSync(ROOT).filter((d) => OPS.test(d) && !UNSUPPORTED.test(d)).sort() : [];
const loaded = dirs.map((d) => [d, load(d)] as const);
const cases = loaded.flatMap(([, c]) => (c ? [c] : []));
console.log(`layout conformance: skipped multi-node graphs ${loaded.filter(([, c]) => !c).map(([d]) => d).join(', ')}`);
const targets = (await backendIsas()).filter((t) => t.isa.available);

describe.skipIf(!cases.length)('ONNX conformance cases (libonnx-testdata)', () => {
  it(`covers the family (${cases.length} cases)`, () => expect(cases.length).toBeGreaterThan(90));
  describe.each(targets)('$backend $isa.isa', ({ backend, isa }) => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
      const s = await PlanSession.create(c.plan, { backend, isa: isa.isa });
      const got = await s.run(c.feeds);
      s.release();
      c.expected.forEach((e, o) => {
        const y = Array.from(got[o] as ArrayLike<number | bigint>, Number);
        const want = Array.from(e.data as ArrayLike<number | bigint>, Number);
        // Linear resize: float32 against the reference's float32 result, within a few ulps.
        if (c.linear) y.forEach((v, i) => expect(Math.abs(v - want[i]), `element ${i}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i]))));
        else expect(y).toEqual(want);
      });
    });
  });
});
