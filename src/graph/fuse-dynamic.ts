/**
 * Dynamic quantization fusion: the chain quantizeDynamic (src/quant/dynamic.ts) and onnxruntime's
 * quantizer write for a MatMul with a constant int8 weight,
 *   DynamicQuantizeLinear(A) -> (A_q, A_scale, A_zp)
 *   MatMulInteger(A_q, B, A_zp[, B_zp]) -> Cast(to float) -> Mul(., Mul(A_scale, B_scale)) [-> Add(., bias)]
 * becomes one com.microsoft DynamicQuantizeMatMul(A, B, B_scale, B_zp, bias) node when the
 * quantization serves that chain alone, or, when one quantization of A feeds several chains
 * (onnxruntime's quantizer shares it between attention's Q, K and V; duplicate quantizations of
 * one input are merged first), one com.microsoft MatMulIntegerToFloat(A_q, B, A_scale, B_scale,
 * A_zp, B_zp, bias) per chain. Both are onnxruntime contrib ops, so the fused graph still runs
 * there, and both compute the chain's float32 values bit for bit (native/ops/qdynamic.h,
 * native/kernels/gemm-u8s8/u8s8-output.h) while the int32 / float intermediates never reach memory.
 *
 * Fused only when B, B_scale, B_zp and the bias are constants of the shapes the ops take (B 2-D
 * [K, N]; B_scale and B_zp per tensor or per column; bias 1-D [N]) and every intermediate of a
 * chain has one consumer and is not a graph output. Shape-independent: it looks at constants only.
 */
import type { Graph, Node, TensorData } from './ir';

const FLOAT = 1; // TensorProto.FLOAT, Cast's `to`

function consumerMap(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) m.set(i, [...(m.get(i) ?? []), n]);
  return m;
}

const isStandard = (n: Node) => n.domain === '' || n.domain === 'ai.onnx';
/** Per tensor ([] or [1]) or per column ([N]). */
const perTensorOrColumn = (t: TensorData | undefined, n: number) =>
  !!t && (t.dims.length === 0 || (t.dims.length === 1 && (t.dims[0] === 1 || t.dims[0] === n)));

/** The operand of a two-input node that is not `known`, or undefined when `known` is not one of them. */
function other(n: Node, known: string): string | undefined {
  if (n.inputs.length !== 2) return undefined;
  if (n.inputs[0] === known) return n.inputs[1];
  if (n.inputs[1] === known) return n.inputs[0];
  return undefined;
}

/**
 * DynamicQuantizeLinear nodes of the same input compute the same codes, scale and zero point: all
 * but the first are dropped and their consumers read the first one's outputs (quantizeDynamic
 * writes one per MatMul, so attention's Q, K and V projections of one x get three).
 */
function mergeDuplicateQuantizations(g: Graph): void {
  const first = new Map<string, Node>();
  const rename = new Map<string, string>();
  const outputs = new Set(g.outputs.map((o) => o.name));
  g.nodes = g.nodes.filter((n) => {
    if (n.opType !== 'DynamicQuantizeLinear' || !isStandard(n) || n.outputs.length !== 3 || !n.inputs[0]) return true;
    const kept = first.get(n.inputs[0]);
    if (!kept) return first.set(n.inputs[0], n), true;
    if (n.outputs.some((o) => outputs.has(o)) || kept.outputs.some((o) => !o) || n.outputs.some((o) => !o)) return true;
    n.outputs.forEach((o, i) => rename.set(o, kept.outputs[i]));
    return false;
  });
  if (rename.size) for (const n of g.nodes) n.inputs = n.inputs.map((i) => rename.get(i) ?? i);
}

/** One MatMulInteger -> Cast -> Mul(., a_scale * b_scale) [-> Add bias] chain on a DynamicQuantizeLinear's outputs. */
interface Chain {
  nodes: Node[];
  mul: Node;
  b: string;
  bScale: string;
  bZp: string;
  bias: string;
  out: string;
}

