/**
 * prepare(): decides where a float graph gets quantized, in PyTorch's vocabulary. BatchNormalization
 * is folded into the preceding Conv/Gemm, a Conv/Gemm/MatMul/Add followed by Relu or Clip is treated
 * as one fused op (observed after the activation only), and every activation value that will carry
 * a QuantizeLinear/DequantizeLinear pair is assigned to an observation group. Values in one group
 * share quantization parameters: a Concat's inputs and output, and the input and output of ops that
 * only move or select values (MaxPool, Reshape, Flatten, Transpose, Squeeze, Unsqueeze).
 * The graph stays standard ONNX: nothing is fused into int8kit-only attributes.
 */
import type { Graph, Node } from '../graph/ir';
import { copyGraph } from '../graph/copy';
import { eliminateDeadNodes, foldBatchNorm, removeIdentities } from '../graph/passes';
import { topoSort } from '../graph/specialize';
import { invalid } from '../errors';
import type { QParams } from './qparams';
import type { QConfig } from './qconfig';

/** Ops computed in INT8: their float inputs and their output are quantized. */
export const QUANTIZED_OPS: ReadonlySet<string> = new Set(['Conv', 'Gemm', 'MatMul', 'Add', 'Mul', 'Concat', 'AveragePool', 'GlobalAveragePool', 'Sigmoid', 'Softmax']);
/** Ops whose output keeps their input's quantization parameters (they move or select values). */
export const PASS_THROUGH_OPS: ReadonlySet<string> = new Set(['MaxPool', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze']);
/** Activations folded into the output range of the op before them. */
const FUSABLE_ACTIVATIONS: ReadonlySet<string> = new Set(['Relu', 'Clip']);
const FUSES_ACTIVATION: ReadonlySet<string> = new Set(['Conv', 'Gemm', 'MatMul', 'Add']);

/** What the flow needs of an observer; the observers of src/quant/observers implement it. */
export interface ActivationObserver {
  /**
   * Folds one observed tensor into the state.
   * @throws {@link InvalidArgumentError} for a bad tensor (see {@link Observer.observe}).
   */
  observe(x: Float32Array, shape: readonly number[]): void;
  /**
   * The parameters for what was observed.
   * @throws Never for int8kit's observers.
   */
  calculateQParams(): QParams;
}

/** Options of {@link prepare} when it is given an observer factory instead of a {@link QConfig}. */
export interface PrepareOptions {
  /**
   * Makes the observer of one group; `values` are the group's value names (the first names it in
   * errors), `owner` the quantized node that produces one of them, if any.
   */
  observer: (values: readonly string[], owner?: Node) => ActivationObserver;
  /** Nodes (by name) and op types kept in float. */
  exclude?: {
    /** Node names. */
    nodes?: readonly string[];
    /** Op types, e.g. `Add`. */
    opTypes?: readonly string[];
  };
}

/** What {@link prepare} returns and {@link calibrate} / {@link convert} take. */
export interface PreparedModel {
  /** The float graph after BN folding, the one calibration runs. */
  graph: Graph;
  /** Names of the nodes computed in INT8 (QUANTIZED_OPS not excluded). */
  quantizedNodes: Set<string>;
  /** Fused pairs: quantized node name -> the Relu/Clip node whose output is its observed output. */
  fusedActivations: Map<string, Node>;
  /** Observation groups: value names sharing one observer and one set of quantization parameters. */
  groups: string[][];
  /** Value name -> index in groups / observers. */
  groupOf: Map<string, number>;
  /** One observer per group, fed by {@link calibrate}. */
  observers: ActivationObserver[];
}

/** Union-find over value names. */
class Groups {
  private readonly parent = new Map<string, string>();
  has(v: string): boolean {
    return this.parent.has(v);
  }
  add(v: string): void {
    if (!this.parent.has(v)) this.parent.set(v, v);
  }
  find(v: string): string {
    let r = v;
    while (this.parent.get(r) !== r) r = this.parent.get(r)!;
    this.parent.set(v, r);
    return r;
  }
  union(a: string, b: string): void {
    this.add(a);
    this.add(b);
    this.parent.set(this.find(a), this.find(b));
  }
  sets(): string[][] {
    const by = new Map<string, string[]>();
    for (const v of this.parent.keys()) {
      const r = this.find(v);
      by.set(r, [...(by.get(r) ?? []), v]);
    }
    return [...by.values()];
  }
}

/**
 * @param config a QConfig (qconfig('fbgemm', ...)), or an observer factory with exclusions.
 * @param exclude with a QConfig: nodes and op types kept in float.
 * Folds BatchNormalization, picks the nodes computed in INT8 (see {@link QUANTIZED_OPS}), fuses
 * their Relu/Clip, groups values sharing quantization parameters and places one observer per group.
 * The input graph is not modified.
 * @param graph The float graph.
 * @param config A {@link QConfig}, or {@link PrepareOptions} with an observer factory.
 * @param exclude With a QConfig: nodes and op types kept in float.
 * @throws {@link InvalidArgumentError} when no observer factory is given or an excluded node name is not in the graph.
 * @throws {@link InvalidGraphError} when the graph has a cycle or reads a value nothing produces.
 */
export function prepare(graph: Graph, config: PrepareOptions | QConfig, exclude?: PrepareOptions['exclude']): PreparedModel {
  const options: PrepareOptions = typeof (config as QConfig)?.activation === 'function'
    ? { observer: (values, owner) => (config as QConfig).activation(values[0], owner), exclude }
    : (config as PrepareOptions);
  if (typeof options?.observer !== 'function') throw invalid('options.observer', 'a function returning an observer', options?.observer);
  const g = copyGraph(graph);
  eliminateDeadNodes(g);
  removeIdentities(g);
  foldBatchNorm(g);
  const excludedNodes = new Set(options.exclude?.nodes ?? []);
  const excludedTypes = new Set(options.exclude?.opTypes ?? []);
  for (const name of excludedNodes)
    if (!g.nodes.some((n) => n.name === name)) throw invalid('options.exclude.nodes', 'names of nodes in the graph', name);

  const consumers = new Map<string, Node[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const isGraphOutput = (v: string) => g.outputs.some((o) => o.name === v);
  const isActivation = (v: string) => v !== '' && !g.initializers.has(v);

  const quantizedNodes = new Set<string>();
  const fusedActivations = new Map<string, Node>();
  const groups = new Groups();
  const fusedAway = new Set<string>(); // raw outputs hidden behind a fused activation
  const owner = new Map<string, Node>(); // observed output -> the quantized node producing it
  for (const n of g.nodes) {
    if (!QUANTIZED_OPS.has(n.opType) || excludedNodes.has(n.name) || excludedTypes.has(n.opType)) continue;
    quantizedNodes.add(n.name);
    // Data inputs only: Conv/Gemm weights and biases, and constant operands, are quantized from
    // their values at convert time.
    for (const i of n.inputs) if (isActivation(i)) groups.add(i);
    let out = n.outputs[0];
    const uses = consumers.get(out) ?? [];
    const act = uses.length === 1 ? uses[0] : undefined;
    if (act && FUSES_ACTIVATION.has(n.opType) && FUSABLE_ACTIVATIONS.has(act.opType) && !isGraphOutput(out) &&
        !excludedNodes.has(act.name) && !excludedTypes.has(act.opType)) {
      fusedActivations.set(n.name, act);
      fusedAway.add(out);
      out = act.outputs[0];
    }
    groups.add(out);
    owner.set(out, n);
    if (n.opType === 'Concat') for (const i of n.inputs) if (isActivation(i)) groups.union(i, out);
  }
  // Pass-through ops fed by a quantized value keep its parameters (in order, so chains such as
  // MaxPool -> Flatten propagate).
  for (const n of topoSort(g)) {
    if (!PASS_THROUGH_OPS.has(n.opType) || excludedNodes.has(n.name) || excludedTypes.has(n.opType)) continue;
    if (groups.has(n.inputs[0]) && !fusedAway.has(n.inputs[0])) groups.union(n.inputs[0], n.outputs[0]);
  }
  const sets = groups.sets().filter((s) => s.some((v) => !fusedAway.has(v)));
  const groupOf = new Map<string, number>();
  sets.forEach((s, i) => s.forEach((v) => groupOf.set(v, i)));
  const observers = sets.map((s) => options.observer(s, s.map((v) => owner.get(v)).find((n) => n)));
  return { graph: g, quantizedNodes, fusedActivations, groups: sets, groupOf, observers };
}
