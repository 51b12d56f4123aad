/**
 * QOperator -> QDQ: models quantized elsewhere in the operator format (QLinearConv, QLinearMatMul and
 * onnxruntime's com.microsoft QLinearAdd, QLinearMul, QLinearGlobalAveragePool, QLinearAveragePool,
 * QLinearConcat, QLinearSigmoid, QLinearLeakyRelu) are rewritten into the QDQ form int8kit writes:
 * DequantizeLinear on each quantized input, the float op, QuantizeLinear on its output. Ops that only
 * move values (MaxPool, Flatten, Reshape, Transpose, Squeeze, Unsqueeze) applied to a quantized
 * tensor become DQ -> op -> Q with the input's parameters. The arithmetic is unchanged: a QLinear op
 * is defined as exactly that sequence.
 */
import type { Graph, Node, TensorData } from '../graph/ir';
import { freshNames } from '../graph/names';
import { topoSort } from '../graph/specialize';
import { UnsupportedOpError, InvalidGraphError } from '../errors';

const MOVES = new Set(['MaxPool', 'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze']);
/** com.microsoft QLinear ops with inputs (x, x_scale, x_zp, y_scale, y_zp) and their float op. */
const UNARY: Record<string, string> = {
  QLinearGlobalAveragePool: 'GlobalAveragePool',
  QLinearAveragePool: 'AveragePool',
  QLinearSigmoid: 'Sigmoid',
  QLinearLeakyRelu: 'LeakyRelu',
};
const BINARY: Record<string, string> = { QLinearAdd: 'Add', QLinearMul: 'Mul' };

interface QParamsRef {
  scale: string;
  zeroPoint: string;
}

/**
 * Rewrites a QOperator graph (QLinearConv, QLinearMatMul, com.microsoft QLinearAdd, QLinearConcat, ...)
 * into the equivalent QDQ form, which int8kit lowers and runs; QDQ graphs pass through.
 * @param graph The graph, from {@link graphFromOnnx}.
 * @returns A new graph in QDQ form.
 * @throws {@link UnsupportedOpError} for a com.microsoft QLinear op int8kit has no QDQ rewrite for (or channels_last=1).
 * @throws {@link InvalidGraphError} for a malformed QLinearConcat or a graph with a cycle.
 */
