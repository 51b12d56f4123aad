import type { Graph } from './ir';

/**
 * A namer for what a rewrite adds to g: `base`, else `base_1`, `base_2`, ... avoiding every name
 * the graph already uses (initializers, inputs, nodes and their values) and every name it gave.
 */
export function freshNames(g: Graph): (base: string) => string {
  const used = new Set([...g.initializers.keys(), ...g.inputs.map((i) => i.name), ...g.nodes.flatMap((n) => [n.name, ...n.inputs, ...n.outputs])]);
  return (base) => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
}
