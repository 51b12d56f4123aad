/**
 * Dynamic quantization, onnxruntime's pattern: a MatMul or Gemm with a constant float weight B
 * becomes
 *   DynamicQuantizeLinear(A) -> (A_q u8, A_scale, A_zp)
 *   MatMulInteger(A_q, B_q s8, A_zp, B_zp) -> int32 -> Cast float -> Mul (A_scale * B_scale) [+ bias]
 * with B quantized once, symmetric, per output column (or per tensor). Activations get their
 * scale from each run's own range, so no calibration is needed.
 */
import type { Graph, Node, TensorData } from '../graph/ir';
import { topoSort } from '../graph/specialize';
import { InvalidArgumentError, describe } from '../errors';
import { quantizeWeights } from './weights';

const FLOAT = 1; // TensorProto.FLOAT, Cast's `to`

function fresh(g: Graph, used: Set<string>, base: string): string {
  let name = base;
  for (let i = 1; used.has(name) || g.initializers.has(name); i++) name = `${base}_${i}`;
  used.add(name);
  return name;
}

/** B [K, N] as a row-major Float32Array (Gemm's transB weights are transposed back). */
function weightKN(w: TensorData, transposed: boolean): { data: Float32Array; k: number; n: number } {
  const [r, c] = w.dims, src = w.data as Float32Array;
  if (!transposed) return { data: src, k: r, n: c };
  const data = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = src[i * c + j];
  return { data, k: c, n: r };
}

export function dynamicQuantize(graph: Graph, options: { opTypes?: string[]; perChannel?: boolean } = {}): Graph {
  const opTypes = new Set(options.opTypes ?? ['MatMul', 'Gemm']);
  for (const t of opTypes)
    if (t !== 'MatMul' && t !== 'Gemm') throw new InvalidArgumentError(`Expected MatMul or Gemm in opTypes for dynamic quantization but received ${describe(t)}`);
  const perChannel = options.perChannel ?? true;
  const g: Graph = { ...graph, nodes: [], initializers: new Map(graph.initializers), opset: Math.max(graph.opset, 13) };
  const used = new Set(graph.nodes.flatMap((n) => [n.name, ...n.inputs, ...n.outputs]));
  const add = (opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}) =>
    g.nodes.push({ name: fresh(g, used, `${outputs[0]}_${opType}`), opType, domain: '', inputs, outputs, attrs });
  for (const n of graph.nodes) {
    const w = n.inputs[1] ? graph.initializers.get(n.inputs[1]) : undefined;
    const gemmOk = n.opType !== 'Gemm' || ((n.attrs.alpha ?? 1) === 1 && (n.attrs.beta ?? 1) === 1 && !n.attrs.transA);
    if (!opTypes.has(n.opType) || !w || w.dtype !== 'float32' || w.dims.length !== 2 || !gemmOk || graph.initializers.has(n.inputs[0])) {
      g.nodes.push(n);
      continue;
    }
    const { data, k, n: cols } = weightKN(w, n.opType === 'Gemm' && !!n.attrs.transB);
    // Symmetric s8 per output column of B [K, N].
    const { q: bq, scale: bs, zeroPoint: bz } = quantizeWeights(data, [k, cols], 1, { perChannel });
    const base = n.inputs[1];
    const bqName = fresh(g, used, `${base}_quantized`), bsName = fresh(g, used, `${base}_scale`), bzName = fresh(g, used, `${base}_zero_point`);
    g.initializers.set(bqName, { dtype: 'int8', dims: [k, cols], data: bq });
    g.initializers.set(bsName, bs);
    g.initializers.set(bzName, bz);
    const out = n.outputs[0], a = n.inputs[0];
    const [aq, as, az] = ['quantized', 'scale', 'zero_point'].map((s) => fresh(g, used, `${a}_${s}`));
    add('DynamicQuantizeLinear', [a], [aq, as, az]);
    const acc = fresh(g, used, `${out}_int32`), accF = fresh(g, used, `${out}_int32_float`), scale = fresh(g, used, `${out}_scale`);
    add('MatMulInteger', [aq, bqName, az, bzName], [acc]);
    add('Cast', [acc], [accF], { to: FLOAT });
    add('Mul', [as, bsName], [scale]);
    const bias = n.opType === 'Gemm' ? n.inputs[2] : '';
    if (bias) {
      const y = fresh(g, used, `${out}_unbiased`);
      add('Mul', [accF, scale], [y]);
      add('Add', [y, bias], [out]);
    } else add('Mul', [accF, scale], [out]);
  }
  const live = new Set(g.nodes.flatMap((x) => x.inputs));
  for (const name of [...g.initializers.keys()]) if (!live.has(name)) g.initializers.delete(name);
  g.nodes = topoSort(g);
  return g;
}