export function fuseDynamicQuantization(g: Graph): number {
  mergeDuplicateQuantizations(g);
  const outputs = new Set(g.outputs.map((o) => o.name));
  let fused = 0;
  for (const dq of [...g.nodes]) {
    if (dq.opType !== 'DynamicQuantizeLinear' || !isStandard(dq) || dq.outputs.length !== 3) continue;
    const uses = consumerMap(g);
    // The single consumer of a value that is not a graph output, of the given standard op type.
    const sole = (value: string, opType: string): Node | undefined => {
      const c = uses.get(value);
      return value && c?.length === 1 && !outputs.has(value) && c[0].opType === opType && isStandard(c[0]) ? c[0] : undefined;
    };
    const [aq, aScale, aZp] = dq.outputs;
    const chainOf = (mmi: Node): Chain | undefined => {
      if (mmi.opType !== 'MatMulInteger' || !isStandard(mmi) || mmi.inputs[0] !== aq || mmi.inputs[2] !== aZp) return undefined;
      const b = g.initializers.get(mmi.inputs[1]);
      if (!b || (b.dtype !== 'int8' && b.dtype !== 'uint8') || b.dims.length !== 2) return undefined;
      const n = b.dims[1];
      const bZpName = mmi.inputs[3] ?? '';
      const bZp = bZpName ? g.initializers.get(bZpName) : undefined;
      if (bZpName && (!bZp || bZp.dtype !== b.dtype || !perTensorOrColumn(bZp, n))) return undefined;
      const cast = sole(mmi.outputs[0], 'Cast');
      if (!cast || cast.attrs.to !== FLOAT) return undefined;
      const mul = sole(cast.outputs[0], 'Mul');
      const scaleName = mul && other(mul, cast.outputs[0]);
      const scaleMul = scaleName && sole(scaleName, 'Mul') === mul ? g.nodes.find((x) => x.outputs[0] === scaleName) : undefined;
      const bScaleName = scaleMul && other(scaleMul, aScale);
      const bScale = bScaleName ? g.initializers.get(bScaleName) : undefined;
      if (!mul || !scaleMul || !isStandard(scaleMul) || scaleMul.opType !== 'Mul' || !bScaleName || bScale?.dtype !== 'float32' || !perTensorOrColumn(bScale, n))
        return undefined;
      // The bias Add when it adds a constant float32 [N] to the product.
      const add = sole(mul.outputs[0], 'Add');
      const biasName = add && other(add, mul.outputs[0]);
      const biasT = biasName ? g.initializers.get(biasName) : undefined;
      const withBias = !!(add && biasName && biasT?.dtype === 'float32' && biasT.dims.length === 1 && biasT.dims[0] === n);
      return {
        nodes: [mmi, cast, scaleMul, mul, ...(withBias ? [add!] : [])],
        mul, b: mmi.inputs[1], bScale: bScaleName, bZp: bZpName,
        bias: withBias ? biasName! : '', out: withBias ? add!.outputs[0] : mul.outputs[0],
      };
    };
    const chains = (uses.get(aq) ?? []).map(chainOf).filter((c): c is Chain => !!c);
    if (!chains.length) continue;
    // One chain owning every use of the codes, scale and zero point: DynamicQuantizeMatMul, the
    // quantization inside. Otherwise the quantization stays shared and each chain becomes a
    // MatMulIntegerToFloat on its outputs (onnxruntime's contrib op for that case).
    const alone = chains.length === 1 && sole(aq, 'MatMulInteger') && sole(aZp, 'MatMulInteger') && sole(aScale, 'Mul');
    for (const c of chains) {
      const gone = new Set<Node>([...c.nodes, ...(alone ? [dq] : [])]);
      const node: Node = alone
        ? { name: `${c.mul.name}_DynamicQuantizeMatMul`, opType: 'DynamicQuantizeMatMul', domain: 'com.microsoft', inputs: [dq.inputs[0], c.b, c.bScale, c.bZp, c.bias], outputs: [c.out], attrs: {} }
        : { name: `${c.mul.name}_MatMulIntegerToFloat`, opType: 'MatMulIntegerToFloat', domain: 'com.microsoft', inputs: [aq, c.b, aScale, c.bScale, aZp, c.bZp, c.bias], outputs: [c.out], attrs: {} };
      while (node.inputs.length && !node.inputs[node.inputs.length - 1]) node.inputs.pop();
      // In the position of the last fused node: every input (A or the codes, constants) is available there.
      const at = Math.max(...[...gone].map((x) => g.nodes.indexOf(x)));
      g.nodes.splice(at, 1, node);
      g.nodes = g.nodes.filter((x) => !gone.has(x));
      fused++;
    }
  }
  return fused;
}
