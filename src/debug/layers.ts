// The quantized layers of a QDQ model and their FP32 counterparts. A layer is a Conv / MatMul /
// Gemm (or ConvTranspose) whose data input comes out of a DequantizeLinear. Its activation tap is
// the first QuantizeLinear -> DequantizeLinear pair after it, reached through ops the quantizer
// keeps inside a layer (Relu, Clip, BatchNormalization, ...). It is matched to the FP32 model by
// node name, then output name, then weight name (int8kit writes `<w>_quantized`, onnxruntime's
// quantize_static `<w>_quantized` too; folded BatchNorm weights end in `_folded`).
import type { Graph, Node, TensorData } from '../graph/ir';

export const LAYER_OPS = ['Conv', 'ConvTranspose', 'MatMul', 'Gemm'];
/** Ops between a layer and its output Q/DQ pair that keep the layer's activation "its own". */
const PASS = new Set(['Relu', 'Clip', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Sigmoid', 'BatchNormalization', 'Identity']);

export interface QParams {
  scale: number;
  zeroPoint: number;
  dtype: 'uint8' | 'int8';
}

/** One QuantizeLinear and the DequantizeLinear reading its output. */
export interface ActPair {
  q: Node;
  dq: Node;
  /** The float value quantized (the Q input) and the dequantized one (the DQ output). */
  float: string;
  dequantized: string;
  params?: QParams;
}

export interface WeightRef {
  /** The quantized initializer's name and data (int8 or uint8 codes). */
  name: string;
  codes: TensorData;
  scales: Float32Array;
  zeroPoints: Int32Array;
  /** The channel axis for per-channel scales. */
  axis?: number;
}

export interface Layer {
  name: string;
  opType: string;
  node: Node;
  /** The pair whose DQ output is the layer's data input. */
  input?: ActPair;
  /** The pair after the layer (through PASS ops); undefined when its output stays float. */
  output?: ActPair;
  /** The float value the activation statistics are about: output.float, or the end of the PASS chain. */
  value: string;
  weight?: WeightRef;
  /** The weight and bias DequantizeLinear nodes (stripped in attribution runs of other layers). */
  paramDqs: Node[];
  /** The FP32 node (in the FP32 model with BatchNorm folded) and its float weight and bias. */
  fp32?: { node: Node; weight?: TensorData; bias?: TensorData; matchedBy: 'node name' | 'output name' | 'weight name' };
  notes: string[];
}

function initializer(g: Graph, name: string | undefined): TensorData | undefined {
  return name ? g.initializers.get(name) : undefined;
}

const toNumbers = (t: TensorData) => Array.from(t.data as ArrayLike<number | bigint>, Number);

function qparams(g: Graph, q: Node): QParams | undefined {
  const s = initializer(g, q.inputs[1]), z = initializer(g, q.inputs[2]);
  if (!s || s.data.length !== 1) return undefined;
  const dtype = z?.dtype ?? 'uint8';
  if (dtype !== 'uint8' && dtype !== 'int8') return undefined;
  return { scale: Number(s.data[0]), zeroPoint: z ? toNumbers(z)[0] : 0, dtype };
}

function consumers(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) m.set(i, [...(m.get(i) ?? []), n]);
  return m;
}

/** Every Q -> DQ activation pair of the graph, by DQ output. */
export function activationPairs(g: Graph): Map<string, ActPair> {
  const uses = consumers(g), pairs = new Map<string, ActPair>();
  for (const q of g.nodes) {
    if (q.opType !== 'QuantizeLinear' || g.initializers.has(q.inputs[0])) continue;
    for (const dq of uses.get(q.outputs[0]) ?? [])
      if (dq.opType === 'DequantizeLinear') pairs.set(dq.outputs[0], { q, dq, float: q.inputs[0], dequantized: dq.outputs[0], params: qparams(g, q) });
  }
  return pairs;
}

/** The constant a DequantizeLinear reads and its parameters; undefined when they are not initializers. */
export function dequantizeInput(g: Graph, dq: Node): WeightRef | undefined {
  const codes = initializer(g, dq.inputs[0]), s = initializer(g, dq.inputs[1]), z = initializer(g, dq.inputs[2]);
  if (!codes || !s) return undefined;
  const scales = Float32Array.from(s.data as Float32Array);
  const zeroPoints = z ? Int32Array.from(toNumbers(z)) : new Int32Array(scales.length);
  const axis = scales.length > 1 ? (((dq.attrs.axis as number | undefined) ?? 1) + codes.dims.length) % codes.dims.length : undefined;
  return { name: dq.inputs[0], codes, scales, zeroPoints, axis };
}

const stripSuffixes = (name: string) => name.replace(/(_quantized|_folded\d*)+$/, '');

/**
 * The layers of `qdq`, in graph order, matched against `fp32Folded` (the FP32 graph after
 * foldBatchNorm, so folded weights compare with folded weights).
 */
export function findLayers(qdq: Graph, fp32Folded: Graph): Layer[] {
  const pairs = activationPairs(qdq), uses = consumers(qdq);
  const pairOfQ = new Map([...pairs.values()].map((p) => [p.q, p] as const));
  const producer = new Map(qdq.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const layers: Layer[] = [];
  for (const node of qdq.nodes) {
    if (!LAYER_OPS.includes(node.opType) || !pairs.has(node.inputs[0])) continue;
    const notes: string[] = [];
    const paramDqs = node.inputs.slice(1).map((i) => producer.get(i)).filter((n): n is Node => n?.opType === 'DequantizeLinear' && dequantizeInput(qdq, n) !== undefined);
    const wDq = producer.get(node.inputs[1]);
    const w = wDq?.opType === 'DequantizeLinear' ? dequantizeInput(qdq, wDq) : undefined;
    const weight = w && (w.codes.dtype === 'int8' || w.codes.dtype === 'uint8') ? w : undefined;
    if (!weight) notes.push('weights not quantized (no DequantizeLinear of a constant)');
    // Follow the output through PASS ops to the first Q/DQ pair.
    let value = node.outputs[0], output: ActPair | undefined;
    for (let hops = 0; hops < 8 && !output; hops++) {
      const next = uses.get(value) ?? [];
      const q = next.find((n) => n.opType === 'QuantizeLinear');
      const pair = q && pairOfQ.get(q);
      if (pair) output = pair;
      else if (next.length === 1 && PASS.has(next[0].opType)) value = next[0].outputs[0];
      else break;
    }
    if (!output) notes.push(`output ${value} is not quantized: its float value is compared`);
    else if (!uses.get(output.dequantized)?.length && !qdq.outputs.some((o) => o.name === output!.dequantized))
      notes.push(`the Q/DQ pair on ${value} is never read (the model returns the float value): its SQNR and clipping describe the pair, not the model's output`);
    const layer: Layer = { name: node.name || node.outputs[0], opType: node.opType, node, input: pairs.get(node.inputs[0]), output, value, weight, paramDqs, notes };
    layer.fp32 = matchFp32(fp32Folded, layer);
    if (!layer.fp32) notes.push('no FP32 node with this name, output or weight: weight statistics skipped');
    layers.push(layer);
  }
  return layers;
}

function matchFp32(fp: Graph, layer: Layer): Layer['fp32'] {
  const same = (n: Node) => n.opType === layer.opType;
  const wBase = layer.weight ? stripSuffixes(layer.weight.name) : undefined;
  let matchedBy: NonNullable<Layer['fp32']>['matchedBy'] = 'node name';
  let node = layer.node.name ? fp.nodes.find((n) => same(n) && n.name === layer.node.name) : undefined;
  if (!node) {
    matchedBy = 'output name';
    node = fp.nodes.find((n) => same(n) && n.outputs[0] === layer.node.outputs[0]);
  }
  if (!node && wBase) {
    matchedBy = 'weight name';
    node = fp.nodes.find((n) => same(n) && stripSuffixes(n.inputs[1] ?? '') === wBase);
  }
  if (!node) return undefined;
  const weight = initializer(fp, node.inputs[1]), bias = initializer(fp, node.inputs[2]);
  const fits = weight && layer.weight && weight.dtype === 'float32' && weight.dims.join() === layer.weight.codes.dims.join();
  if (layer.weight && !fits) layer.notes.push(`FP32 weight ${node.inputs[1]} does not have the quantized weight's dims: weight statistics skipped`);
  return { node, weight: fits ? weight : undefined, bias: bias?.dtype === 'float32' ? bias : undefined, matchedBy };
}

/** The float values of quantized weight codes (per tensor or per channel along `axis`). */
export function dequantizeWeight(w: WeightRef): Float32Array {
  const { codes, scales, zeroPoints, axis } = w;
  const out = new Float32Array(codes.data.length);
  const inner = axis === undefined ? 1 : codes.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channels = axis === undefined ? 1 : codes.dims[axis];
  for (let i = 0; i < out.length; i++) {
    const c = axis === undefined ? 0 : Math.floor(i / inner) % channels;
    out[i] = (Number(codes.data[i]) - zeroPoints[c]) * scales[c];
  }
  return out;
}
