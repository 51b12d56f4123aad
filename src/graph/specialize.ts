// Specialises a graph to concrete input shapes: orders nodes, infers every value's dtype and
// shape, and folds what can be computed before running. The result has static shapes only,
// which is what plans need.
import { InvalidGraphError, UnsupportedOpError } from '../errors';
import { fold } from './fold';
import { COM_MICROSOFT_OPS, RULES, type InferContext } from './infer';
import type { Graph, Node, StaticType, TensorData } from './ir';
import { NeedsConstant, ShapeError } from './shape-util';

/**
 * Inputs the native ops read once, at plan creation (weights, bias, clip bounds, BatchNorm
 * statistics). Shape-like inputs (Reshape shape, Slice starts, ...) are found by shape inference.
 */
const PLAN_CONSTANT_INPUTS: Record<string, number[]> = {
  Conv: [1, 2], ConvTranspose: [1, 2], Gemm: [1], Clip: [1, 2], BatchNormalization: [1, 2, 3, 4],
};

/**
 * Specialisation needs the values of these graph inputs (an op reads them at creation). The
 * session then specialises on their values too, as it does on shapes.
 */
export class BindInputs extends Error {
  constructor(readonly names: string[]) {
    super(`bind inputs ${names.join(', ')}`);
  }
}

export interface Specialized {
  types: Map<string, StaticType>;
  /** Initializers and folded values. */
  consts: Map<string, TensorData>;
  /** The nodes left to run, in execution order. */
  nodes: Node[];
}

const where = (n: Node) => `node ${n.name ? `"${n.name}" ` : ''}(${n.opType})`;

/** Nodes in an order where every input is produced before use. @throws {InvalidGraphError} on cycles or undefined inputs. */
export function topoSort(g: Graph): Node[] {
  const producer = new Map<string, Node>();
  for (const n of g.nodes)
    for (const o of n.outputs) {
      if (!o) continue;
      if (producer.has(o) || g.initializers.has(o)) throw new InvalidGraphError(`Invalid graph: value "${o}" is produced twice (by ${where(n)})`);
      producer.set(o, n);
    }
  const available = new Set([...g.inputs.map((i) => i.name), ...g.initializers.keys()]);
  const state = new Map<Node, 'visiting' | 'done'>();
  const order: Node[] = [];
  const visit = (n: Node, path: Node[]) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting')
      throw new InvalidGraphError(`Invalid graph: cycle through ${[...path.slice(path.indexOf(n)), n].map(where).join(' -> ')}`);
    state.set(n, 'visiting');
    for (const i of n.inputs) {
      if (!i || available.has(i)) continue;
      const p = producer.get(i);
      if (!p) throw new InvalidGraphError(`Invalid graph: ${where(n)} reads "${i}", which no node, input or initializer provides`);
      visit(p, [...path, n]);
    }
    state.set(n, 'done');
    order.push(n);
  };
  // Explicit stack depth is bounded by graph depth; exporters produce DAGs a few thousand deep at most.
  for (const n of g.nodes) visit(n, []);
  return order;
}

/** @param bound values of graph inputs that ops need as constants (see BindInputs). */
export function specialize(g: Graph, inputs: Map<string, StaticType>, bound = new Map<string, TensorData>()): Specialized {
  const types = new Map(inputs);
  const consts = new Map([...g.initializers, ...bound]);
  const graphInputs = new Set(g.inputs.map((i) => i.name));
  const needsValue = (name: string) => (graphInputs.has(name) && !consts.has(name) ? name : undefined);
  for (const [name, t] of g.initializers) types.set(name, { dtype: t.dtype, shape: t.dims });
  const nodes: Node[] = [];
  for (const n of topoSort(g)) {
    if (n.domain && n.domain !== 'ai.onnx' && !(n.domain === 'com.microsoft' && COM_MICROSOFT_OPS.has(n.opType)))
      throw new UnsupportedOpError(`Unsupported op: ${where(n)} in domain ${n.domain} (opset ${g.opset})`);
    const rule = RULES[n.opType];
    if (!rule) throw new UnsupportedOpError(`Unsupported op: ${where(n)} (opset ${g.opset}) has no int8kit implementation`);
    const unbound = (PLAN_CONSTANT_INPUTS[n.opType] ?? []).map((i) => needsValue(n.inputs[i] ?? '')).filter((x): x is string => !!x);
    if (unbound.length) throw new BindInputs(unbound);
    const c: InferContext = {
      node: n,
      inputs: n.inputs.map((i) => (i ? types.get(i) : undefined)),
      consts: n.inputs.map((i) => (i ? consts.get(i) : undefined)),
      opset: g.opset,
    };
    try {
      const out = rule(c);
      n.outputs.forEach((o, k) => {
        if (!o) return;
        if (!out[k]) throw new ShapeError(`output ${k} is not supported`);
        types.set(o, out[k]);
      });
      const folded = fold(c, out);
      if (folded) n.outputs.forEach((o, k) => o && consts.set(o, folded[k]));
      else nodes.push(n);
    } catch (e) {
      if (e instanceof NeedsConstant && needsValue(n.inputs[e.index])) throw new BindInputs([n.inputs[e.index]]);
      if (!(e instanceof ShapeError)) throw e;
      const ins = n.inputs.map((i) => (i ? `${i}: ${types.get(i)?.dtype}[${types.get(i)?.shape}]` : '(absent)')).join(', ');
      throw new InvalidGraphError(`Invalid graph: ${where(n)} with inputs ${ins}: ${e.message}`);
    }
  }
  for (const o of g.outputs)
    if (!types.has(o.name)) throw new InvalidGraphError(`Invalid graph: output "${o.name}" is produced by no node, input or initializer`);
  return { types, consts, nodes };
}
