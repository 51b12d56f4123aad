/**
 * IEEE 754 binary16 conversion, and convertFloat16: float32 weights stored as float16 (half the
 * bytes), each read through a Cast back to float32, so the model still computes in float32.
 * Works on the ONNX model itself: the graph IR has no float16 values to run.
 */
import type { OnnxModel, OnnxTensor } from '../onnx';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The binary16 bits nearest to x (round half to even); overflow gives infinity, NaN a quiet NaN.
 * @throws Never: pure arithmetic.
 */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf, or a quiet NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // too large: infinity
  if (e <= 0) {
    // Subnormal (or zero) in binary16: shift the implicit 1 in and round half to even.
    if (e < -10) return sign; // below half the smallest subnormal: rounds to zero
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1), rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m; // a carry into bit 10 is exactly the smallest normal
  }
  const rest = mant & 0x1fff;
  let m = mant >>> 13;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e === 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/**
 * The float value of binary16 bits.
 * @throws Never: pure arithmetic.
 */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exp = (h >>> 10) & 0x1f, mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * A copy of the model whose float32 initializers with at least `minElements` elements (weights,
 * not scalars or shapes) are float16, each behind a Cast to float32.
 */
export function float16Model(model: OnnxModel, minElements = 16): OnnxModel {
  const g = model.graph;
  const names = new Set([...g.initializers.map((t) => t.name), ...g.nodes.flatMap((n) => [...n.inputs, ...n.outputs])]);
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; names.has(name); i++) name = `${base}_${i}`;
    names.add(name);
    return name;
  };
  const initializers: OnnxTensor[] = [];
  const casts: typeof g.nodes = [];
  const renamed = new Map<string, string>();
  for (const t of g.initializers) {
    if (t.dtype !== 'float32' || t.data.length < minElements) {
      initializers.push(t);
      continue;
    }
    const src = t.data as Float32Array;
    const half = new Uint16Array(src.length);
    for (let i = 0; i < src.length; i++) half[i] = float32ToFloat16Bits(src[i]);
    const stored = fresh(`${t.name}_float16`);
    initializers.push({ name: stored, dtype: 'float16', dims: [...t.dims], data: half });
    casts.push({ opType: 'Cast', domain: '', name: fresh(`${t.name}_cast`), inputs: [stored], outputs: [t.name], attributes: { to: { type: 'int', value: 1 } } });
    renamed.set(t.name, stored);
  }
  // Graph inputs that an initializer used to default are now plain computed values.
  const inputs = g.inputs.filter((i) => !renamed.has(i.name));
  return { ...model, graph: { ...g, initializers, inputs, nodes: [...casts, ...g.nodes] } };
}
