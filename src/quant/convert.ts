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
import { copyGraph } from '../graph/copy';
import { topoSort } from '../graph/specialize';
import { invalid } from '../errors';
import type { QParams } from './qparams';
import { quantizePerChannel } from './quantize';
import type { PreparedModel } from './prepare';
import { quantizeWeights, type WeightOptions } from './weights';

export type { WeightOptions } from './weights';

/** Options of {@link convert}. */
export interface ConvertOptions {
  /** How weights are quantized, for all quantized nodes or per node. */
  weight?: WeightOptions | ((node: Node) => WeightOptions);
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

/**
 * Writes the calibrated model as QDQ ONNX: QuantizeLinear/DequantizeLinear around each quantized
 * node's activations with the observers' parameters, s8 symmetric weights (per channel by default)
 * and s32 biases at scale s_input x s_weight. The prepared graph is not modified.
 * @param prepared A model {@link prepare}d and {@link calibrate}d.
 * @param options Weight quantization, globally or per node.
 * @returns The quantized graph.
 * @throws {@link InvalidArgumentError} when an activation observer returned per-channel or non-8-bit parameters.
 * @throws {@link InvalidGraphError} when the graph has a cycle or reads a value nothing produces.
 */
export function convert(prepared: PreparedModel, options: ConvertOptions = {}): Graph {
  const src = prepared.graph;
  const g: Graph = { ...copyGraph(src), opset: Math.max(src.opset, 13) };
  const edit = new GraphEditor(g);
  const original = [...g.nodes];
  const before = new Map(src.nodes.map((n) => [n.name, n])); // inputs before activation rewiring

  // Activations: one scale / zero point pair per group, one Q -> DQ pair per member value.
  const actParams = new Map<string, QParams>();
  const dequantized = new Map<string, string>(); // observed value -> its DequantizeLinear output
  prepared.groups.forEach((group, gi) => {
    const qp = prepared.observers[gi].calculateQParams();
    if (qp.scale.length !== 1 || qp.dtype === 'qint32')
      throw invalid(`the activation observer of "${group[0]}"`, 'per-tensor quint8 or qint8 parameters', `${qp.qscheme} ${qp.dtype}`);
    const scale = edit.initializer(`${group[0]}_scale`, { dtype: 'float32', dims: [], data: Float32Array.from(qp.scale) });
    const zp = edit.initializer(`${group[0]}_zero_point`, zeroPointTensor(qp, []));
    for (const v of group) {
      actParams.set(v, qp);
      dequantized.set(v, edit.node('DequantizeLinear', [edit.node('QuantizeLinear', [v, scale, zp], `${v}_quantized`), scale, zp], `${v}_dequantized`));
    }
  });
  for (const n of original) n.inputs = n.inputs.map((i) => dequantized.get(i) ?? i);

  // Weights and biases of the quantized Conv / Gemm / MatMul nodes.
  for (const n of original) {
    if (!prepared.quantizedNodes.has(n.name) || !['Conv', 'Gemm', 'MatMul'].includes(n.opType)) continue;
    const orig = before.get(n.name)!;
    const wName = orig.inputs[1];
    const w = src.initializers.get(wName);
    if (!w || w.dtype !== 'float32') continue; // a computed B (attention) is an activation
    const wo = (typeof options.weight === 'function' ? options.weight(n) : options.weight) ?? {};
    const axis = weightAxis(n, w.dims.length);
    const { q, scales, perChannel, scale, zeroPoint } = quantizeWeights(w.data as Float32Array, w.dims, axis, wo);
    const wqName = edit.initializer(`${wName}_quantized`, { dtype: 'int8', dims: [...w.dims], data: q });
    const ws = edit.initializer(`${wName}_scale`, scale);
    const wzp = edit.initializer(`${wName}_zero_point`, zeroPoint);
    n.inputs[1] = edit.node('DequantizeLinear', [wqName, ws, wzp], `${wName}_dequantized`, perChannel ? { axis } : {});

    const bName = n.opType === 'MatMul' ? '' : orig.inputs[2] ?? '';
    const b = bName ? src.initializers.get(bName) : undefined;
    const xq = actParams.get(orig.inputs[0]);
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
