/**
 * convert(): turns a calibrated PreparedModel into a standard QDQ ONNX graph (what onnxruntime's
 * quantizer writes and runs in INT8):
 *   - every observed activation value v gets QuantizeLinear -> DequantizeLinear with its group's
 *     parameters, and its consumers read the dequantized value;
 *   - the float weights of quantized Conv / Gemm / MatMul nodes become int8 initializers behind a
 *     DequantizeLinear (symmetric, per output channel unless asked per tensor);
 *   - their biases become int32 with scale s_input * s_weight and zero point 0, so INT8 kernels can
 *     add them to the int32 accumulator exactly.
 */
import type { Graph, Node, TensorData } from '../graph/ir';
import { topoSort } from '../graph/specialize';
import { invalid } from '../errors';
import { calculateQParams, type QParams } from './qparams';
import { quantizePerChannel } from './quantize';
import { channelLayout } from './tensor-shape';
import { powerOfTwoPosition, powerOfTwoQParams } from './power-of-two';
import type { PreparedModel } from './prepare';

export interface ConvertOptions {
  /**
   * perChannel: weight scales per output channel (default) or one per tensor; reduceRange: weights
   * in [-64, 63], for INT8 kernels whose u8 x s8 pair sums must not overflow int16; powerOfTwo: a
   * per-tensor scale 2^-p (the smallest p whose range holds the weights).
   */
  weight?: WeightOptions | ((node: Node) => WeightOptions);
}

export interface WeightOptions {
  perChannel?: boolean;
  reduceRange?: boolean;
  powerOfTwo?: boolean;
}

const ONNX_DTYPE = { quint8: 'uint8', qint8: 'int8', qint32: 'int32' } as const;

function zeroPointTensor(qp: QParams, dims: number[]): TensorData {
  const dtype = ONNX_DTYPE[qp.dtype];
  const data = dtype === 'uint8' ? Uint8Array.from(qp.zeroPoint) : dtype === 'int8' ? Int8Array.from(qp.zeroPoint) : Int32Array.from(qp.zeroPoint);
  return { dtype, dims, data };
}

class GraphEditor {
  private readonly names: Set<string>;
  constructor(readonly g: Graph) {
    this.names = new Set([...g.initializers.keys(), ...g.inputs.map((i) => i.name), ...g.nodes.flatMap((n) => [...n.inputs, ...n.outputs])]);
  }
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }
  initializer(base: string, t: TensorData): string {
    const name = this.fresh(base);
    this.g.initializers.set(name, t);
    return name;
  }
  node(opType: string, inputs: string[], output: string, attrs: Node['attrs'] = {}): string {
    const out = this.fresh(output);
    this.g.nodes.push({ name: this.fresh(`${out}_node`), opType, domain: '', inputs, outputs: [out], attrs });
    return out;
  }
}

/** The channel axis of a quantized node's weight (the output channels). */
function weightAxis(n: Node, rank: number): number {
  if (n.opType === 'Conv') return 0;
  if (n.opType === 'Gemm') return n.attrs.transB ? 0 : 1;
  return rank - 1; // MatMul: B is [..., K, N]
}

function perChannelRange(w: Float32Array, dims: number[], axis: number): { min: Float64Array; max: Float64Array } {
  const { channels, inner } = channelLayout(dims, axis);
  const min = new Float64Array(channels).fill(Infinity), max = new Float64Array(channels).fill(-Infinity);
  for (let i = 0; i < w.length; i++) {
    const c = Math.floor(i / inner) % channels;
    if (w[i] < min[c]) min[c] = w[i];
    if (w[i] > max[c]) max[c] = w[i];
  }
  return { min, max };
}

