// Static shape and type inference per op, for concrete input shapes. Rules follow the ONNX
// operator spec; each returns the dtypes and shapes of the node's outputs.
import type { DType } from '../plan/types';
import type { Node, StaticType, TensorData } from './ir';
import { broadcast, fail, intAttr, intsAttr, NeedsConstant, normAxis, size, strAttr } from './shape-util';

export interface InferContext {
  node: Node;
  /** Types of the inputs; undefined for absent optional inputs. */
  inputs: (StaticType | undefined)[];
  /** Values of inputs that are constant (initializers or folded), else undefined. */
  consts: (TensorData | undefined)[];
  opset: number;
}

type Rule = (c: InferContext) => StaticType[];

const ONNX_DTYPE: Record<number, DType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool' };

/** A constant input's values as numbers (shape-like inputs: Reshape shape, Slice starts, ...). */
export function constInts(c: InferContext, i: number, what: string): number[] | undefined {
  if (!c.inputs[i]) return undefined;
  const t = c.consts[i];
  if (!t) throw new NeedsConstant(i, what);
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

const input = (c: InferContext, i = 0): StaticType => c.inputs[i] ?? fail(`expected input ${i}`);
const same: Rule = (c) => [{ ...input(c) }];
const bool = (shape: number[]): StaticType => ({ dtype: 'bool', shape });
const bcast = (c: InferContext) => broadcast(...c.inputs.filter((t): t is StaticType => !!t).map((t) => t.shape));

/** Output size of a sliding window (conv, pooling) along one axis. */
function window(n: number, k: number, stride: number, dil: number, padSum: number, ceil = false): number {
  const span = dil * (k - 1) + 1;
  const out = (ceil ? Math.ceil : Math.floor)((n + padSum - span) / stride) + 1;
  if (out < 1) fail(`expected the window (${span}) to fit the padded input (${n + padSum})`);
  return out;
}

/** Spatial output dims for Conv and pooling, honouring auto_pad. */
function spatial(c: InferContext, x: StaticType, kernel: number[], ceil = false): number[] {
  const r = kernel.length;
  const strides = intsAttr(c.node, 'strides') ?? Array(r).fill(1);
  const dils = intsAttr(c.node, 'dilations') ?? Array(r).fill(1);
  const pads = intsAttr(c.node, 'pads') ?? Array(2 * r).fill(0);
  const auto = strAttr(c.node, 'auto_pad', 'NOTSET');
  return kernel.map((k, i) => {
    const n = x.shape[2 + i];
    if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') return Math.ceil(n / strides[i]);
    if (auto === 'VALID') return window(n, k, strides[i], dils[i], 0, ceil);
    return window(n, k, strides[i], dils[i], pads[i] + pads[i + r], ceil);
  });
}

function reduceAxes(c: InferContext): number[] | undefined {
  const fromInput = c.opset >= 18 || (c.node.opType === 'ReduceSum' && c.opset >= 13);
  return fromInput ? constInts(c, 1, 'axes') : intsAttr(c.node, 'axes');
}

function reduce(c: InferContext): StaticType[] {
  const x = input(c);
  const keep = intAttr(c.node, 'keepdims', 1) === 1;
  let axes = reduceAxes(c);
  if (!axes || axes.length === 0) axes = intAttr(c.node, 'noop_with_empty_axes', 0) ? [] : x.shape.map((_, i) => i);
  const set = new Set(axes.map((a) => normAxis(a, x.shape.length)));
  const shape = x.shape.flatMap((d, i) => (set.has(i) ? (keep ? [1] : []) : [d]));
  return [{ dtype: x.dtype, shape }];
}

function matmulShape(a: number[], b: number[]): number[] {
  const a2 = a.length === 1 ? [1, a[0]] : a, b2 = b.length === 1 ? [b[0], 1] : b;
  if (a2[a2.length - 1] !== b2[b2.length - 2])
    fail(`expected A's last dim (${a2[a2.length - 1]}) to equal B's second to last (${b2[b2.length - 2]})`);
  const batch = broadcast(a2.slice(0, -2), b2.slice(0, -2));
  const out = [...batch, a2[a2.length - 2], b2[b2.length - 1]];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.splice(out.length - 1, 1);
  return out;
}

/** Slice per ONNX: clamps starts/ends into range for each axis and step direction. */
export function sliceRanges(shape: number[], starts: number[], ends: number[], axes?: number[], steps?: number[]) {
  const out = shape.map((d) => ({ start: 0, end: d, step: 1 }));
  starts.forEach((s, i) => {
    const ax = normAxis(axes ? axes[i] : i, shape.length, 'Slice axis');
    const d = shape[ax], step = steps ? steps[i] : 1;
    if (step === 0) fail('expected Slice steps != 0');
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    out[ax] = step > 0 ? { start: clamp(s, 0, d), end: clamp(ends[i], 0, d), step } : { start: clamp(s, 0, d - 1), end: clamp(ends[i], -1, d - 1), step };
  });
  return out;
}
export const sliceLength = (r: { start: number; end: number; step: number }) =>
  Math.max(0, Math.ceil((r.end - r.start) / r.step));

/** Reshape's target with 0 (copy, unless allowzero) and -1 (inferred). */
export function reshapeTarget(from: number[], target: number[], allowzero: boolean): number[] {
  const shape = target.map((d, i) => (d === 0 && !allowzero ? from[i] ?? fail('expected a 0 in Reshape shape to have a matching input dim') : d));
  const known = size(shape.filter((d) => d !== -1));
  const infer = shape.filter((d) => d === -1).length;
  if (infer > 1) fail('expected at most one -1 in Reshape shape');
  if (infer) shape[shape.indexOf(-1)] = known === 0 ? 0 : size(from) / known;
  if (!shape.every((d) => Number.isInteger(d) && d >= 0) || size(shape) !== size(from))
    fail(`expected a shape with ${size(from)} elements for Reshape of [${from}] but received [${target}]`);
  return shape;
}

const unary = ['Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Erf', 'Neg', 'Abs', 'Reciprocal', 'Floor', 'Ceil',
  'Softplus', 'Gelu', 'Identity', 'Clip', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu', 'PRelu',
  'Softmax', 'LogSoftmax', 'LayerNormalization', 'BatchNormalization'];

export const RULES: Record<string, Rule> = {
  ...Object.fromEntries(unary.map((op) => [op, same])),
  Dropout: (c) => [{ ...input(c) }, ...(c.node.outputs.length > 1 ? [bool(input(c).shape)] : [])],
  Not: same,
  ...Object.fromEntries(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min'].map((op) => [op, (c: InferContext) => [{ dtype: input(c).dtype, shape: bcast(c) }]])),
  ...Object.fromEntries(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor'].map((op) => [op, (c: InferContext) => [bool(bcast(c))]])),
  Where: (c) => [{ dtype: input(c, 1).dtype, shape: bcast(c) }],
  QuantizeLinear: (c) => {
    const zp = c.inputs[2];
    if (zp && zp.dtype !== 'uint8' && zp.dtype !== 'int8') fail(`expected a uint8 or int8 y_zero_point but received ${zp.dtype}`);
    return [{ dtype: zp?.dtype ?? 'uint8', shape: input(c).shape }];
  },
  DequantizeLinear: (c) => [{ dtype: 'float32', shape: input(c).shape }],
  Cast: (c) => [{ dtype: ONNX_DTYPE[intAttr(c.node, 'to', 0)] ?? fail(`expected Cast to float32, uint8, int8, int32, int64 or bool but received type code ${intAttr(c.node, 'to', 0)}`), shape: input(c).shape }],
  Conv: (c) => {
    const x = input(c), w = input(c, 1);
    const kernel = intsAttr(c.node, 'kernel_shape') ?? w.shape.slice(2);
    const group = intAttr(c.node, 'group', 1);
    if (x.shape[1] !== w.shape[1] * group) fail(`expected ${w.shape[1] * group} input channels (W's dim 1 x group) but received ${x.shape[1]}`);
    return [{ dtype: x.dtype, shape: [x.shape[0], w.shape[0], ...spatial(c, x, kernel)] }];
  },
  ConvTranspose: (c) => {
    const x = input(c), w = input(c, 1), r = x.shape.length - 2;
    const kernel = intsAttr(c.node, 'kernel_shape') ?? w.shape.slice(2);
    const group = intAttr(c.node, 'group', 1);
    const given = intsAttr(c.node, 'output_shape');
    const strides = intsAttr(c.node, 'strides') ?? Array(r).fill(1), dils = intsAttr(c.node, 'dilations') ?? Array(r).fill(1);
    const pads = intsAttr(c.node, 'pads') ?? Array(2 * r).fill(0), outPad = intsAttr(c.node, 'output_padding') ?? Array(r).fill(0);
    const auto = strAttr(c.node, 'auto_pad', 'NOTSET');
    const dims = given ?? kernel.map((k, i) =>
      auto === 'SAME_UPPER' || auto === 'SAME_LOWER'
        ? x.shape[2 + i] * strides[i]
        : strides[i] * (x.shape[2 + i] - 1) + outPad[i] + (k - 1) * dils[i] + 1 - pads[i] - pads[i + r]);
    return [{ dtype: x.dtype, shape: [x.shape[0], w.shape[1] * group, ...dims] }];
  },
  MaxPool: (c) => {
    const x = input(c);
    const k = intsAttr(c.node, 'kernel_shape') ?? fail('expected attribute kernel_shape');
    return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...spatial(c, x, k, intAttr(c.node, 'ceil_mode', 0) === 1)] }];
  },
  GlobalAveragePool: (c) => [{ dtype: input(c).dtype, shape: input(c).shape.map((d, i) => (i < 2 ? d : 1)) }],
  Gemm: (c) => {
    const a = input(c).shape, b = input(c, 1).shape;
    const [m, k] = intAttr(c.node, 'transA', 0) ? [a[1], a[0]] : a;
    const [k2, n] = intAttr(c.node, 'transB', 0) ? [b[1], b[0]] : b;
    if (k !== k2) fail(`expected Gemm inner dims to agree but received ${k} and ${k2}`);
    return [{ dtype: input(c).dtype, shape: [m, n] }];
  },
  MatMul: (c) => [{ dtype: input(c).dtype, shape: matmulShape(input(c).shape, input(c, 1).shape) }],
  ...Object.fromEntries(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin'].map((op) => [op, reduce])),
  Concat: (c) => {
    const ts = c.inputs.filter((t): t is StaticType => !!t);
    const axis = normAxis(intAttr(c.node, 'axis', 0), ts[0].shape.length);
    for (const t of ts)
      if (t.shape.length !== ts[0].shape.length || t.shape.some((d, i) => i !== axis && d !== ts[0].shape[i]))
        fail(`expected Concat inputs to agree except on axis ${axis} but received [${ts[0].shape}] and [${t.shape}]`);
    const shape = [...ts[0].shape];
    shape[axis] = ts.reduce((s, t) => s + t.shape[axis], 0);
    return [{ dtype: ts[0].dtype, shape }];
  },
  Split: (c) => {
    const x = input(c), axis = normAxis(intAttr(c.node, 'axis', 0), x.shape.length);
    const parts = (c.opset >= 13 ? constInts(c, 1, 'split') : intsAttr(c.node, 'split')) ??
      (() => {
        const n = c.node.outputs.length, d = x.shape[axis], chunk = Math.ceil(d / n);
        return Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, d - i * chunk)));
      })();
    return parts.map((p) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? p : d)) }));
  },
  Slice: (c) => {
    const x = input(c);
    const [starts, ends, axes, steps] = c.opset >= 10
      ? [constInts(c, 1, 'starts')!, constInts(c, 2, 'ends')!, constInts(c, 3, 'axes'), constInts(c, 4, 'steps')]
      : [intsAttr(c.node, 'starts')!, intsAttr(c.node, 'ends')!, intsAttr(c.node, 'axes'), undefined];
    return [{ dtype: x.dtype, shape: sliceRanges(x.shape, starts, ends, axes, steps).map(sliceLength) }];
  },
  Reshape: (c) => [{ dtype: input(c).dtype, shape: reshapeTarget(input(c).shape, constInts(c, 1, 'shape')!, intAttr(c.node, 'allowzero', 0) === 1) }],
  Flatten: (c) => {
    const s = input(c).shape, axis = intAttr(c.node, 'axis', 1);
    const a = axis < 0 ? axis + s.length : axis;
    return [{ dtype: input(c).dtype, shape: [size(s.slice(0, a)), size(s.slice(a))] }];
  },
  Squeeze: (c) => {
    const s = input(c).shape;
    const axes = (c.opset >= 13 ? constInts(c, 1, 'axes') : intsAttr(c.node, 'axes'))?.map((a) => normAxis(a, s.length));
    return [{ dtype: input(c).dtype, shape: s.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)) }];
  },
  Unsqueeze: (c) => {
    const s = input(c).shape;
    const axes = (c.opset >= 13 ? constInts(c, 1, 'axes') : intsAttr(c.node, 'axes')) ?? fail('expected axes');
    const rank = s.length + axes.length;
    const set = new Set(axes.map((a) => normAxis(a, rank)));
    const rest = [...s];
    return [{ dtype: input(c).dtype, shape: Array.from({ length: rank }, (_, i) => (set.has(i) ? 1 : rest.shift()!)) }];
  },
  Transpose: (c) => {
    const s = input(c).shape;
    const perm = intsAttr(c.node, 'perm') ?? s.map((_, i) => s.length - 1 - i);
    return [{ dtype: input(c).dtype, shape: perm.map((p) => s[p]) }];
  },
  Gather: (c) => {
    const s = input(c).shape, idx = input(c, 1).shape, axis = normAxis(intAttr(c.node, 'axis', 0), s.length);
    return [{ dtype: input(c).dtype, shape: [...s.slice(0, axis), ...idx, ...s.slice(axis + 1)] }];
  },
  Shape: (c) => {
    const r = input(c).shape.length;
    const start = normAxis(Math.max(-r, Math.min(intAttr(c.node, 'start', 0), r - 1)), Math.max(r, 1));
    const end = Math.min(Math.max(intAttr(c.node, 'end', r) < 0 ? intAttr(c.node, 'end', r) + r : intAttr(c.node, 'end', r), 0), r);
    return [{ dtype: 'int64', shape: [Math.max(0, end - start)] }];
  },
  Size: () => [{ dtype: 'int64', shape: [] }],
  ConstantOfShape: (c) => {
    const v = c.node.attrs.value as TensorData | undefined;
    return [{ dtype: v?.dtype ?? 'float32', shape: constInts(c, 0, 'shape')! }];
  },
  Expand: (c) => [{ dtype: input(c).dtype, shape: broadcast(input(c).shape, constInts(c, 1, 'shape')!) }],
  Tile: (c) => [{ dtype: input(c).dtype, shape: input(c).shape.map((d, i) => d * constInts(c, 1, 'repeats')![i]) }],
  Pad: (c) => {
    const s = input(c).shape;
    const pads = c.opset >= 11 ? constInts(c, 1, 'pads')! : intsAttr(c.node, 'pads')!;
    const axes = constInts(c, 3, 'axes')?.map((a) => normAxis(a, s.length)) ?? s.map((_, i) => i);
    const out = [...s];
    axes.forEach((a, i) => (out[a] += pads[i] + pads[i + axes.length]));
    return [{ dtype: input(c).dtype, shape: out }];
  },
  Resize: (c) => {
    const s = input(c).shape;
    const sizes = constInts(c, 3, 'sizes');
    if (sizes && sizes.length) return [{ dtype: input(c).dtype, shape: sizes }];
    if (!c.consts[2]) throw new NeedsConstant(2, 'scales');
    const scales = Array.from(c.consts[2].data as Float32Array);
    return [{ dtype: input(c).dtype, shape: s.map((d, i) => Math.floor(d * scales[i])) }];
  },
  Range: (c) => {
    const [start, limit, delta] = [0, 1, 2].map((i) => Number((c.consts[i] ?? fail('expected constant Range inputs')).data[0]));
    return [{ dtype: input(c).dtype, shape: [Math.max(Math.ceil((limit - start) / delta), 0)] }];
  },
  Constant: (c) => {
    const v = c.node.attrs.value as TensorData | undefined;
    if (v) return [{ dtype: v.dtype, shape: v.dims }];
    const f = c.node.attrs.value_float ?? c.node.attrs.value_floats, i = c.node.attrs.value_int ?? c.node.attrs.value_ints;
    if (f !== undefined) return [{ dtype: 'float32', shape: Array.isArray(f) ? [f.length] : [] }];
    if (i !== undefined) return [{ dtype: 'int64', shape: Array.isArray(i) ? [i.length] : [] }];
    return fail('expected a value attribute');
  },
};
RULES.AveragePool = RULES.MaxPool;

