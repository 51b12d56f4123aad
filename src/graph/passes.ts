// Graph passes that keep outputs identical (up to float rounding): Identity/Dropout removal,
// dead-node elimination, BatchNormalization folded into a preceding Conv or Gemm, and activation
// fusion into Conv and Gemm. Each works on constants only (initializers), so it is valid for
// every input shape.
import type { Graph, Node, TensorData } from './ir';
import { fuseDynamicQuantization } from './fuse-dynamic';
import { fuseGelu } from './fuse-gelu';

function consumers(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) m.set(i, [...(m.get(i) ?? []), n]);
  return m;
}

const isOutput = (g: Graph, name: string) => g.outputs.some((o) => o.name === name);

function rename(g: Graph, from: string, to: string): void {
  for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
}

/**
 * Identity, and Dropout in inference (no mask output used), forward their input.
 * @returns How many nodes were removed.
 * @throws Never: it only rewires names.
 */
export function removeIdentities(g: Graph): number {
  const uses = consumers(g);
  let removed = 0;
  g.nodes = g.nodes.filter((n) => {
    const passThrough = n.opType === 'Identity' || (n.opType === 'Dropout' && !(n.outputs[1] && uses.has(n.outputs[1])));
    if (!passThrough || isOutput(g, n.outputs[0])) return true;
    rename(g, n.outputs[0], n.inputs[0]);
    removed++;
    return false;
  });
  return removed;
}

/**
 * Removes nodes none of whose outputs reach a graph output.
 * @throws Never.
 */
export function eliminateDeadNodes(g: Graph): number {
  const live = new Set(g.outputs.map((o) => o.name));
  const keep = new Set<Node>();
  for (const n of [...g.nodes].reverse())
    if (n.outputs.some((o) => live.has(o))) {
      keep.add(n);
      n.inputs.forEach((i) => i && live.add(i));
    }
  const before = g.nodes.length;
  g.nodes = g.nodes.filter((n) => keep.has(n));
  for (const name of [...g.initializers.keys()]) if (!live.has(name)) g.initializers.delete(name);
  return before - g.nodes.length;
}

const f32 = (t: TensorData | undefined) => (t && t.dtype === 'float32' ? (t.data as Float32Array) : undefined);

/** The single consumer of `value` when there is exactly one and `value` is not a graph output. */
function soleConsumer(g: Graph, uses: Map<string, Node[]>, value: string): Node | undefined {
  const c = uses.get(value);
  return c && c.length === 1 && !isOutput(g, value) ? c[0] : undefined;
}

let unique = 0;
function addInitializer(g: Graph, base: string, t: TensorData): string {
  let name = `${base}_folded`;
  while (g.initializers.has(name)) name = `${base}_folded${++unique}`;
  g.initializers.set(name, t);
  return name;
}

/**
 * Conv -> BatchNormalization and Gemm(transB=1 or 0) -> BatchNormalization become one Conv/Gemm
 * with scaled weights and bias: w' = w * s, b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps).
 * @returns How many BatchNormalization nodes were folded.
 * @throws Never: a BatchNormalization it cannot fold (non-constant parameters, shared producer) stays.
 */
export function foldBatchNorm(g: Graph): number {
  let folded = 0;
  for (const bn of [...g.nodes]) {
    if (bn.opType !== 'BatchNormalization' || bn.outputs.filter(Boolean).length !== 1) continue;
    const uses = consumers(g);
    const prev = g.nodes.find((n) => n.outputs[0] === bn.inputs[0]);
    if (!prev || (prev.opType !== 'Conv' && prev.opType !== 'Gemm') || soleConsumer(g, uses, prev.outputs[0]) !== bn) continue;
    const [gamma, beta, mean, variance] = bn.inputs.slice(1, 5).map((i) => f32(g.initializers.get(i)));
    const w = g.initializers.get(prev.inputs[1]);
    const wData = f32(w);
    if (!gamma || !beta || !mean || !variance || !w || !wData) continue;
    if (prev.opType === 'Gemm' && ((prev.attrs.transA as number) || (prev.attrs.alpha ?? 1) !== 1 || (prev.attrs.beta ?? 1) !== 1)) continue;
    const channels = gamma.length;
    const eps = typeof bn.attrs.epsilon === 'number' ? bn.attrs.epsilon : 1e-5;
    const scale = Float32Array.from(gamma, (gm, c) => gm / Math.sqrt(variance[c] + eps));
    const bias = f32(g.initializers.get(prev.inputs[2] ?? ''));
    if (bias && bias.length !== channels) continue;
    const newW = Float32Array.from(wData);
    const transB = prev.opType === 'Gemm' && (prev.attrs.transB as number) === 1;
    if (prev.opType === 'Conv' || transB) {
      // Output channel is the leading dim of W.
      const per = newW.length / channels;
      for (let c = 0; c < channels; c++) for (let i = 0; i < per; i++) newW[c * per + i] *= scale[c];
    } else {
      for (let i = 0; i < newW.length; i++) newW[i] *= scale[i % channels];
    }
    const newB = Float32Array.from({ length: channels }, (_, c) => ((bias?.[c] ?? 0) - mean[c]) * scale[c] + beta[c]);
    prev.inputs[1] = addInitializer(g, prev.inputs[1], { dtype: 'float32', dims: w.dims, data: newW });
    prev.inputs[2] = addInitializer(g, prev.inputs[2] || `${prev.name}_bias`, { dtype: 'float32', dims: [channels], data: newB });
    prev.outputs[0] = bn.outputs[0];
    g.nodes = g.nodes.filter((n) => n !== bn);
    folded++;
  }
  eliminateDeadNodes(g);
  return folded;
}