export function qoperatorToQdq(graph: Graph): Graph {
  const g: Graph = { ...graph, nodes: [], initializers: new Map(graph.initializers), opset: Math.max(graph.opset, 13) };
  const fresh = freshNames(graph);
  const emit = (opType: string, inputs: string[], output: string, attrs: Node['attrs'] = {}, name?: string) => {
    g.nodes.push({ name: name ?? fresh(`${output}_${opType}`), opType, domain: '', inputs, outputs: [output], attrs });
    return output;
  };
  const quantized = new Map<string, QParamsRef>(); // quantized tensors and their parameters
  const dq = (x: string, p: QParamsRef, axis?: number) =>
    emit('DequantizeLinear', [x, p.scale, p.zeroPoint], fresh(`${x}_dequantized`), axis === undefined ? {} : { axis });
  const q = (xf: string, out: string, p: QParamsRef) => {
    emit('QuantizeLinear', [xf, p.scale, p.zeroPoint], out);
    quantized.set(out, p);
  };
  const rank1 = (name: string) => (g.initializers.get(name)?.dims.length ?? 0) === 1 && g.initializers.get(name)!.dims[0] > 1;
  // The bias scale of QLinearConv: x_scale * w_scale, folded when both are constants.
  const biasScale = (xs: string, ws: string) => {
    const a = g.initializers.get(xs), b = g.initializers.get(ws);
    if (a && b && a.dtype === 'float32' && b.dtype === 'float32') {
      const xsv = (a.data as Float32Array)[0], wsv = b.data as Float32Array;
      const t: TensorData = { dtype: 'float32', dims: [...b.dims], data: Float32Array.from(wsv, (s) => Math.fround(xsv * s)) };
      const name = fresh(`${ws}_bias_scale`);
      g.initializers.set(name, t);
      return name;
    }
    return emit('Mul', [xs, ws], fresh(`${ws}_bias_scale`));
  };

  for (const n of topoSort(graph)) {
    const ms = n.domain === 'com.microsoft';
    const inp = n.inputs;
    if (n.opType === 'QuantizeLinear' && !ms) {
      g.nodes.push(n);
      quantized.set(n.outputs[0], { scale: inp[1], zeroPoint: inp[2] ?? '' });
    } else if (n.opType === 'QLinearConv' && !ms) {
      const [x, xs, xz, w, ws, wz, ys, yz, b] = inp;
      const xf = dq(x, { scale: xs, zeroPoint: xz });
      const wf = dq(w, { scale: ws, zeroPoint: wz }, rank1(ws) ? 0 : undefined);
      const inputs = [xf, wf];
      if (b) inputs.push(emit('DequantizeLinear', [b, biasScale(xs, ws)], fresh(`${b}_dequantized`), rank1(ws) ? { axis: 0 } : {}));
      const yf = emit('Conv', inputs, fresh(`${n.outputs[0]}_float`), { ...n.attrs }, n.name);
      q(yf, n.outputs[0], { scale: ys, zeroPoint: yz });
    } else if (n.opType === 'QLinearMatMul' && !ms) {
      const [a, as, az, b, bs, bz, ys, yz] = inp;
      const bRank = g.initializers.get(b)?.dims.length ?? 2;
      const af = dq(a, { scale: as, zeroPoint: az }, rank1(as) ? 0 : undefined);
      const bf = dq(b, { scale: bs, zeroPoint: bz }, rank1(bs) ? bRank - 1 : undefined);
      q(emit('MatMul', [af, bf], fresh(`${n.outputs[0]}_float`), {}, n.name), n.outputs[0], { scale: ys, zeroPoint: yz });
    } else if (ms && BINARY[n.opType]) {
      const [a, as, az, b, bs, bz, cs, cz] = inp;
      const yf = emit(BINARY[n.opType], [dq(a, { scale: as, zeroPoint: az }), dq(b, { scale: bs, zeroPoint: bz })], fresh(`${n.outputs[0]}_float`), {}, n.name);
      q(yf, n.outputs[0], { scale: cs, zeroPoint: cz });
    } else if (ms && UNARY[n.opType]) {
      const [x, xs, xz, ys, yz] = inp;
      const { channels_last: channelsLast, ...attrs } = n.attrs;
      if (channelsLast) throw new UnsupportedOpError(`Unsupported op: node "${n.name}" (com.microsoft ${n.opType}) with channels_last=1 has no NCHW form`);
      const yf = emit(UNARY[n.opType], [dq(x, { scale: xs, zeroPoint: xz })], fresh(`${n.outputs[0]}_float`), attrs, n.name);
      q(yf, n.outputs[0], { scale: ys, zeroPoint: yz });
    } else if (ms && n.opType === 'QLinearConcat') {
      const [ys, yz, ...rest] = inp;
      if (rest.length % 3) throw new InvalidGraphError(`Expected (tensor, scale, zero point) triples after y_scale and y_zero_point for node "${n.name}" (QLinearConcat) but received ${rest.length} inputs`);
      const parts = [];
      for (let i = 0; i < rest.length; i += 3) parts.push(dq(rest[i], { scale: rest[i + 1], zeroPoint: rest[i + 2] }));
      q(emit('Concat', parts, fresh(`${n.outputs[0]}_float`), { ...n.attrs }, n.name), n.outputs[0], { scale: ys, zeroPoint: yz });
    } else if (ms && n.opType.startsWith('QLinear')) {
      throw new UnsupportedOpError(`Unsupported op: node "${n.name}" (com.microsoft ${n.opType}) has no QDQ rewrite in int8kit`);
    } else if (!ms && MOVES.has(n.opType) && quantized.has(inp[0]) && n.outputs.length === 1) {
      const p = quantized.get(inp[0])!;
      const yf = emit(n.opType, [dq(inp[0], p), ...inp.slice(1)], fresh(`${n.outputs[0]}_float`), { ...n.attrs }, n.name);
      q(yf, n.outputs[0], p);
    } else {
      g.nodes.push(n);
    }
  }
  g.nodes = topoSort(g);
  return g;
}
