/**
 * Dynamic quantization fusion: the chain quantizeDynamic (src/quant/dynamic.ts) and onnxruntime's
 * quantizer write for a MatMul with a constant int8 weight,
 *   DynamicQuantizeLinear(A) -> (A_q, A_scale, A_zp)
 *   MatMulInteger(A_q, B, A_zp[, B_zp]) -> Cast(to float) -> Mul(., Mul(A_scale, B_scale)) [-> Add(., bias)]
 * becomes one com.microsoft DynamicQuantizeMatMul(A, B, B_scale, B_zp, bias) node: onnxruntime's
 * contrib op, so the fused graph still runs there. The fused op computes the same float32 values
 * (native/ops/qdynamic.h) while A's codes and the int32 / float intermediates never reach memory.
 *
 * Fused only when B, B_scale, B_zp and the bias are constants of the shapes the op takes (B 2-D
 * [K, N]; B_scale and B_zp per tensor or per column; bias 1-D [N]) and every intermediate has one
 * consumer and is not a graph output. Shape-independent: it looks at constants only.
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

export function fuseDynamicQuantization(g: Graph): number {
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
    const mmi = sole(aq, 'MatMulInteger');
    if (!mmi || mmi.inputs[0] !== aq || mmi.inputs[2] !== aZp || sole(aZp, 'MatMulInteger') !== mmi) continue;
    const b = g.initializers.get(mmi.inputs[1]);
    if (!b || (b.dtype !== 'int8' && b.dtype !== 'uint8') || b.dims.length !== 2) continue;
    const n = b.dims[1];
    const bZpName = mmi.inputs[3] ?? '';
    const bZp = bZpName ? g.initializers.get(bZpName) : undefined;
    if (bZpName && (!bZp || bZp.dtype !== b.dtype || !perTensorOrColumn(bZp, n))) continue;
    const cast = sole(mmi.outputs[0], 'Cast');
    if (!cast || cast.attrs.to !== FLOAT) continue;
    const scaleMul = sole(aScale, 'Mul');
    const bScaleName = scaleMul && other(scaleMul, aScale);
    const bScale = bScaleName ? g.initializers.get(bScaleName) : undefined;
    if (!scaleMul || !bScaleName || bScale?.dtype !== 'float32' || !perTensorOrColumn(bScale, n)) continue;
    const mul = sole(cast.outputs[0], 'Mul');
    if (!mul || other(mul, cast.outputs[0]) !== scaleMul.outputs[0] || sole(scaleMul.outputs[0], 'Mul') !== mul) continue;
    // The bias Add when it adds a constant float32 [N] to the product.
    let out = mul.outputs[0], bias = '';
    const add = sole(out, 'Add');
    const biasName = add && other(add, out);
    const biasT = biasName ? g.initializers.get(biasName) : undefined;
    if (add && biasName && biasT?.dtype === 'float32' && biasT.dims.length === 1 && biasT.dims[0] === n) {
      bias = biasName;
      out = add.outputs[0];
    }
    const gone = new Set<Node>([dq, mmi, cast, scaleMul, mul, ...(bias ? [add!] : [])]);
    const node: Node = {
      name: `${mul.name}_DynamicQuantizeMatMul`,
      opType: 'DynamicQuantizeMatMul',
      domain: 'com.microsoft',
      inputs: [dq.inputs[0], mmi.inputs[1], bScaleName, bZpName, bias],
      outputs: [out],
      attrs: {},
    };
    while (node.inputs.length && !node.inputs[node.inputs.length - 1]) node.inputs.pop();
    // In the position of the last fused node: every input (A, constants) is available there.
    const at = Math.max(...[...gone].map((x) => g.nodes.indexOf(x)));
    g.nodes.splice(at, 1, node);
    g.nodes = g.nodes.filter((x) => !gone.has(x));
    fused++;
  }
  return fused;
}