const FUSABLE = new Set(['Relu', 'Clip', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Sigmoid']);

/** Parameters of an activation in the form Conv's `activation_params` takes; undefined if not constant. */
function activationParams(g: Graph, act: Node): number[] | undefined {
  switch (act.opType) {
    case 'Clip': {
      const v = (i: number, def: number) => {
        const name = act.inputs[i];
        if (!name) return (act.attrs[i === 1 ? 'min' : 'max'] as number | undefined) ?? def;
        const t = f32(g.initializers.get(name));
        return t ? t[0] : undefined;
      };
      const lo = v(1, -Infinity), hi = v(2, Infinity);
      return lo === undefined || hi === undefined ? undefined : [lo, hi];
    }
    case 'LeakyRelu':
      return [(act.attrs.alpha as number) ?? 0.01];
    case 'HardSigmoid':
      return [(act.attrs.alpha as number) ?? 0.2, (act.attrs.beta as number) ?? 0.5];
    default:
      return [];
  }
}

/**
 * Conv followed by an activation becomes one Conv with `activation` / `activation_params`
 * attributes (int8kit's extension, applied in the convolution's output stage).
 * @returns How many activations were fused.
 * @throws Never: an activation it cannot fuse stays a node.
 */
export function fuseActivations(g: Graph): number {
  let fused = 0;
  for (const act of [...g.nodes]) {
    if (!FUSABLE.has(act.opType)) continue;
    const uses = consumers(g);
    const prev = g.nodes.find((n) => n.outputs[0] === act.inputs[0]);
    if (!prev || prev.opType !== 'Conv' || prev.attrs.activation !== undefined || soleConsumer(g, uses, prev.outputs[0]) !== act) continue;
    const params = activationParams(g, act);
    if (!params || params.some((p) => !Number.isFinite(p) && Math.abs(p) !== Infinity)) continue;
    // Unbounded Clip sides are written as +-3.4e38 so attributes stay finite.
    prev.attrs.activation = act.opType;
    if (params.length) prev.attrs.activation_params = params.map((p) => Math.max(-3.4e38, Math.min(3.4e38, p)));
    prev.outputs[0] = act.outputs[0];
    g.nodes = g.nodes.filter((n) => n !== act);
    fused++;
  }
  eliminateDeadNodes(g);
  return fused;
}

/**
 * The standard pipeline, in order. Returns how much each pass changed.
 * @param g The graph, rewritten in place.
 * @example
 * ```ts
 * const g = graphFromOnnx(readModel('model.onnx'));
 * console.log(optimize(g)); // { removeIdentities: 2, foldBatchNorm: 20, fuseActivations: 17, ... }
 * ```
 * @throws Never: every pass leaves what it cannot rewrite unchanged.
 */
export function optimize(g: Graph): Record<string, number> {
  // Dead branches first: their extra consumers would block the single-consumer fusions.
  const dead = eliminateDeadNodes(g);
  return {
    removeIdentities: removeIdentities(g),
    foldBatchNorm: foldBatchNorm(g),
    fuseActivations: fuseActivations(g),
    eliminateDeadNodes: dead + eliminateDeadNodes(g),
    fuseDynamicQuantization: fuseDynamicQuantization(g),
    fuseGelu: fuseGelu(g),
  };
}
