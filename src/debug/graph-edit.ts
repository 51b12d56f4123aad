// Graph surgery on copies: intermediate values made graph outputs (taps), and a QDQ model with only
// some layers quantized (attribution). The models given are never modified.
import type { Graph, Node, TensorData } from '../graph/ir';
import { copyGraph } from '../graph/copy';
import { activationPairs, dequantizeInput, dequantizeWeight, type Layer } from './layers';

/** A copy of `g` whose outputs are its own followed by `names` (values already outputs are not repeated). */
export function withOutputs(g: Graph, names: readonly string[]): Graph {
  const c = copyGraph(g);
  const have = new Set(c.outputs.map((o) => o.name));
  for (const name of names)
    if (!have.has(name)) {
      have.add(name);
      c.outputs.push({ name });
    }
  return c;
}

/**
 * A copy of the QDQ graph where only the layers in `keep` stay quantized: every activation Q -> DQ
 * pair that is not the input or output pair of a kept layer becomes an Identity of its float input,
 * and the weight and bias DequantizeLinear of every other layer become float initializers (the FP32
 * model's own values when matched, else the dequantized ones).
 */
export function onlyQuantized(qdq: Graph, layers: readonly Layer[], keep: ReadonlySet<Layer>): Graph {
  const c = copyGraph(qdq);
  const keepPairs = new Set<string>();
  for (const l of keep) for (const p of [l.input, l.output]) if (p) keepPairs.add(p.dequantized);
  const drop = new Set<Node>();
  const replace = new Map<Node, Node>();
  for (const p of activationPairs(qdq).values()) {
    if (keepPairs.has(p.dequantized)) continue;
    replace.set(p.dq, { name: `${p.dq.name}_float`, opType: 'Identity', domain: '', inputs: [p.float], outputs: [p.dequantized], attrs: {} });
    drop.add(p.q);
  }
  for (const l of layers) {
    if (keep.has(l)) continue;
    for (const dq of l.paramDqs) {
      const which = dq.outputs[0] === l.node.inputs[1] ? 'weight' : 'bias';
      const fp = which === 'weight' ? l.fp32?.weight : l.fp32?.bias;
      const codes = qdq.initializers.get(dq.inputs[0])!;
      const value: TensorData = fp && fp.dims.join() === codes.dims.join() ? fp : { dtype: 'float32', dims: [...codes.dims], data: dequantizeWeight(dequantizeInput(qdq, dq)!) };
      c.initializers.set(dq.outputs[0], value);
      drop.add(dq);
    }
  }
  // Nodes of the copy correspond by index to the original's. A Q whose output something else still
  // reads (a QOperator-style consumer) stays where it is.
  const original = new Map(c.nodes.map((n, i) => [n, qdq.nodes[i]]));
  const dropped = (n: Node) => drop.has(original.get(n)!);
  const kept = qdq.nodes.flatMap((n, i) => (drop.has(n) && n.opType !== 'QuantizeLinear' ? [] : [replace.get(n) ?? c.nodes[i]]));
  const read = new Set(kept.filter((n) => !dropped(n)).flatMap((n) => n.inputs));
  c.nodes = kept.filter((n) => !dropped(n) || read.has(n.outputs[0]));
  return c;
}
