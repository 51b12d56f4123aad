// Independent JavaScript definitions of the elementwise family's ONNX semantics (float64 math,
// simple loops), written from the ONNX operator specs, for test/ops-elementwise.test.ts.
import type { DType, Plan, PlanTypedArray } from '../../src';
import { DTYPES } from '../../src/plan/types';

export type Shape = readonly number[];
export const numel = (s: Shape) => s.reduce((a, b) => a * b, 1);

/** numpy broadcasting of shapes; null when they do not broadcast. */
export function broadcastShapes(...shapes: Shape[]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes)
    for (let i = 0; i < s.length; i++) {
      const d = s[i], j = rank - s.length + i;
      if (d === out[j] || d === 1) continue;
      if (out[j] !== 1) return null;
      out[j] = d;
    }
  return out;
}

/** For each output element (row-major), the index of the input element it reads. */
export function broadcastIndex(out: Shape, input: Shape): Int32Array {
  const n = numel(out), idx = new Int32Array(n), rank = out.length;
  const strides = new Array<number>(rank).fill(0);
  for (let i = input.length - 1, s = 1; i >= 0; i--) {
    strides[rank - input.length + i] = input[i] === 1 ? 0 : s;
    s *= input[i];
  }
  for (let o = 0; o < n; o++) {
    let rem = o, off = 0;
    for (let d = rank - 1; d >= 0; d--) {
      off += (rem % out[d]) * strides[d];
      rem = Math.floor(rem / out[d]);
    }
    idx[o] = off;
  }
  return idx;
}

export type Num = number | bigint;

/** Elementwise over broadcast inputs (values read with Number/BigInt as the arrays give them). */
export function broadcastMap(out: Shape, ins: { shape: Shape; data: ArrayLike<Num> }[], f: (...v: Num[]) => Num): Num[] {
  const maps = ins.map((x) => broadcastIndex(out, x.shape));
  return Array.from({ length: numel(out) }, (_, o) => f(...ins.map((x, j) => x.data[maps[j][o]])));
}

const erf = (x: number): number => {
  // Series for |x| < 3 (converges fast in float64), continued fraction tail beyond.
  const a = Math.abs(x);
  if (a < 3) {
    let term = x, sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = e^-a^2 / sqrt(pi) * 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...))))
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
};

/** Unary/activation references; p holds the op's attributes (ONNX defaults when absent). */
export const unaryRef: Record<string, (x: number, p: Record<string, number>) => number> = {
  Relu: (x) => (Number.isNaN(x) ? x : Math.max(0, x)),
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Tanh: Math.tanh,
  Exp: Math.exp,
  Log: Math.log,
  Sqrt: Math.sqrt,
  Erf: erf,
  Neg: (x) => -x,
  Abs: Math.abs,
  Reciprocal: (x) => 1 / x,
  Floor: Math.floor,
  Ceil: Math.ceil,
  Softplus: (x) => (x > 30 ? x : Math.log1p(Math.exp(x))),
  Gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  GeluTanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  LeakyRelu: (x, p) => (x < 0 ? (p.alpha ?? 0.01) * x : x),
  HardSigmoid: (x, p) => Math.max(0, Math.min(1, (p.alpha ?? 0.2) * x + (p.beta ?? 0.5))),
  HardSwish: (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)),
  Elu: (x, p) => (x < 0 ? (p.alpha ?? 1) * (Math.exp(x) - 1) : x),
  Selu: (x, p) => (p.gamma ?? 1.0507009873554805) * (x <= 0 ? (p.alpha ?? 1.6732632423543772) * (Math.exp(x) - 1) : x),
  Clip: (x, p) => Math.min(p.max ?? Infinity, Math.max(p.min ?? -Infinity, x)),
};

export const binaryRef: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Pow: (a, b) => a ** b,
  Max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  Min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  PRelu: (x, s) => (x < 0 ? x * s : x),
};

export const compareRef: Record<string, (a: Num, b: Num) => boolean> = {
  Equal: (a, b) => a === b,
  Less: (a, b) => a < b,
  Greater: (a, b) => a > b,
  LessOrEqual: (a, b) => a <= b,
  GreaterOrEqual: (a, b) => a >= b,
};

/** [outer, axis, inner] view of a shape around one axis. */
function around(shape: Shape, axis: number) {
  const a = axis < 0 ? axis + shape.length : axis;
  return { outer: numel(shape.slice(0, a)), n: shape[a], inner: numel(shape.slice(a + 1)) };
}

export function softmaxRef(x: Float32Array, shape: Shape, axis: number, log: boolean): Float64Array {
  const { outer, n, inner } = around(shape, axis);
  const y = new Float64Array(x.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * n + k) * inner + i;
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, x[at(k)]);
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(x[at(k)] - m);
      for (let k = 0; k < n; k++) y[at(k)] = log ? x[at(k)] - m - Math.log(s) : Math.exp(x[at(k)] - m) / s;
    }
  return y;
}

