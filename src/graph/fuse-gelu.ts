/**
 * GELU fusion: the exact (erf) GELU as exporters write it, five elementwise nodes over the FFN's
 * widest tensor,
 *   Mul(Mul(x, Add(Erf(Div(x, sqrt 2)), 1)), 0.5)      (BERT, bertLike)
 *   Mul(Mul(x, 0.5), Add(Erf(Div(x, sqrt 2)), 1))      (Hugging Face's 0.5 * x * (1 + erf(...)))
 * with Mul(x, 1 / sqrt 2) for the Div and any operand order of Add and Mul, becomes one
 * com.microsoft Gelu node (onnxruntime's contrib op, so the graph still runs there; int8kit's plan
 * op Gelu). One pass over memory instead of five; the values agree up to float rounding (the
 * kernel multiplies by 1/sqrt 2 where the graph divides by sqrt 2: vmath.h bounds it).
 * Fused only when every intermediate has one consumer and is not a graph output; the constants
 * must be float32 scalars (rank 0, so broadcasting cannot change the output's shape).
 */
import type { Graph, Node } from './ir';

const isStandard = (n: Node) => n.domain === '' || n.domain === 'ai.onnx';

export function fuseGelu(g: Graph): number {
  const outputs = new Set(g.outputs.map((o) => o.name));
  const uses = new Map<string, Node[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) uses.set(i, [...(uses.get(i) ?? []), n]);
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  /** The node making `value` when it is a standard `opType` whose output has one consumer and is not a graph output. */
  const single = (value: string, opType: string): Node | undefined => {
    const p = producer.get(value);
    return p && p.opType === opType && isStandard(p) && p.inputs.length === 2 && uses.get(value)?.length === 1 && !outputs.has(value) ? p : undefined;
  };
  const scalar = (name: string): number | undefined => {
    const t = g.initializers.get(name);
    return t && t.dtype === 'float32' && t.dims.length === 0 ? (t.data as Float32Array)[0] : undefined;
  };
  // The operand pair of a binary node as [the one that is the scalar `v`, the other].
  const withScalar = (n: Node, v: number): string | undefined =>
    scalar(n.inputs[1]) === v ? n.inputs[0] : scalar(n.inputs[0]) === v ? n.inputs[1] : undefined;
  // 1 + erf(x / sqrt 2) made by `value`: x, with the nodes, or undefined.
  const onePlusErf = (value: string): { x: string; nodes: Node[] } | undefined => {
    const add = single(value, 'Add');
    const erfOut = add && withScalar(add, 1);
    const erf = erfOut ? producer.get(erfOut) : undefined;
    if (!add || !erf || erf.opType !== 'Erf' || !isStandard(erf) || uses.get(erfOut!)?.length !== 1 || outputs.has(erfOut!)) return undefined;
    const div = single(erf.inputs[0], 'Div') ?? single(erf.inputs[0], 'Mul');
    if (!div) return undefined;
    const x = div.opType === 'Div' ? (scalar(div.inputs[1]) === Math.fround(Math.SQRT2) ? div.inputs[0] : undefined) : withScalar(div, Math.fround(Math.SQRT1_2));
    return x ? { x, nodes: [div, erf, add] } : undefined;
  };
  let fused = 0;
  for (const last of [...g.nodes]) {
    if (last.opType !== 'Mul' || !isStandard(last) || last.inputs.length !== 2 || producer.get(last.outputs[0]) !== last) continue;
    let found: { x: string; nodes: Node[] } | undefined;
    for (const [p, q] of [[last.inputs[0], last.inputs[1]], [last.inputs[1], last.inputs[0]]]) {
      if (found) break;
      const inner = single(p, 'Mul');
      if (!inner) continue;
      if (scalar(q) === 0.5) {
        // Mul(Mul(x, 1 + erf), 0.5)
        for (const [x, a] of [[inner.inputs[0], inner.inputs[1]], [inner.inputs[1], inner.inputs[0]]]) {
          const e = onePlusErf(a);
          if (e && e.x === x) found ??= { x, nodes: [...e.nodes, inner] };
        }
      } else {
        // Mul(Mul(x, 0.5), 1 + erf)
        const x = withScalar(inner, 0.5);
        const e = x ? onePlusErf(q) : undefined;
        if (e && e.x === x) found = { x: x!, nodes: [...e.nodes, inner] };
      }
    }
    if (!found) continue;
    const gone = new Set([...found.nodes, last]);
    const at = g.nodes.indexOf(last);
    const gelu: Node = { name: `${last.name}_Gelu`, opType: 'Gelu', domain: 'com.microsoft', inputs: [found.x], outputs: [last.outputs[0]], attrs: {} };
    g.nodes[at] = gelu;
    producer.set(gelu.outputs[0], gelu);
    g.nodes = g.nodes.filter((n) => !gone.has(n));
    fused++;
  }
  return fused;
}
