/**
 * QDQ -> INT8 ops. A QDQ graph says "quantize here" with QuantizeLinear / DequantizeLinear pairs
 * around float ops; this pass replaces each DequantizeLinear -> op -> [Relu | Clip] -> QuantizeLinear
 * chain whose parameters are constants by one integer op that computes the same codes:
 *   Conv            -> QLinearConv (bias as int32 at x_scale * w_scale; ReLU / Clip as y_min / y_max)
 *   MatMul, Gemm    -> QLinearMatMul (int8kit's extensions: int32 bias input, y_min / y_max)
 *   Add, Mul        -> com.microsoft QLinearAdd / QLinearMul
 *   AveragePool, GlobalAveragePool -> com.microsoft QLinearAveragePool / QLinearGlobalAveragePool
 *   Concat          -> com.microsoft QLinearConcat (inputs with other parameters are requantized)
 *   MaxPool, Reshape, Flatten, Transpose, Squeeze, Unsqueeze with equal in / out parameters -> the
 *                      same op on the codes
 *   unary activations -> a 256-entry table (QLinearLookup), or QLinearSigmoid / QLinearLeakyRelu
 * Everything else stays as it is: an FP32 island between its DequantizeLinear and QuantizeLinear.
 * The clamp is exact because QuantizeLinear is monotonic: Q(clip(v, lo, hi)) = clamp(Q(v), Q(lo), Q(hi)).
 * Shape-independent: it reads only constants, so a Session runs it once per model.
 */
import type { Graph, Node, TensorData } from './ir';
import { fold } from './fold';
import { RULES } from './infer';
import { freshNames } from './names';
import { eliminateDeadNodes } from './passes';
import { topoSort } from './specialize';

/** The INT8 kernel family a lowering targets: u8 x s8 (`fbgemm`) or u8 x u8 (`qnnpack`). */
export type Int8Family = 'fbgemm' | 'qnnpack';

/** Options of {@link lowerQdq}. */
export interface LowerQdqOptions {
  /** Which INT8 kernels the convolutions and GEMMs use: u8 x s8 (fbgemm, default) or u8 x u8 (qnnpack). */
  family?: Int8Family;
  /**
   * Emit only ops and attributes onnxruntime knows (ONNX QLinearConv / QLinearMatMul, com.microsoft
   * QLinear*), for writing a QOperator model; chains that need int8kit's extensions stay QDQ.
   */
  standard?: boolean;
}

/** How many chains each rule lowered, by the op that replaced them. */
export type LowerQdqReport = Record<string, number>;

interface QParams {
  scale: string;
  zp: string;
  s: number;
  z: number;
  dtype: 'uint8' | 'int8';
}

interface Dequantized extends QParams {
  /** The codes. */
  x: string;
  /** Per-channel scales and zero points (length 1 per tensor) and their axis. */
  scales: Float32Array;
  zps: Int32Array;
  axis: number;
}

const RANGE = { uint8: [0, 255], int8: [-128, 127] } as const;

/** ONNX QuantizeLinear of one float: x / scale in float32, rounded half to even, plus zp, saturated. */
export function quantizeValue(x: number, p: { s: number; z: number; dtype: 'uint8' | 'int8' }): number {
  const v = Math.fround(Math.fround(x) / p.s);
  const r = Math.round(v);
  const even = Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : r;
  const [lo, hi] = RANGE[p.dtype];
  return Math.min(hi, Math.max(lo, even + p.z));
}