export function layerNormRef(x: Float32Array, shape: Shape, axis: number, scale: Float32Array, bias: Float32Array | null, eps: number): Float64Array {
  const a = axis < 0 ? axis + shape.length : axis;
  const n = numel(shape.slice(a)), rows = n ? x.length / n : 0;
  const y = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let mean = 0, v = 0;
    for (let i = 0; i < n; i++) mean += x[r * n + i];
    mean /= n;
    for (let i = 0; i < n; i++) v += (x[r * n + i] - mean) ** 2;
    const rstd = 1 / Math.sqrt(v / n + eps);
    for (let i = 0; i < n; i++) y[r * n + i] = (x[r * n + i] - mean) * rstd * scale[i] + (bias ? bias[i] : 0);
  }
  return y;
}

export function batchNormRef(x: Float32Array, shape: Shape, s: Float32Array, b: Float32Array, mean: Float32Array, v: Float32Array, eps: number): Float64Array {
  const c = shape[1], inner = numel(shape.slice(2));
  return Float64Array.from(x, (xv, i) => {
    const k = Math.floor(i / inner) % c;
    return (s[k] * (xv - mean[k])) / Math.sqrt(v[k] + eps) + b[k];
  });
}

/** Reduction over `axes` (all when empty), keepdims shape returned. */
export function reduceRef(op: string, x: Float32Array, shape: Shape, axes: number[], keepdims: boolean): { y: Float64Array; shape: number[] } {
  const rank = shape.length;
  const red = shape.map((_, d) => axes.length === 0 || axes.some((a) => (a < 0 ? a + rank : a) === d));
  const kept = shape.map((d, i) => (red[i] ? 1 : d));
  const out = new Float64Array(numel(kept));
  const count = numel(shape.filter((_, i) => red[i]));
  out.fill(op === 'ReduceMax' ? -Infinity : op === 'ReduceMin' ? Infinity : 0);
  const ostr = new Array<number>(rank).fill(0);
  for (let d = rank - 1, s = 1; d >= 0; d--) { ostr[d] = s; s *= kept[d]; }
  for (let i = 0; i < x.length; i++) {
    let rem = i, o = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const j = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
      if (!red[d]) o += j * ostr[d];
    }
    const v = x[i];
    if (op === 'ReduceMax') out[o] = Number.isNaN(out[o]) || Number.isNaN(v) ? NaN : Math.max(out[o], v);
    else if (op === 'ReduceMin') out[o] = Number.isNaN(out[o]) || Number.isNaN(v) ? NaN : Math.min(out[o], v);
    else out[o] += v;
  }
  if (op === 'ReduceMean') for (let o = 0; o < out.length; o++) out[o] /= count;
  return { y: out, shape: keepdims ? kept : shape.filter((_, i) => !red[i]) };
}

/** ONNX Cast of one value; float -> integer truncates toward zero (in-range values only). */
export function castRef(v: Num, from: DType, to: DType): Num {
  if (to === 'bool') return Number(v) !== 0 ? 1 : 0;
  if (to === 'float32') return Math.fround(Number(v));
  const x = from === 'float32' ? Math.trunc(Number(v)) : BigInt(v);
  const wrap: Record<string, (b: bigint) => Num> = {
    int64: (b) => BigInt.asIntN(64, b),
    int32: (b) => Number(BigInt.asIntN(32, b)),
    int8: (b) => Number(BigInt.asIntN(8, b)),
    uint8: (b) => Number(BigInt.asUintN(8, b)),
  };
  return wrap[to](BigInt(x));
}

export interface Tensor { dtype: DType; shape: Shape; data?: PlanTypedArray }

/**
 * A plan of one op: inputs without data are fed at run time, in order; inputs with data are
 * constants; null is an absent optional input.
 */
export function opPlan(op: string, inputs: (Tensor | null)[], outputs: { dtype: DType; shape: Shape }[], attrs: Plan['ops'][number]['attrs'] = {}): Plan {
  const values: Plan['values'][number][] = [];
  const ids = inputs.map((t) => (t ? values.push(t.data ? { dtype: t.dtype, shape: t.shape, data: t.data } : { dtype: t.dtype, shape: t.shape }) - 1 : null));
  const outs = outputs.map((t) => values.push({ dtype: t.dtype, shape: t.shape }) - 1);
  return {
    values,
    ops: [{ op, inputs: ids, outputs: outs, attrs }],
    inputs: ids.filter((id, i): id is number => id !== null && !inputs[i]!.data),
    outputs: outs,
  };
}

export function typedArray(dtype: DType, values: ArrayLike<Num>): PlanTypedArray {
  const A = DTYPES[dtype].array as unknown as { from(v: ArrayLike<Num>): PlanTypedArray };
  return A.from(values);
}