// QLinearConv (int8kit's op-qconv.cc): the plan packs the weights and folds every scale and zero
// point when it is created, so inputs 1..8 must be constants (graph inputs get bound).
RULES.QLinearConv = (c) => {
  for (let i = 1; i < c.inputs.length; i++) if (c.inputs[i] && !c.consts[i]) throw new NeedsConstant(i, 'QLinearConv parameters and weights');
  const x = input(c), w = input(c, 3), y = c.inputs[7];
  if (x.dtype !== 'uint8' && x.dtype !== 'int8') fail(`expected x of dtype uint8 or int8 but received ${x.dtype}`);
  if (y && y.dtype !== 'uint8' && y.dtype !== 'int8') fail(`expected y_zero_point of dtype uint8 or int8 but received ${y.dtype}`);
  const kernel = intsAttr(c.node, 'kernel_shape') ?? w.shape.slice(2);
  const group = intAttr(c.node, 'group', 1);
  if (x.shape[1] !== w.shape[1] * group) fail(`expected ${w.shape[1] * group} input channels (w's dim 1 x group) but received ${x.shape[1]}`);
  return [{ dtype: y?.dtype ?? 'uint8', shape: [x.shape[0], w.shape[0], ...spatial(c, x, kernel)] }];
};
RULES.GlobalMaxPool = RULES.GlobalAveragePool;
// The u8 x u8 family the QDQ lowering picks for backend qnnpack (op-qnnpack.cc): QLinearConv's and
// QLinearMatMul's shapes, u8 out.
RULES.QnnpackConv = (c) => RULES.QLinearConv(c); // late-bound: QLinearConv's rule gains channels_last below
RULES.QnnpackMatMul = (c) => [{ dtype: 'uint8', shape: matmulShape(input(c).shape, input(c, 3).shape) }];