/** The float functions the u8 tables implement (float32 in, float out; quantized once). */
const TABLE_FUNCTIONS: Record<string, (n: Node, c: (i: number) => number | undefined) => ((x: number) => number) | undefined> = {
  Sigmoid: () => (x) => 1 / (1 + Math.exp(-x)),
  Tanh: () => Math.tanh,
  Relu: () => (x) => Math.max(x, 0),
  LeakyRelu: (n) => {
    const a = Math.fround((n.attrs.alpha as number) ?? 0.01);
    return (x) => (x >= 0 ? x : Math.fround(a * x));
  },
  HardSigmoid: (n) => {
    const a = (n.attrs.alpha as number) ?? 0.2, b = (n.attrs.beta as number) ?? 0.5;
    return (x) => Math.max(0, Math.min(1, a * x + b));
  },
  HardSwish: () => (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)),
  Elu: (n) => {
    const a = (n.attrs.alpha as number) ?? 1;
    return (x) => (x >= 0 ? x : a * Math.expm1(x));
  },
  Softplus: () => (x) => Math.log1p(Math.exp(x)),
  Softsign: () => (x) => x / (1 + Math.abs(x)),
  Abs: () => Math.abs,
  Neg: () => (x) => -x,
  Exp: () => Math.exp,
  Clip: (n, c) => {
    const lo = n.inputs[1] ? c(1) : -Infinity, hi = n.inputs[2] ? c(2) : Infinity;
    return lo === undefined || hi === undefined ? undefined : (x) => Math.min(hi, Math.max(lo, x));
  },
};

