// Constant folding in JavaScript: evaluates a node whose inputs are all known (and Shape/Size,
// which need only static shapes). It covers the shape arithmetic exporters emit (Shape -> Gather
// -> Unsqueeze -> Concat -> Reshape, Range, ConstantOfShape, Where on int64...) and small tensors;
// everything else runs in the plan.
import { DTYPES, type DType } from '../plan/types';
import type { InferContext } from './infer';
import { constInts, reshapeTarget, sliceLength, sliceRanges } from './infer';
import type { StaticType, TensorData } from './ir';
import { broadcast, intAttr, intsAttr, normAxis, size } from './shape-util';

/** Above this many output elements a foldable node is left to the plan. */
export const MAX_FOLD_ELEMENTS = 1 << 16;

const nums = (t: TensorData): number[] => Array.from(t.data as ArrayLike<number | bigint>, Number);

export function tensor(dtype: DType, dims: number[], values: ArrayLike<number>): TensorData {
  const Arr = DTYPES[dtype].array as unknown as { from(a: ArrayLike<unknown>): TensorData['data'] };
  const data = dtype === 'int64' ? BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v)))) : Arr.from(values);
  return { dtype, dims, data };
}

/** Strides of a row-major shape. */
const strides = (shape: number[]) => shape.map((_, i) => size(shape.slice(i + 1)));

/** Values of `t` broadcast to `shape`. */
function expandTo(t: TensorData, shape: number[]): number[] {
  const v = nums(t), st = strides(t.dims), out: number[] = [], full = strides(shape);
  const offset = shape.length - t.dims.length;
  for (let i = 0; i < size(shape); i++) {
    let src = 0;
    for (let a = offset; a < shape.length; a++) {
      const coord = Math.floor(i / full[a]) % shape[a];
      src += (t.dims[a - offset] === 1 ? 0 : coord) * st[a - offset];
    }
    out.push(v[src]);
  }
  return out;
}

function elementwise(c: InferContext, out: StaticType, f: (...xs: number[]) => number): TensorData[] {
  const ins = c.consts.filter((t): t is TensorData => !!t);
  const shape = broadcast(...ins.map((t) => t.dims));
  const cols = ins.map((t) => expandTo(t, shape));
  const isInt = out.dtype === 'int64' || out.dtype === 'int32';
  return [tensor(out.dtype, shape, Array.from({ length: size(shape) }, (_, i) => {
    const r = f(...cols.map((col) => col[i]));
    return isInt ? Math.trunc(r) : r;
  }))];
}

type Folder = (c: InferContext, out: StaticType[]) => TensorData[];