export function convert(prepared: PreparedModel, options: ConvertOptions = {}): Graph {
  const src = prepared.graph;
  const g: Graph = { ...src, nodes: src.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })), initializers: new Map(src.initializers), opset: Math.max(src.opset, 13) };
  const edit = new GraphEditor(g);
  const original = [...g.nodes];

  // Activations: one scale / zero point pair per group, one Q -> DQ pair per member value.
  const actParams = new Map<string, QParams>();
  prepared.groups.forEach((group, gi) => {
    const qp = prepared.observers[gi].calculateQParams();
    if (qp.scale.length !== 1 || qp.dtype === 'qint32')
      throw invalid(`the activation observer of "${group[0]}"`, 'per-tensor quint8 or qint8 parameters', `${qp.qscheme} ${qp.dtype}`);
    const scale = edit.initializer(`${group[0]}_scale`, { dtype: 'float32', dims: [], data: Float32Array.from(qp.scale) });
    const zp = edit.initializer(`${group[0]}_zero_point`, zeroPointTensor(qp, []));
    for (const v of group) {
      actParams.set(v, qp);
      const dq = edit.node('DequantizeLinear', [edit.node('QuantizeLinear', [v, scale, zp], `${v}_quantized`), scale, zp], `${v}_dequantized`);
      for (const n of original) n.inputs = n.inputs.map((i) => (i === v ? dq : i));
    }
  });

  // Weights and biases of the quantized Conv / Gemm / MatMul nodes.
  for (const n of original) {
    if (!prepared.quantizedNodes.has(n.name) || !['Conv', 'Gemm', 'MatMul'].includes(n.opType)) continue;
    const before = src.nodes.find((x) => x.name === n.name)!; // inputs before activation rewiring
    const wName = before.inputs[1];
    const w = src.initializers.get(wName);
    if (!w || w.dtype !== 'float32') continue; // a computed B (attention) is an activation
    const wo = (typeof options.weight === 'function' ? options.weight(n) : options.weight) ?? {};
    const pow2 = wo.powerOfTwo ?? false;
    const perChannel = !pow2 && (wo.perChannel ?? true);
    const axis = weightAxis(n, w.dims.length);
    const { min, max } = perChannel ? perChannelRange(w.data as Float32Array, w.dims, axis) : perChannelRange(w.data as Float32Array, [1, w.data.length], 0);
    const wq = pow2
      ? powerOfTwoQParams(powerOfTwoPosition(min[0], max[0], 'qint8') ?? 0, 'qint8')
      : calculateQParams(min, max, { dtype: 'qint8', qscheme: perChannel ? 'per_channel_symmetric' : 'per_tensor_symmetric', reduceRange: wo.reduceRange });
    const scales = perChannel ? wq.scale : new Float32Array(w.dims[axis]).fill(wq.scale[0]);
    const q = quantizePerChannel(w.data as Float32Array, { shape: w.dims, axis, scales, zeroPoints: new Int32Array(scales.length), dtype: 'qint8' });
    const wqName = edit.initializer(`${wName}_quantized`, { dtype: 'int8', dims: [...w.dims], data: q });
    const sDims = perChannel ? [scales.length] : [];
    const ws = edit.initializer(`${wName}_scale`, { dtype: 'float32', dims: sDims, data: perChannel ? Float32Array.from(scales) : Float32Array.of(scales[0]) });
    const wzp = edit.initializer(`${wName}_zero_point`, { dtype: 'int8', dims: sDims, data: new Int8Array(perChannel ? scales.length : 1) });
    n.inputs[1] = edit.node('DequantizeLinear', [wqName, ws, wzp], `${wName}_dequantized`, perChannel ? { axis } : {});

    const bName = n.opType === 'MatMul' ? '' : before.inputs[2] ?? '';
    const b = bName ? src.initializers.get(bName) : undefined;
    const xq = actParams.get(before.inputs[0]);
    if (!b || b.dtype !== 'float32' || b.dims.length !== 1 || b.dims[0] !== scales.length || !xq) continue;
    // float32 products, as the INT8 kernels' requantization scale is computed.
    const bScales = Float32Array.from(scales, (s) => Math.fround(xq.scale[0] * s));
    const bq = quantizePerChannel(b.data as Float32Array, { shape: b.dims, axis: 0, scales: bScales, zeroPoints: new Int32Array(bScales.length), dtype: 'qint32' });
    const bqName = edit.initializer(`${bName}_quantized`, { dtype: 'int32', dims: [...b.dims], data: bq });
    const bs = edit.initializer(`${bName}_scale`, { dtype: 'float32', dims: [bScales.length], data: bScales });
    const bzp = edit.initializer(`${bName}_zero_point`, { dtype: 'int32', dims: [bScales.length], data: new Int32Array(bScales.length) });
    n.inputs[2] = edit.node('DequantizeLinear', [bqName, bs, bzp], `${bName}_dequantized`, { axis: 0 });
  }
  // Float weights that every quantized node now reads through a DequantizeLinear are dropped.
  const used = new Set(g.nodes.flatMap((n) => n.inputs));
  for (const name of [...g.initializers.keys()]) if (!used.has(name)) g.initializers.delete(name);
  g.nodes = topoSort(g);
  return g;
}