/** Ops that only move or select codes: they commute with quantization when in and out parameters are equal. */
const MOVES = new Set(['MaxPool', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze']);

class Lowering {
  private readonly consumers = new Map<string, Node[]>();
  private readonly producer = new Map<string, Node>();
  private readonly outputs: Set<string>;
  private readonly fresh: (base: string) => string;
  readonly removed = new Set<Node>();
  readonly replaced = new Map<Node, Node[]>();
  readonly report: LowerQdqReport = {};

  constructor(
    private readonly g: Graph,
    private readonly o: Required<LowerQdqOptions>,
  ) {
    for (const n of g.nodes) {
      for (const i of n.inputs) if (i) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);
      for (const out of n.outputs) if (out) this.producer.set(out, n);
    }
    this.outputs = new Set(g.outputs.map((x) => x.name));
    this.fresh = freshNames(g);
  }
  private constant(base: string, t: TensorData): string {
    const name = this.fresh(base);
    this.g.initializers.set(name, t);
    return name;
  }
  private floats(name: string | undefined): Float32Array | undefined {
    const t = name ? this.g.initializers.get(name) : undefined;
    return t?.dtype === 'float32' ? (t.data as Float32Array) : undefined;
  }

  /** The one consumer of a value that is not a graph output. */
  private sole(value: string): Node | undefined {
    const c = this.consumers.get(value);
    return c?.length === 1 && !this.outputs.has(value) ? c[0] : undefined;
  }

  /** Scale and zero point of a QuantizeLinear / DequantizeLinear when both are constants (zero point absent: u8 0). */
  private params(scale: string, zp: string | undefined, axis: number, perChannel: boolean): (Dequantized & { x: '' }) | undefined {
    const s = this.floats(scale);
    if (!s || s.length < 1 || (!perChannel && s.length !== 1) || !s.every((v) => v > 0 && Number.isFinite(v))) return undefined;
    const z = zp ? this.g.initializers.get(zp) : undefined;
    // int32 zero points only occur on biases, which are read, never emitted as codes.
    if (zp && (!z || !['uint8', 'int8', 'int32'].includes(z.dtype) || (z.data.length !== 1 && z.data.length !== s.length))) return undefined;
    const dtype = (z?.dtype ?? 'uint8') as 'uint8' | 'int8';
    const zps = z ? Int32Array.from(z.data as Int32Array) : new Int32Array(1);
    const zpName = zp || this.constant('zero_point_u8', { dtype: 'uint8', dims: [], data: new Uint8Array(1) });
    return { x: '', scale, zp: zpName, s: s[0], z: zps[0], dtype, scales: s, zps, axis };
  }

  /** The codes and parameters behind a DequantizeLinear output (per tensor unless perChannel). */
  private dq(value: string | undefined, perChannel = false): Dequantized | undefined {
    const n = value ? this.producer.get(value) : undefined;
    if (!n || n.opType !== 'DequantizeLinear' || n.domain) return undefined;
    const p = this.params(n.inputs[1], n.inputs[2], (n.attrs.axis as number | undefined) ?? 1, perChannel);
    return p && { ...p, x: n.inputs[0] };
  }
  private isConst(name: string): boolean {
    return this.g.initializers.has(name);
  }

  /**
   * The QuantizeLinear that ends a chain from `n`, through at most one Relu / Clip with constant
   * bounds when `act` is allowed, and the output clamp that activation amounts to.
   */
  private tail(n: Node, act: boolean, bounds: [number, number] = [-Infinity, Infinity]) {
    let v = n.outputs[0];
    let c = this.sole(v);
    const chain: Node[] = [];
    let [lo, hi] = bounds;
    if (act && c && !c.domain && (c.opType === 'Relu' || c.opType === 'Clip')) {
      const b = this.activationBounds(c);
      if (!b) return undefined;
      [lo, hi] = [Math.max(lo, b[0]), Math.min(hi, b[1])];
      chain.push(c);
      v = c.outputs[0];
      c = this.sole(v);
    }
    if (!c || c.opType !== 'QuantizeLinear' || c.domain) return undefined;
    const q = this.params(c.inputs[1], c.inputs[2], 1, false);
    if (!q) return undefined;
    const [qmin, qmax] = RANGE[q.dtype];
    const yMin = lo === -Infinity ? qmin : Math.max(qmin, quantizeValue(lo, q));
    const yMax = hi === Infinity ? qmax : Math.min(qmax, quantizeValue(hi, q));
    return { q, out: c.outputs[0], nodes: [...chain, c], yMin, yMax, clamps: yMin !== qmin || yMax !== qmax };
  }

  private activationBounds(act: Node): [number, number] | undefined {
    if (act.opType === 'Relu') return [0, Infinity];
    const c = (i: number, def: number) => {
      if (!act.inputs[i]) return (act.attrs[i === 1 ? 'min' : 'max'] as number | undefined) ?? def;
      const t = this.floats(act.inputs[i]);
      return t?.length === 1 ? t[0] : undefined;
    };
    const lo = c(1, -Infinity), hi = c(2, Infinity);
    return lo === undefined || hi === undefined ? undefined : [lo, hi];
  }

  private replace(n: Node, tailNodes: Node[], with_: Node[], rule: string): true {
    this.replaced.set(n, with_);
    tailNodes.forEach((t) => this.removed.add(t));
    this.report[rule] = (this.report[rule] ?? 0) + 1;
    return true;
  }
  private node(base: Node, opType: string, inputs: string[], output: string, attrs: Node['attrs'], domain = ''): Node {
    return { name: this.fresh(`${base.name || output}_${opType}`), opType, domain, inputs, outputs: [output], attrs };
  }

  /** The int32 bias of a lowered Conv / Gemm at x_scale * w_scale[c] (float32 products, as the kernels'). */
  private bias(name: string | undefined, x: Dequantized, w: Dequantized, channels: number): string | undefined | null {
    if (!name) return undefined;
    const scale = (c: number) => Math.fround(x.s * w.scales[w.scales.length === 1 ? 0 : c]);
    const d = this.dq(name, true);
    const q = d && this.g.initializers.get(d.x);
    if (d && q?.dtype === 'int32' && q.data.length === channels && d.zps.every((z) => z === 0)) {
      if (Array.from({ length: channels }, (_, c) => d.scales[d.scales.length === 1 ? 0 : c] === scale(c)).every(Boolean)) return d.x;
    }
    // A bias with other parameters or in float: requantize at the accumulator's scale.
    const f = d && q?.dtype === 'int32' ? Float32Array.from(q.data as Int32Array, (v, c) => (v - d.zps[0]) * d.scales[d.scales.length === 1 ? 0 : c]) : this.floats(name);
    if (!f || f.length !== channels) return null;
    const data = Int32Array.from(f, (v, c) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(v / scale(c)))));
    return this.constant(`${name}_int32`, { dtype: 'int32', dims: [channels], data });
  }

  private clampAttrs(t: { yMin: number; yMax: number; clamps: boolean }): Node['attrs'] {
    return t.clamps ? { y_min: t.yMin, y_max: t.yMax } : {};
  }

  conv(n: Node): boolean {
    const x = this.dq(n.inputs[0]), w = this.dq(n.inputs[1], true);
    if (!x || !w || this.isConst(x.x) || !this.isConst(w.x)) return false;
    const wt = this.g.initializers.get(w.x)!;
    if ((wt.dtype !== 'int8' && wt.dtype !== 'uint8') || wt.dims.length < 3 || (w.scales.length > 1 && w.axis !== 0)) return false;
    const fused = n.attrs.activation as string | undefined;
    let bounds: [number, number] = [-Infinity, Infinity];
    if (fused) {
      const p = (n.attrs.activation_params as number[] | undefined) ?? [];
      if (fused === 'Relu') bounds = [0, Infinity];
      else if (fused === 'Clip' && p.length === 2) bounds = [p[0] <= -3.4e38 ? -Infinity : p[0], p[1] >= 3.4e38 ? Infinity : p[1]];
      else return false;
    }
    const t = this.tail(n, !fused, bounds);
    if (!t || (this.o.standard && t.clamps)) return false;
    const bias = this.bias(n.inputs[2], x, w, wt.dims[0]);
    if (bias === null) return false;
    const { activation: _a, activation_params: _p, ...attrs } = n.attrs;
    const inputs = [x.x, x.scale, x.zp, w.x, w.scale, w.zp, t.q.scale, t.q.zp, ...(bias ? [bias] : [])];
    // Depthwise convolutions keep the depthwise kernels (u8 activations, any weights) in every family:
    // the u8 x u8 GEMM would run them as one 1-channel GEMM per group.
    const depthwise = ((attrs.group as number | undefined) ?? 1) > 1 && wt.dims[1] === 1;
    const qnnpack = this.o.family === 'qnnpack' && !this.o.standard && x.dtype === 'uint8' && t.q.dtype === 'uint8' && wt.dims.length === 4 && !t.clamps && !depthwise;
    if (qnnpack) {
      [inputs[3], inputs[5]] = this.unsignedWeights(w, wt);
      return this.replace(n, t.nodes, [this.node(n, 'QnnpackConv', inputs, t.out, { ...attrs, requantization: 'onnx' })], 'QnnpackConv');
    }
    return this.replace(n, t.nodes, [this.node(n, 'QLinearConv', inputs, t.out, { ...attrs, ...this.clampAttrs(t) })], 'QLinearConv');
  }

  /** s8 weights as u8 (w + 128, zero point + 128): the same products for the u8 x u8 kernels. */
  private unsignedWeights(w: Dequantized, t: TensorData): [string, string] {
    if (t.dtype === 'uint8') return [w.x, w.zp];
    const data = Uint8Array.from(t.data as Int8Array, (v) => v + 128);
    const zps = Uint8Array.from(w.zps, (z) => z + 128);
    const zpDims = zps.length === 1 ? [] : [zps.length];
    return [this.constant(`${w.x}_u8`, { dtype: 'uint8', dims: [...t.dims], data }), this.constant(`${w.zp}_u8`, { dtype: 'uint8', dims: zpDims, data: zps })];
  }

  matmul(n: Node): boolean {
    const a = this.dq(n.inputs[0]);
    if (!a || this.isConst(a.x)) return false;
    const constB = this.producer.get(n.inputs[1]) && this.isConst(this.producer.get(n.inputs[1])!.inputs[0] ?? '');
    const b = this.dq(n.inputs[1], constB);
    if (!b) return false;
    const bt = constB ? this.g.initializers.get(b.x)! : undefined;
    if (bt && (bt.dims.length !== 2 || (b.scales.length > 1 && b.axis !== 1 && b.axis !== -1))) return false;
    const t = this.tail(n, true);
    if (!t) return bt ? this.floatOutput(n, a, b, bt, undefined) : false;
    if (this.o.standard && t.clamps) return false;
    return this.emitMatMul(n, a, b, bt, undefined, t);
  }

  /**
   * A GEMM on codes whose result stays float (a graph output, or a float op reads it): onnxruntime's
   * MatMulIntegerToFloat, (a - a_zp)(b - b_zp) * a_scale * b_scale + bias in the output stage.
   */
  private floatOutput(n: Node, a: Dequantized, b: Dequantized, bt: TensorData, bias: string | undefined): boolean {
    if (this.o.standard || (bt.dtype !== 'int8' && bt.dtype !== 'uint8')) return false;
    const inputs = [a.x, b.x, a.scale, b.scale, a.zp, b.zp, ...(bias ? [bias] : [])];
    return this.replace(n, [], [this.node(n, 'MatMulIntegerToFloat', inputs, n.outputs[0], {}, 'com.microsoft')], 'MatMulIntegerToFloat');
  }

  /** A bias as float32 [channels]: a float constant, or a constant DequantizeLinear of one. */
  private floatBias(name: string | undefined, channels: number): string | undefined | null {
    if (!name) return undefined;
    const d = this.dq(name, true);
    const q = d && this.g.initializers.get(d.x);
    if (!d || !q) return this.floats(name)?.length === channels ? name : null;
    if (q.data.length !== channels) return null;
    const at = (c: number) => (d.scales.length === 1 ? 0 : c);
    const data = Float32Array.from(q.data as Int32Array, (v, c) => Math.fround((v - d.zps[d.zps.length === 1 ? 0 : c]) * d.scales[at(c)]));
    return this.constant(`${name}_float`, { dtype: 'float32', dims: [channels], data });
  }

  gemm(n: Node): boolean {
    const { alpha = 1, beta = 1, transA = 0, transB = 0 } = n.attrs as Record<string, number>;
    if (alpha !== 1 || beta !== 1 || transA || this.o.standard) return false;
    const a = this.dq(n.inputs[0]), b = this.dq(n.inputs[1], true);
    if (!a || !b || this.isConst(a.x) || !this.isConst(b.x)) return false;
    const bt = this.g.initializers.get(b.x)!;
    if (bt.dims.length !== 2 || (bt.dtype !== 'int8' && bt.dtype !== 'uint8')) return false;
    if (b.scales.length > 1 && b.axis !== (transB ? 0 : 1)) return false;
    const t = this.tail(n, true);
    // B as [K, N]: transposed once here so the GEMM packs it like a MatMul's.
    let kn = b;
    let knT = bt;
    if (transB) {
      const [rows, cols] = bt.dims;
      const src = bt.data as Int8Array | Uint8Array;
      const data = new (src.constructor as Int8ArrayConstructor)(rows * cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = src[r * cols + c];
      knT = { dtype: bt.dtype, dims: [cols, rows], data };
      kn = { ...b, x: this.constant(`${b.x}_kn`, knT), axis: 1 };
    }
    if (!t) {
      const bias = this.floatBias(n.inputs[2], knT.dims[1]);
      return bias !== null && this.floatOutput(n, a, kn, knT, bias);
    }
    const bias = this.bias(n.inputs[2], a, kn, knT.dims[1]);
    if (bias === null) return false;
    return this.emitMatMul(n, a, kn, knT, bias, t);
  }

  private emitMatMul(n: Node, a: Dequantized, b: Dequantized, bt: TensorData | undefined, bias: string | undefined, t: NonNullable<ReturnType<Lowering['tail']>>): boolean {
    const inputs = [a.x, a.scale, a.zp, b.x, b.scale, b.zp, t.q.scale, t.q.zp];
    if (bt && !bias && !t.clamps && this.o.family === 'qnnpack' && !this.o.standard && a.dtype === 'uint8' && t.q.dtype === 'uint8') {
      [inputs[3], inputs[5]] = this.unsignedWeights(b, bt);
      return this.replace(n, t.nodes, [this.node(n, 'QnnpackMatMul', inputs, t.out, { requantization: 'onnx' })], 'QnnpackMatMul');
    }
    return this.replace(n, t.nodes, [this.node(n, 'QLinearMatMul', bias ? [...inputs, bias] : inputs, t.out, this.clampAttrs(t))], 'QLinearMatMul');
  }

  binary(n: Node): boolean {
    const a = this.dq(n.inputs[0]), b = this.dq(n.inputs[1]);
    if (!a || !b || a.dtype !== b.dtype) return false;
    const t = this.tail(n, n.opType === 'Add');
    if (!t || t.q.dtype !== a.dtype || (t.clamps && this.o.standard)) return false;
    const op = `QLinear${n.opType}`;
    const inputs = [a.x, a.scale, a.zp, b.x, b.scale, b.zp, t.q.scale, t.q.zp];
    if (!t.clamps) return this.replace(n, t.nodes, [this.node(n, op, inputs, t.out, {}, 'com.microsoft')], op);
    // A fused ReLU after the add: clamp the codes through a table.
    const sum = this.fresh(`${t.out}_unclamped`);
    const table = this.table(t.q.dtype, (code) => Math.min(t.yMax, Math.max(t.yMin, code)));
    return this.replace(n, t.nodes, [this.node(n, op, inputs, sum, {}, 'com.microsoft'), this.node(n, 'QLinearLookup', [sum, table], t.out, {})], op);
  }

  /** A 256-entry table indexed by the u8 bit pattern of a code. */
  private table(dtype: 'uint8' | 'int8', f: (code: number) => number): string {
    const data = dtype === 'uint8' ? new Uint8Array(256) : new Int8Array(256);
    for (let i = 0; i < 256; i++) data[i] = f(dtype === 'uint8' ? i : (i << 24) >> 24);
    return this.constant('lookup_table', { dtype, dims: [256], data });
  }

  unary(n: Node): boolean {
    const x = this.dq(n.inputs[0]);
    const make = TABLE_FUNCTIONS[n.opType];
    if (!x || !make) return false;
    const t = this.tail(n, false);
    if (!t || t.q.dtype !== x.dtype) return false;
    if (this.o.standard) {
      if (n.opType !== 'Sigmoid' && n.opType !== 'LeakyRelu') return false;
      const op = `QLinear${n.opType}`;
      return this.replace(n, t.nodes, [this.node(n, op, [x.x, x.scale, x.zp, t.q.scale, t.q.zp], t.out, { ...n.attrs }, 'com.microsoft')], op);
    }
    const f = make(n, (i) => {
      const v = this.floats(n.inputs[i]);
      return v?.length === 1 ? v[0] : undefined;
    });
    if (!f) return false;
    const table = this.table(x.dtype, (code) => quantizeValue(f(Math.fround((code - x.z) * x.s)), t.q));
    return this.replace(n, t.nodes, [this.node(n, 'QLinearLookup', [x.x, table], t.out, {})], 'QLinearLookup');
  }

  pool(n: Node): boolean {
    const x = this.dq(n.inputs[0]);
    const t = x && this.tail(n, false);
    if (!x || !t || t.q.dtype !== x.dtype || n.outputs.length !== 1) return false;
    const op = `QLinear${n.opType}`;
    return this.replace(n, t.nodes, [this.node(n, op, [x.x, x.scale, x.zp, t.q.scale, t.q.zp], t.out, { ...n.attrs }, 'com.microsoft')], op);
  }

  concat(n: Node): boolean {
    const xs = n.inputs.map((i) => this.dq(i));
    const t = this.tail(n, false);
    if (!t || xs.some((x) => !x || x.dtype !== t.q.dtype)) return false;
    const inputs = [t.q.scale, t.q.zp, ...xs.flatMap((x) => [x!.x, x!.scale, x!.zp])];
    return this.replace(n, t.nodes, [this.node(n, 'QLinearConcat', inputs, t.out, { ...n.attrs }, 'com.microsoft')], 'QLinearConcat');
  }

  move(n: Node): boolean {
    const x = this.dq(n.inputs[0]);
    const t = x && this.tail(n, false);
    if (!x || !t || n.outputs.filter(Boolean).length !== 1) return false;
    if (t.q.dtype !== x.dtype || t.q.s !== x.s || t.q.z !== x.z) return false;
    return this.replace(n, t.nodes, [this.node(n, n.opType, [x.x, ...n.inputs.slice(1)], t.out, { ...n.attrs })], n.opType);
  }

  lower(n: Node): boolean {
    if (n.domain) return false;
    switch (n.opType) {
      case 'Conv':
        return this.conv(n);
      case 'MatMul':
        return this.matmul(n);
      case 'Gemm':
        return this.gemm(n);
      case 'Add':
      case 'Mul':
        return this.binary(n);
      case 'AveragePool':
      case 'GlobalAveragePool':
        return this.pool(n);
      case 'Concat':
        return this.concat(n);
    }
    if (MOVES.has(n.opType)) return this.move(n);
    return this.unary(n);
  }
}

