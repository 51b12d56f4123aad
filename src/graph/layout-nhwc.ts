/**
 * Channels-last activations between INT8 ops. The integer convolutions compute on NHWC codes
 * (a pixel's channels are contiguous, which is what the GEMM and depthwise kernels read); in NCHW
 * every QLinearConv would convert its input and output. This pass gives the 2-D convolutions and
 * the pools, adds and tables that follow them the `channels_last` form and converts once where
 * the chain meets an op that needs NCHW (a Transpose inserted before it) or starts from NCHW codes.
 * Runs after lowerQdq; shape-independent (ranks come from the weights and kernel shapes).
 */
import type { Graph, Node } from './ir';
import { freshNames } from './names';
import { topoSort } from './specialize';

const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

/** Ops that take `channels_last` when their (4-D) input is already NHWC. */
const POOLS = new Set(['MaxPool', 'QLinearAveragePool', 'QLinearGlobalAveragePool']);
/** Ops on codes that do not care about the layout when all their inputs share it. */
const ELEMENTWISE = new Set(['QLinearAdd', 'QLinearMul', 'QLinearLookup']);

const isConv2d = (n: Node, g: Graph) =>
  (n.opType === 'QLinearConv' || n.opType === 'QnnpackConv') && g.initializers.get(n.inputs[3])?.dims.length === 4;

/** Rewrites g in place; returns how many ops now run channels-last. */
export function layoutNhwc(g: Graph): number {
  const fresh = freshNames(g);
  const nhwc = new Map<string, string>(); // NCHW value name -> its NHWC twin
  const nchwReady = new Set<string>(); // NHWC-produced values whose NCHW name has been materialised
  const out: Node[] = [];
  const transpose = (from: string, to: string, perm: number[]) =>
    out.push({ name: fresh(`${to}_Transpose`), opType: 'Transpose', domain: '', inputs: [from], outputs: [to], attrs: { perm } });
  /** The NHWC name of a value, converting it once if it only exists in NCHW. */
  const asNhwc = (v: string) => {
    let t = nhwc.get(v);
    if (!t) {
      t = fresh(`${v}_nhwc`);
      transpose(v, t, TO_NHWC);
      nhwc.set(v, t);
      nchwReady.add(v);
    }
    return t;
  };
  /** The NCHW value, converting the NHWC twin back once when only that was computed. */
  const asNchw = (v: string) => {
    if (nhwc.has(v) && !nchwReady.has(v)) {
      transpose(nhwc.get(v)!, v, TO_NCHW);
      nchwReady.add(v);
    }
    return v;
  };
  let converted = 0;
  const channelsLast = (n: Node, inputs: number[], attrs: Node['attrs'] = {}) => {
    const o = n.outputs[0];
    const t = fresh(`${o}_nhwc`);
    nhwc.set(o, t);
    out.push({ ...n, inputs: n.inputs.map((v, i) => (inputs.includes(i) ? asNhwc(v) : v)), outputs: [t], attrs: { ...n.attrs, ...attrs } });
    converted++;
  };

  for (const n of topoSort(g)) {
    const x = n.inputs[0];
    if (isConv2d(n, g) && !n.attrs.channels_last) channelsLast(n, [0], { channels_last: 1 });
    else if (POOLS.has(n.opType) && nhwc.has(x) && n.outputs.length === 1 && !n.attrs.channels_last)
      channelsLast(n, [0], { channels_last: 1 });
    else if (ELEMENTWISE.has(n.opType) && nhwc.has(x) && (n.opType === 'QLinearLookup' || nhwc.has(n.inputs[3])))
      channelsLast(n, n.opType === 'QLinearLookup' ? [0] : [0, 3]);
    else if (n.opType === 'QLinearConcat' && n.inputs.length > 2 && n.inputs.slice(2).every((v, i) => i % 3 !== 0 || nhwc.has(v))) {
      const axis = n.attrs.axis as number;
      if (axis !== 1 && axis !== -3) {
        out.push({ ...n, inputs: n.inputs.map(asNchw) });
        continue;
      }
      channelsLast(n, n.inputs.map((_, i) => i).filter((i) => i >= 2 && (i - 2) % 3 === 0), { axis: 3 });
    } else out.push({ ...n, inputs: n.inputs.map((v) => (v ? asNchw(v) : v)) });
  }
  for (const o of g.outputs) asNchw(o.name);
  g.nodes = topoSort({ ...g, nodes: out });
  return converted;
}