const FOLDERS: Record<string, Folder> = {
  Add: (c, o) => elementwise(c, o[0], (a, b) => a + b),
  Sub: (c, o) => elementwise(c, o[0], (a, b) => a - b),
  Mul: (c, o) => elementwise(c, o[0], (a, b) => a * b),
  Div: (c, o) => elementwise(c, o[0], (a, b) => a / b),
  Max: (c, o) => elementwise(c, o[0], Math.max),
  Min: (c, o) => elementwise(c, o[0], Math.min),
  Neg: (c, o) => elementwise(c, o[0], (a) => -a),
  Sqrt: (c, o) => elementwise(c, o[0], Math.sqrt),
  Equal: (c, o) => elementwise(c, o[0], (a, b) => +(a === b)),
  Less: (c, o) => elementwise(c, o[0], (a, b) => +(a < b)),
  Greater: (c, o) => elementwise(c, o[0], (a, b) => +(a > b)),
  Not: (c, o) => elementwise(c, o[0], (a) => +!a),
  Where: (c, o) => elementwise(c, o[0], (cond, a, b) => (cond ? a : b)),
  Cast: (c, o) => elementwise(c, o[0], (a) => (o[0].dtype === 'bool' ? +(a !== 0) : a)),
  Identity: (c) => [c.consts[0]!],
  DequantizeLinear: (c, o) => {
    const [x, scale, zp] = c.consts as TensorData[];
    const per = scale.data.length > 1, rank = o[0].shape.length;
    const axis = per ? normAxis(intAttr(c.node, 'axis', 1), rank) : 0;
    const inner = per ? size(o[0].shape.slice(axis + 1)) : 1, channels = scale.data.length;
    const s = scale.data as Float32Array, xs = x.data as ArrayLike<number>, z = zp?.data as ArrayLike<number> | undefined;
    const y = new Float32Array(xs.length);
    // As the native op and onnxruntime: float(x - zero_point) * scale, in float32.
    for (let i = 0; i < y.length; i++) {
      const ch = Math.floor(i / inner) % channels;
      y[i] = Math.fround(Math.fround(xs[i] - (z ? z[ch] : 0)) * s[ch]);
    }
    return [{ dtype: 'float32', dims: o[0].shape, data: y }];
  },
  Shape: (c, o) => {
    const s = c.inputs[0]!.shape, r = s.length;
    let start = intAttr(c.node, 'start', 0), end = intAttr(c.node, 'end', r);
    start = Math.min(Math.max(start < 0 ? start + r : start, 0), r);
    end = Math.min(Math.max(end < 0 ? end + r : end, 0), r);
    return [tensor('int64', o[0].shape, s.slice(start, end))];
  },
  Size: (c) => [tensor('int64', [], [size(c.inputs[0]!.shape)])],
  Constant: (c, o) => {
    const v = c.node.attrs.value as TensorData | undefined;
    if (v) return [v];
    const f = c.node.attrs.value_float ?? c.node.attrs.value_floats ?? c.node.attrs.value_int ?? c.node.attrs.value_ints;
    return [tensor(o[0].dtype, o[0].shape, Array.isArray(f) ? (f as number[]) : [f as number])];
  },
  ConstantOfShape: (c, o) => {
    const v = c.node.attrs.value as TensorData | undefined;
    return [tensor(o[0].dtype, o[0].shape, new Array(size(o[0].shape)).fill(v ? nums(v)[0] : 0))];
  },
  Range: (c, o) => {
    const [start, , delta] = c.consts.map((t) => nums(t!)[0]);
    return [tensor(o[0].dtype, o[0].shape, Array.from({ length: o[0].shape[0] }, (_, i) => start + i * delta))];
  },
  // Ops that only change the shape keep the data.
  Reshape: (c, o) => [{ ...c.consts[0]!, dims: o[0].shape }],
  Flatten: (c, o) => [{ ...c.consts[0]!, dims: o[0].shape }],
  Squeeze: (c, o) => [{ ...c.consts[0]!, dims: o[0].shape }],
  Unsqueeze: (c, o) => [{ ...c.consts[0]!, dims: o[0].shape }],
  Expand: (c, o) => [tensor(o[0].dtype, o[0].shape, expandTo(c.consts[0]!, o[0].shape))],
  Gather: (c, o) => {
    const x = c.consts[0]!, idx = nums(c.consts[1]!), axis = normAxis(intAttr(c.node, 'axis', 0), x.dims.length);
    const v = nums(x), outer = size(x.dims.slice(0, axis)), inner = size(x.dims.slice(axis + 1)), n = x.dims[axis];
    const out: number[] = [];
    for (let a = 0; a < outer; a++)
      for (const j of idx) {
        const k = j < 0 ? j + n : j;
        for (let b = 0; b < inner; b++) out.push(v[(a * n + k) * inner + b]);
      }
    return [tensor(o[0].dtype, o[0].shape, out)];
  },
  Concat: (c, o) => {
    const ts = c.consts.filter((t): t is TensorData => !!t), axis = normAxis(intAttr(c.node, 'axis', 0), ts[0].dims.length);
    const outer = size(ts[0].dims.slice(0, axis)), out: number[] = [];
    for (let a = 0; a < outer; a++)
      for (const t of ts) {
        const inner = size(t.dims.slice(axis));
        out.push(...nums(t).slice(a * inner, (a + 1) * inner));
      }
    return [tensor(o[0].dtype, o[0].shape, out)];
  },
  Slice: (c, o) => {
    const x = c.consts[0]!, v = nums(x);
    const ranges = c.opset >= 10
      ? sliceRanges(x.dims, constInts(c, 1, 'starts')!, constInts(c, 2, 'ends')!, constInts(c, 3, 'axes'), constInts(c, 4, 'steps'))
      : sliceRanges(x.dims, intsAttr(c.node, 'starts')!, intsAttr(c.node, 'ends')!, intsAttr(c.node, 'axes'));
    const st = strides(x.dims), lens = ranges.map(sliceLength), out: number[] = [];
    for (let i = 0; i < size(lens); i++) {
      let src = 0, rest = i;
      for (let a = lens.length - 1; a >= 0; a--) {
        const coord = rest % lens[a];
        rest = Math.floor(rest / lens[a]);
        src += (ranges[a].start + coord * ranges[a].step) * st[a];
      }
      out.push(v[src]);
    }
    return [tensor(o[0].dtype, o[0].shape, out)];
  },
  Transpose: (c, o) => {
    const x = c.consts[0]!, v = nums(x), perm = intsAttr(c.node, 'perm') ?? x.dims.map((_, i) => x.dims.length - 1 - i);
    const st = strides(x.dims), outSt = strides(o[0].shape), out: number[] = [];
    for (let i = 0; i < v.length; i++) {
      let src = 0;
      perm.forEach((p, a) => (src += (Math.floor(i / outSt[a]) % o[0].shape[a]) * st[p]));
      out.push(v[src]);
    }
    return [tensor(o[0].dtype, o[0].shape, out)];
  },
};

/**
 * The node's outputs as constants when it can be evaluated now, else undefined. `out` holds the
 * output types from inference.
 */
export function fold(c: InferContext, out: StaticType[]): TensorData[] | undefined {
  const folder = FOLDERS[c.node.opType];
  // DequantizeLinear of constants (a QDQ model's weights) folds at any size: it yields what a float
  // model would store, and the ops after it need constant weights.
  if (!folder || (c.node.opType !== 'DequantizeLinear' && out.some((t) => size(t.shape) > MAX_FOLD_ELEMENTS))) return undefined;
  const shapeOnly = c.node.opType === 'Shape' || c.node.opType === 'Size';
  const present = c.node.inputs.map((name, i) => (name ? i : -1)).filter((i) => i >= 0);
  if (!shapeOnly && !present.every((i) => c.consts[i])) return undefined;
  return folder(c, out);
}

export { reshapeTarget };
