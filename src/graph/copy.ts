import type { Graph } from './ir';

/**
 * A copy of the graph for passes that rewrite it: nodes (with their input, output and attribute
 * containers), the input and output lists and the initializer and value-info maps are new; tensors
 * and value types are shared, as no pass writes into them.
 */
export function copyGraph(g: Graph): Graph {
  return {
    ...g,
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })),
    inputs: [...g.inputs],
    outputs: [...g.outputs],
    initializers: new Map(g.initializers),
    valueInfo: new Map(g.valueInfo),
  };
}
