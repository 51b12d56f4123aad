// Lowering: a specialised graph (static shapes, folded constants) becomes a plan. Plan ops are
// the ONNX ops themselves, so this maps names to value ids and attributes to plan attributes.
import { UnsupportedOpError } from '../errors';
import type { Specialized } from '../graph/specialize';
import type { AttrValue as GraphAttr, Node } from '../graph/ir';
import type { AttrValue, Plan, PlanOp, PlanValue } from '../plan/types';

export interface Lowered {
  plan: Plan;
  /** Graph input names in plan input order. */
  inputs: string[];
  /** Graph output names in plan output order (outputs that folded to constants are not here). */
  outputs: string[];
}

function attr(n: Node, name: string, v: GraphAttr): AttrValue {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  throw new UnsupportedOpError(`Unsupported op: node "${n.name}" (${n.opType}) has attribute ${name} of a kind plans cannot carry`);
}

/** Attributes of old opsets that change nothing in inference (is_test, consumed_inputs, spatial = 1). */
const legacy = (name: string, v: GraphAttr) =>
  name === 'is_test' || name === 'consumed_inputs' || (name === 'spatial' && v === 1);

export function lower(s: Specialized, graphInputs: string[], graphOutputs: string[]): Lowered {
  const values: PlanValue[] = [];
  const ids = new Map<string, number>();
  const id = (name: string): number => {
    let i = ids.get(name);
    if (i === undefined) {
      const t = s.types.get(name)!;
      const c = s.consts.get(name);
      values.push(c ? { dtype: c.dtype, shape: c.dims, data: c.data } : { dtype: t.dtype, shape: t.shape });
      ids.set(name, (i = values.length - 1));
    }
    return i;
  };
  const used = new Set(s.nodes.flatMap((n) => n.inputs));
  const inputs = graphInputs.filter((name) => !s.consts.has(name) && (used.has(name) || graphOutputs.includes(name)));
  const planInputs = inputs.map(id);
  const ops: PlanOp[] = s.nodes.map((n) => ({
    op: n.opType,
    inputs: n.inputs.map((i) => (i ? id(i) : null)),
    outputs: n.outputs.filter(Boolean).map(id),
    attrs: Object.fromEntries(Object.entries(n.attrs).filter(([k, v]) => !legacy(k, v)).map(([k, v]) => [k, attr(n, k, v)])),
  }));
  const outputs = graphOutputs.filter((o) => !s.consts.has(o) && !graphInputs.includes(o));
  return { plan: { values, ops, inputs: planInputs, outputs: outputs.map(id) }, inputs, outputs };
}