// ---- Quantized small ops: onnxruntime's com.microsoft QOperator contrib ops (u8 / s8, scales and
// zero points as scalar inputs) and int8kit's QLinearLookup (X, a 256-entry table). Y has X's
// dtype (QLinearLookup: the table's); NCHW, or NHWC with channels_last = 1 (the block below).
/** com.microsoft ops int8kit runs (specialize accepts the domain for these). */
export const COM_MICROSOFT_OPS = new Set(['QLinearAdd', 'QLinearMul', 'QLinearAveragePool', 'QLinearGlobalAveragePool', 'QLinearSigmoid', 'QLinearLeakyRelu']);
COM_MICROSOFT_OPS.add('MatMulIntegerToFloat');
const qlinearBinary: Rule = (c) => [{ dtype: input(c).dtype, shape: broadcast(input(c).shape, input(c, 3).shape) }];
Object.assign(RULES, {
  QLinearAdd: qlinearBinary,
  QLinearMul: qlinearBinary,
  QLinearAveragePool: RULES.MaxPool,
  QLinearGlobalAveragePool: RULES.GlobalAveragePool,
  QLinearSigmoid: same,
  QLinearLeakyRelu: same,
  QLinearLookup: (c) => [{ dtype: input(c, 1).dtype, shape: input(c).shape }],
} satisfies Record<string, Rule>);