const ONNX_INT = { 2: 'uint8', 3: 'int8' } as Record<number, string>;

/**
 * Exporters write parameters as nodes: torch.onnx emits Constant nodes, a ConstantOfShape -> Cast
 * for a zero bias zero point, and a Cast to the same type after each QuantizeLinear. The constants
 * are folded into initializers (DequantizeLinear stays: it is what the lowering matches) and the
 * no-op Casts are bypassed, so the chains read as the QDQ patterns above.
 */
function canonicalize(g: Graph): void {
  const zpType = new Map<string, string>(); // QuantizeLinear output -> its dtype
  const rename = new Map<string, string>();
  const kept: Node[] = [];
  for (const n of topoSort(g)) {
    n.inputs = n.inputs.map((i) => rename.get(i) ?? i);
    if (n.opType === 'QuantizeLinear' && !n.domain) zpType.set(n.outputs[0], g.initializers.get(n.inputs[2] ?? '')?.dtype ?? 'uint8');
    if (n.opType === 'Cast' && !n.domain && zpType.has(n.inputs[0]) && ONNX_INT[n.attrs.to as number] === zpType.get(n.inputs[0])) {
      rename.set(n.outputs[0], n.inputs[0]);
      if (!g.outputs.some((o) => o.name === n.outputs[0])) continue;
    }
    const consts = n.inputs.map((i) => (i ? g.initializers.get(i) : undefined));
    const rule = RULES[n.opType];
    if (!n.domain && rule && n.opType !== 'DequantizeLinear' && n.inputs.every((i, k) => !i || consts[k])) {
      try {
        const c = { node: n, inputs: consts.map((t) => t && { dtype: t.dtype, shape: t.dims }), consts, opset: g.opset };
        const folded = fold(c, rule(c));
        if (folded) {
          n.outputs.forEach((o, k) => o && g.initializers.set(o, folded[k]));
          continue;
        }
      } catch {
        // Not foldable here: the node stays and specialisation reports what is wrong with it.
      }
    }
    kept.push(n);
  }
  g.nodes = kept;
}

/**
 * Lowers a QDQ graph in place (see the file comment). Returns how many chains each rule took.
 * @param g A graph with QuantizeLinear/DequantizeLinear nodes, rewritten in place.
 * @throws {@link InvalidGraphError} when the graph has a cycle or a node reads a value nothing produces.
 */
export function lowerQdq(g: Graph, options: LowerQdqOptions = {}): LowerQdqReport {
  if (!g.nodes.some((n) => n.opType === 'DequantizeLinear')) return {};
  canonicalize(g);
  const l = new Lowering(g, { family: options.family ?? 'fbgemm', standard: options.standard ?? false });
  for (const n of g.nodes) if (!l.removed.has(n)) l.lower(n);
  if (!l.replaced.size) return l.report;
  g.nodes = g.nodes.flatMap((n) => (l.removed.has(n) ? [] : l.replaced.get(n) ?? [n]));
  g.nodes = topoSort(g);
  eliminateDeadNodes(g);
  return l.report;
}
