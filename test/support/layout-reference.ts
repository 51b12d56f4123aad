// Independent JavaScript oracles for the layout ops, written from the ONNX operator definitions with
// plain coordinate loops (no strides, no fast paths). Tensors hold numbers; int64 stays small.
import type { DType } from '../../src';

export interface Tensor {
  dtype: DType;
  shape: number[];
  data: number[];
}

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Coordinates of flat index i in shape (row major). */
export function coords(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return c;
}

export function flat(c: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d] + c[d];
  return i;
}

/** Builds an output of shape whose element at coordinates c is at(c). */
function build(dtype: DType, shape: number[], at: (c: number[]) => number): Tensor {
  const data = new Array<number>(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = at(coords(i, shape));
  return { dtype, shape, data };
}

const norm = (a: number, r: number) => (a < 0 ? a + r : a);

export function transpose(x: Tensor, perm?: number[]): Tensor {
  const p = perm ?? x.shape.map((_, i) => x.shape.length - 1 - i);
  const shape = p.map((a) => x.shape[a]);
  return build(x.dtype, shape, (c) => {
    const src = new Array<number>(x.shape.length);
    p.forEach((a, i) => (src[a] = c[i]));
    return x.data[flat(src, x.shape)];
  });
}

export function concat(xs: Tensor[], axis: number): Tensor {
  const a = norm(axis, xs[0].shape.length);
  const shape = [...xs[0].shape];
  shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
  return build(xs[0].dtype, shape, (c) => {
    let k = c[a];
    for (const x of xs) {
      if (k < x.shape[a]) return x.data[flat(c.map((v, d) => (d === a ? k : v)), x.shape)];
      k -= x.shape[a];
    }
    throw new Error('unreachable');
  });
}

export function split(x: Tensor, axis: number, sizes: number[]): Tensor[] {
  const a = norm(axis, x.shape.length);
  let at = 0;
  return sizes.map((n) => {
    const from = at;
    at += n;
    const shape = x.shape.map((d, i) => (i === a ? n : d));
    return build(x.dtype, shape, (c) => x.data[flat(c.map((v, d) => (d === a ? v + from : v)), x.shape)]);
  });
}

/** ONNX Slice: starts/ends clamped per the spec, negative steps walk backwards. */
export function slice(x: Tensor, starts: number[], ends: number[], axes?: number[], steps?: number[]): Tensor {
  const r = x.shape.length;
  const first = x.shape.map(() => 0);
  const step = x.shape.map(() => 1);
  const shape = [...x.shape];
  starts.forEach((s0, i) => {
    const a = norm(axes ? axes[i] : i, r);
    const st = steps ? steps[i] : 1;
    const dim = x.shape[a];
    let s = s0 < 0 ? s0 + dim : s0;
    let e = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (st > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
    }
    let n = 0;
    for (let k = s; st > 0 ? k < e : k > e; k += st) n++;
    shape[a] = n;
    first[a] = s;
    step[a] = st;
  });
  return build(x.dtype, shape, (c) => x.data[flat(c.map((v, d) => first[d] + v * step[d]), x.shape)]);
}

export function reshapeShape(inShape: number[], shape: number[], allowzero = 0): number[] {
  const out = shape.map((s, i) => (s === 0 && !allowzero ? inShape[i] : s));
  const k = out.indexOf(-1);
  if (k >= 0) out[k] = size(inShape) / size(out.filter((_, i) => i !== k));
  return out;
}

export function expand(x: Tensor, shape: number[]): Tensor {
  const r = Math.max(x.shape.length, shape.length);
  const xs = [...Array(r - x.shape.length).fill(1), ...x.shape];
  const ss = [...Array(r - shape.length).fill(1), ...shape];
  const out = xs.map((d, i) => (d === 1 ? ss[i] : d));
  return build(x.dtype, out, (c) => x.data[flat(c.slice(r - x.shape.length).map((v, d) => (x.shape[d] === 1 ? 0 : v)), x.shape)]);
}

export function tile(x: Tensor, repeats: number[]): Tensor {
  const shape = x.shape.map((d, i) => d * repeats[i]);
  return build(x.dtype, shape, (c) => x.data[flat(c.map((v, d) => v % x.shape[d]), x.shape)]);
}

export function gather(x: Tensor, indices: Tensor, axis: number): Tensor {
  const a = norm(axis, x.shape.length);
  const q = indices.shape.length;
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  return build(x.dtype, shape, (c) => {
    const j = indices.data[flat(c.slice(a, a + q), indices.shape)];
    const src = [...c.slice(0, a), j < 0 ? j + x.shape[a] : j, ...c.slice(a + q)];
    return x.data[flat(src, x.shape)];
  });
}

/** ONNX Pad; pads = [begin per axis..., end per axis...] over `axes` (all dims by default). */
export function pad(x: Tensor, pads: number[], mode: 'constant' | 'edge' | 'reflect', value = 0, axes?: number[]): Tensor {
  const r = x.shape.length;
  const ax = axes ?? x.shape.map((_, i) => i);
  const begin = x.shape.map(() => 0);
  const end = x.shape.map(() => 0);
  ax.forEach((a, i) => {
    begin[norm(a, r)] = pads[i];
    end[norm(a, r)] = pads[i + ax.length];
  });
  const shape = x.shape.map((d, i) => d + begin[i] + end[i]);
  return build(x.dtype, shape, (c) => {
    const src: number[] = [];
    for (let d = 0; d < r; d++) {
      const n = x.shape[d];
      let i = c[d] - begin[d];
      if (mode === 'constant') {
        if (i < 0 || i >= n) return value;
      } else if (mode === 'edge' || n === 1) {
        i = Math.min(Math.max(i, 0), n - 1);
      } else {
        // Mirror without repeating the edge, as often as needed.
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
      }
      src.push(i);
    }
    return x.data[flat(src, x.shape)];
  });
}

export type Coord = 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn';
export type Round = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

/** outN: the resized length, in * scale (unfloored) when scales are given, as the ONNX reference has it. */
export function resizeSource(mode: Coord, x: number, scale: number, inN: number, outN: number): number {
  switch (mode) {
    case 'half_pixel': return (x + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return outN > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return outN > 1 ? (x * (inN - 1)) / (outN - 1) : 0;
    case 'asymmetric': return x / scale;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
  }
}

function nearest(s: number, round: Round): number {
  const f = Math.floor(s);
  switch (round) {
    case 'round_prefer_floor': return s - f === 0.5 ? f : Math.round(s);
    case 'round_prefer_ceil': return s - f === 0.5 ? f + 1 : Math.round(s);
    case 'floor': return f;
    case 'ceil': return Math.ceil(s);
  }
}

/** Output shape and per-axis scales from scales (floor(in * scale)) or sizes (scale = out / in). */
export function resizeShape(x: Tensor, scales?: number[], sizes?: number[]): { shape: number[]; scale: number[]; len: number[] } {
  if (sizes) return { shape: sizes, scale: sizes.map((s, i) => s / x.shape[i]), len: sizes };
  const f = scales!.map((s) => Math.fround(s));
  const len = x.shape.map((d, i) => d * f[i]);
  return { shape: len.map(Math.floor), scale: f, len };
}

export function resizeNearest(x: Tensor, scales: number[] | undefined, sizes: number[] | undefined, mode: Coord, round: Round): Tensor {
  const { shape, scale, len } = resizeShape(x, scales, sizes);
  return build(x.dtype, shape, (c) =>
    x.data[flat(c.map((v, d) => {
      const i = nearest(resizeSource(mode, v, scale[d], x.shape[d], len[d]), round);
      return Math.min(Math.max(i, 0), x.shape[d] - 1);
    }), x.shape)]);
}

/** Linear over every axis (only the last two change in practice), float64, edge values outside. */
export function resizeLinear(x: Tensor, scales: number[] | undefined, sizes: number[] | undefined, mode: Coord): Tensor {
  const { shape, scale, len } = resizeShape(x, scales, sizes);
  const r = x.shape.length;
  return build(x.dtype, shape, (c) => {
    const lo: number[] = [], w: number[] = [];
    for (let d = 0; d < r; d++) {
      const s = Math.min(Math.max(resizeSource(mode, c[d], scale[d], x.shape[d], len[d]), 0), x.shape[d] - 1);
      lo.push(Math.floor(s));
      w.push(s - Math.floor(s));
    }
    let sum = 0;
    for (let corner = 0; corner < 1 << r; corner++) {
      let weight = 1;
      const at = lo.map((l, d) => {
        const hi = (corner >> d) & 1;
        weight *= hi ? w[d] : 1 - w[d];
        return Math.min(l + hi, x.shape[d] - 1);
      });
      if (weight) sum += weight * x.data[flat(at, x.shape)];
    }
    return sum;
  });
}