// ---- channels_last = 1 (int8kit's NHWC plan ops: QLinearConv, u8 / s8 MaxPool, QLinearAveragePool,
// QLinearGlobalAveragePool): X is [N, spatial..., C] and Y likewise, so the NCHW rule runs on a
// channels-first view of X and its result is moved back to channels-last.
{
  const toFirst = (s: number[]) => [s[0], s[s.length - 1], ...s.slice(1, -1)];
  const toLast = (s: number[]) => [s[0], ...s.slice(2), s[1]];
  for (const op of ['QLinearConv', 'MaxPool', 'QLinearAveragePool', 'QLinearGlobalAveragePool']) {
    const nchw = RULES[op];
    RULES[op] = (c) => {
      const mode = intAttr(c.node, 'channels_last', 0);
      if (mode === 0) return nchw(c);
      const x = input(c);
      if (mode !== 1) fail(`expected attribute channels_last 0 or 1 but received ${mode}`);
      if (x.shape.length < 3) fail(`expected X of rank 3 or more with channels_last = 1 but received [${x.shape}]`);
      const [y, ...rest] = nchw({ ...c, inputs: [{ ...x, shape: toFirst(x.shape) }, ...c.inputs.slice(1)] });
      return [{ ...y, shape: toLast(y.shape) }, ...rest];
    };
  }
}

