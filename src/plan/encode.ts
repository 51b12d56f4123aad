// Binary encoding of a Plan, the format native/plan/plan-format.h documents and decodes.
import { DTYPES, type AttrValue, type Plan } from './types';

const MAGIC = 0x504b3849; // "I8KP"
const VERSION = 2;


class Writer {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number) { this.reserve(1); this.view.setUint8(this.length, v); this.length += 1; }
  u16(v: number) { this.reserve(2); this.view.setUint16(this.length, v, true); this.length += 2; }
  u32(v: number) { this.reserve(4); this.view.setUint32(this.length, v, true); this.length += 4; }
  i32(v: number) { this.reserve(4); this.view.setInt32(this.length, v, true); this.length += 4; }
  i64(v: number) { this.reserve(8); this.view.setBigInt64(this.length, BigInt(v), true); this.length += 8; }
  f32(v: number) { this.reserve(4); this.view.setFloat32(this.length, v, true); this.length += 4; }
  str(s: string) { const b = Buffer.from(s, 'utf8'); this.u16(b.length); this.bytes(b); }
  bytes(b: Uint8Array) { this.reserve(b.length); this.buf.set(b, this.length); this.length += b.length; }
  result(): Uint8Array { return this.buf.subarray(0, this.length); }
}

/** The kind comes from the value: strings, integers (int64), other numbers and Float32Array (float32). */
function writeAttr(w: Writer, value: AttrValue): void {
  if (typeof value === 'string') {
    w.u8(4);
    w.str(value);
  } else if (typeof value === 'number') {
    const int = Number.isInteger(value);
    w.u8(int ? 0 : 1);
    if (int) w.i64(value);
    else w.f32(value);
  } else {
    const list = Array.from(value as ArrayLike<number>);
    const ints = !(value instanceof Float32Array) && list.every(Number.isInteger);
    w.u8(ints ? 2 : 3);
    w.u32(list.length);
    list.forEach((x) => (ints ? w.i64(x) : w.f32(x)));
  }
}

/**
 * Encodes a validated plan (see validatePlan) into the bytes backends decode.
 * @throws Never for a plan that passed {@link validatePlan}; call that first for untrusted plans.
 */
export function encodePlan(plan: Plan): Uint8Array {
  const w = new Writer();
  w.u32(MAGIC);
  w.u32(VERSION);
  w.u32(plan.values.length);
  for (const v of plan.values) {
    w.u8(DTYPES[v.dtype].code);
    w.u8(v.data ? 1 : 0);
    w.u16(v.shape.length);
    v.shape.forEach((d) => w.i64(d));
    if (v.data) {
      const bytes = new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength);
      w.i64(bytes.length); // u64 on the C++ side; sizes stay far below 2^53
      w.bytes(bytes);
    }
  }
  w.u32(plan.ops.length);
  for (const op of plan.ops) {
    w.str(op.op);
    w.u16(op.inputs.length);
    w.u16(op.outputs.length);
    op.inputs.forEach((id) => w.i32(id ?? -1));
    op.outputs.forEach((id) => w.i32(id));
    const attrs = Object.entries(op.attrs ?? {});
    w.u16(attrs.length);
    for (const [name, value] of attrs) {
      w.str(name);
      writeAttr(w, value);
    }
  }
  w.u32(plan.inputs.length);
  plan.inputs.forEach((id) => w.i32(id));
  w.u32(plan.outputs.length);
  plan.outputs.forEach((id) => w.i32(id));
  return w.result();
}