// ---- com.microsoft QLinearConcat (op-qsmall.cc): Y_scale, Y_zero_point, then (X, X_scale,
// X_zero_point) per input; Concat's shape rule over the X inputs, Y's dtype from Y_zero_point.
COM_MICROSOFT_OPS.add('QLinearConcat');
RULES.QLinearConcat = (c) => {
  if ((c.inputs.length - 2) % 3 !== 0 || c.inputs.length < 5) fail(`expected 2 + 3k inputs (k >= 1) but received ${c.inputs.length}`);
  const xs = c.inputs.filter((_, i) => i >= 2 && (i - 2) % 3 === 0);
  const [y] = RULES.Concat({ ...c, inputs: xs });
  return [{ dtype: c.inputs[1]?.dtype ?? y.dtype, shape: y.shape }];
};

// Integer GEMM family (native/plan/op-qmatmul.cc): MatMul shapes, Conv shapes, int32 or the
// output zero point's dtype; DynamicQuantizeLinear gives codes plus a scalar scale and zero point.
RULES.QLinearMatMul = (c) => {
  const zp = input(c, 7);
  if (zp.dtype !== 'uint8' && zp.dtype !== 'int8') fail(`expected a uint8 or int8 y_zero_point but received ${zp.dtype}`);
  return [{ dtype: zp.dtype, shape: matmulShape(input(c).shape, input(c, 3).shape) }];
};
RULES.MatMulInteger = (c) => [{ dtype: 'int32', shape: matmulShape(input(c).shape, input(c, 1).shape) }];
RULES.MatMulIntegerToFloat = (c) => [{ dtype: 'float32', shape: matmulShape(input(c).shape, input(c, 1).shape) }];
RULES.ConvInteger = (c) => [{ dtype: 'int32', shape: RULES.Conv(c)[0].shape }];
RULES.DynamicQuantizeLinear = (c) => [
  { dtype: 'uint8', shape: input(c).shape },
  { dtype: 'float32', shape: [] },
  { dtype: 'uint8', shape: [] },
];

// ---- DynamicQuantizeMatMul (com.microsoft; made by fuseDynamicQuantization in fuse-dynamic.ts,
// run by native/plan/op-qdynamic.cc): float32 A [..., K] x 8-bit B [K, N] -> float32 [..., N].
COM_MICROSOFT_OPS.add('DynamicQuantizeMatMul');
// MatMulIntegerToFloat as fuseDynamicQuantization writes it (com.microsoft; its rule is above).
COM_MICROSOFT_OPS.add('MatMulIntegerToFloat');
// com.microsoft Gelu (fuseGelu in fuse-gelu.ts): the erf GELU, ONNX Gelu's rule.
COM_MICROSOFT_OPS.add('Gelu');
RULES.DynamicQuantizeMatMul = (c) => {
  const a = input(c), b = input(c, 1);
  if (a.dtype !== 'float32' || a.shape.length < 1) fail(`expected a float32 A of rank >= 1 but received ${a.dtype} [${a.shape}]`);
  if ((b.dtype !== 'int8' && b.dtype !== 'uint8') || b.shape.length !== 2) fail(`expected an int8 or uint8 B of rank 2 but received ${b.dtype} [${b.shape}]`);
  if (a.shape[a.shape.length - 1] !== b.shape[0]) fail(`expected B with ${a.shape[a.shape.length - 1]} rows (A's last dim) but received [${b.shape}]`);
  return [{ dtype: 'float32', shape: [...a.shape.slice(0, -1), b.shape[1]] }];
};
