import { invalid, InvalidPlanError, ReleasedError, UnsupportedOpError } from '../errors';
import type { Dim, Graph, Node, StaticType } from '../graph/ir';
import { graphFromOnnx } from '../graph/from-onnx';
import { copyGraph } from '../graph/copy';
import { optimize } from '../graph/passes';
import { lowerQdq, type Int8Family, type LowerQdqReport } from '../graph/lower-qdq';
import { layoutNhwc } from '../graph/layout-nhwc';
import { readModel } from '../onnx';
import { BindInputs, specialize } from '../graph/specialize';
import type { TensorData } from '../graph/ir';
import { createHash } from 'node:crypto';
import { PlanSession, totalPlanMemory, type PlanMemory } from './plan-session';
import { lower, type Lowered } from './lower';
import { Tensor } from './tensor';
import type { DType } from '../plan/types';

/** Options of {@link Session.create}. */
export interface SessionOptions {
  /**
   * Where the model runs: `native` (the addon's best kernels), `wasm`, or an INT8 kernel family on
   * the native addon: `fbgemm` (u8 x s8, the default for quantized models), `qnnpack` (u8 x u8) or
   * `reference` (the scalar kernels that define the numbers). By default the best backend that loads.
   */
  backend?: string;
  /** Intra-op threads (native backend). Default 1. */
  threads?: number;
  /** Force an instruction set (see PlanSession). */
  isa?: string;
  /** Run the graph passes (Identity removal, BatchNorm folding, activation fusion, ...). Default true. */
  optimize?: boolean;
  /**
   * How QuantizeLinear / DequantizeLinear pairs run: `int8` (default) lowers them with the ops they
   * surround into integer ops (QLinearConv, QLinearMatMul, ...); `simulate` runs the graph as written,
   * float ops between quantize-dequantize pairs (fake quantization).
   */
  qdq?: 'int8' | 'simulate';
  /**
   * Keep INT8 activations channels-last (NHWC) between integer ops, converted once where a chain
   * starts and ends (default true); false runs every integer op on NCHW, for comparisons.
   */
  channelsLast?: boolean;
}

/** The INT8 kernel families, each a native backend with a lowering. */
const FAMILIES: Record<string, { backend: string; family: Int8Family; isa?: string }> = {
  fbgemm: { backend: 'native', family: 'fbgemm' },
  qnnpack: { backend: 'native', family: 'qnnpack' },
  reference: { backend: 'native', family: 'fbgemm', isa: 'scalar' },
};

/** A model input or output as {@link Session.inputMetadata} describes it. */
export interface ValueMetadata {
  /** The value's name. */
  name: string;
  /** Its element type. */
  type: DType;
  /** Numbers, symbolic names for dynamic dims, null when unknown. */
  shape: Dim[] | undefined;
}

/**
 * Plan ops are the graph's nodes in order, so "op N (Type): unsupported op type" from a backend
 * names node N: report it as the UnsupportedOpError the API promises.
 */
function unsupportedOp(e: unknown, nodes: Node[], opset: number): unknown {
  const m = e instanceof InvalidPlanError ? /op (\d+) \((\w+)\): unsupported op type/.exec(e.message) : null;
  const n = m ? nodes[Number(m[1])] : undefined;
  return n ? new UnsupportedOpError(`Unsupported op: node "${n.name}" (${n.opType}) (opset ${opset}) has no kernel on this backend`) : e;
}

/** A copy of the graph (nodes and initializer map; tensors shared) with the passes and the QDQ lowering applied. */
function prepared(graph: Graph, options: SessionOptions, family: Int8Family): { graph: Graph; lowered: LowerQdqReport } {
  const copy = copyGraph(graph);
  if (options.optimize !== false) optimize(copy);
  const lowered = options.qdq === 'simulate' ? {} : lowerQdq(copy, { family });
  // QOperator models (QLinearConv as written) get the layout too.
  if (options.qdq !== 'simulate' && options.channelsLast !== false) layoutNhwc(copy);
  return { graph: copy, lowered };
}

interface Specialised {
  lowered: Lowered;
  plan?: PlanSession;
  consts: Map<string, Tensor>;
}

/**
 * Runs a model, modelled on onnxruntime-node's InferenceSession: `await Session.create(graph)`,
 * `await session.run({ input: tensor })` -> `{ [outputName]: Tensor }`. Each new set of input
 * shapes is specialised once (shape inference, folding, weight packing) and cached; runs execute
 * off the JavaScript thread on the native backend; concurrent runs are safe.
 */
export class Session {
  private readonly cache = new Map<string, Promise<Specialised>>();
  /** Graph inputs an op needs as constants; specialised on their values (see BindInputs). */
  private readonly bound = new Set<string>();
  private released = false;

  private constructor(
    private readonly graph: Graph,
    private readonly options: SessionOptions,
    /** QDQ chains lowered to integer ops, by the op that replaced them ({} for a float model or qdq: 'simulate'). */
    readonly int8Ops: Readonly<LowerQdqReport>,
  ) {}

  /**
   * Loads a model and prepares it to run: graph passes, QDQ lowering to integer ops (quantized
   * models), and, when every declared input shape is static, shape inference and weight packing
   * up front so that unsupported ops fail here rather than at the first run.
   *
   * @example
   * ```ts
   * const session = await Session.create('model.onnx', { backend: 'fbgemm', threads: 2 });
   * const { output } = await session.run({ input: new Tensor('float32', pixels, [1, 3, 224, 224]) });
   * session.release();
   * ```
   * @param model An ONNX file path, its bytes, or a graph.
   * @param options Backend, threads, ISA, graph passes, QDQ handling, layout.
   * @throws {@link InvalidModelError} for unreadable or malformed model files.
   * @throws {@link InvalidArgumentError} for bad options.
   * @throws {@link BackendUnavailableError} when the requested backend (or none) can load.
   * @throws {@link UnsupportedIsaError} when options.isa is unknown or this CPU lacks it.
   * @throws {@link InvalidPlanError} when an op rejects its inputs' shapes or attributes.
   * @throws {@link InvalidGraphError} for cycles, missing values or inconsistent shapes (checked with the model's declared input shapes when they are static).
   * @throws {@link UnsupportedOpError} naming op type, node and opset.
   */
  static async create(model: string | Uint8Array | Graph, options: SessionOptions = {}): Promise<Session> {
    const graph = typeof model === 'string' || model instanceof Uint8Array ? graphFromOnnx(readModel(model)) : model;
    if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1 && options.threads <= 256))
      throw invalid('options.threads', 'an integer in [1, 256]', options.threads);
    if (options.qdq !== undefined && options.qdq !== 'int8' && options.qdq !== 'simulate') throw invalid('options.qdq', "'int8' or 'simulate'", options.qdq);
    const fam = FAMILIES[options.backend ?? ''];
    if (fam?.isa && options.isa !== undefined && options.isa !== fam.isa)
      throw invalid('options.isa', `${fam.isa} (or none) with backend ${options.backend}`, options.isa);
    const planOptions = fam ? { ...options, backend: fam.backend, isa: fam.isa ?? options.isa } : options;
    const p = prepared(graph, options, fam?.family ?? 'fbgemm');
    const s = new Session(p.graph, planOptions, p.lowered);
    // Fail early (unsupported ops, bad graphs) when the declared input shapes are all static.
    const declared = graph.inputs.map((i) => i.type.shape);
    if (declared.every((sh) => sh && sh.every((d) => typeof d === 'number')))
      await s.specialised(new Map(graph.inputs.map((i) => [i.name, { dtype: i.type.dtype, shape: i.type.shape as number[] }]))).catch((e) => {
        if (!(e instanceof BindInputs)) throw e; // needs input values: checked at the first run
      });
    return s;
  }

  /** Names of the model's inputs, in graph order (the keys `run()` expects). */
  get inputNames(): string[] {
    return this.graph.inputs.map((i) => i.name);
  }
  /** Names of the model's outputs, in graph order (the keys `run()` returns). */
  get outputNames(): string[] {
    return this.graph.outputs.map((o) => o.name);
  }
  /** Name, dtype and declared shape of each input. */
  get inputMetadata(): ValueMetadata[] {
    return this.graph.inputs.map((i) => ({ name: i.name, type: i.type.dtype, shape: i.type.shape }));
  }
  /** Name, dtype and declared shape of each output (float32 when the model does not say). */
  get outputMetadata(): ValueMetadata[] {
    return this.graph.outputs.map((o) => ({ name: o.name, type: o.type?.dtype ?? 'float32', shape: o.type?.shape }));
  }

  /** The specialisation for these input types (and the values of bound inputs), built once. */
  private specialised(types: Map<string, StaticType>, feeds?: Record<string, Tensor>): Promise<Specialised> {
    // A run that started before release() may come back to specialise again (BindInputs): the cache
    // is already cleared, so a plan made now would never be released.
    if (this.released) return Promise.reject(new ReleasedError('the session was released'));
    const bound = new Map<string, TensorData>();
    let key = this.graph.inputs.map((i) => `${types.get(i.name)!.dtype}[${types.get(i.name)!.shape}]`).join(';');
    for (const name of this.bound) {
      const t = feeds?.[name];
      if (!t) throw new BindInputs([name]);
      const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      key += `;${name}=${createHash('sha1').update(bytes).digest('hex')}`;
      bound.set(name, { dtype: t.type, dims: [...t.dims], data: t.data });
    }
    let entry = this.cache.get(key);
    if (!entry) {
      entry = (async () => {
        const s = specialize(this.graph, types, bound);
        const lowered = lower(s, this.inputNames, this.outputNames);
        const consts = new Map(
          this.outputNames.filter((o) => s.consts.has(o)).map((o) => {
            const t = s.consts.get(o)!;
            return [o, new Tensor(t.dtype, t.data as never, t.dims)];
          }),
        );
        const plan = lowered.outputs.length ? await PlanSession.create(lowered.plan, this.options).catch((e) => {
          throw unsupportedOp(e, s.nodes, this.graph.opset);
        }) : undefined;
        return { lowered, plan, consts };
      })();
      this.cache.set(key, entry);
      entry.catch(() => this.cache.delete(key));
    }
    return entry;
  }

  /**
   * Runs the model off the JavaScript thread (native backend); concurrent calls are safe. The
   * first run with a new set of input shapes specialises the model for them (shape inference,
   * folding, weight packing), later runs with the same shapes reuse it.
   * @param feeds One {@link Tensor} per input name.
   * @returns One {@link Tensor} per output name.
   * @throws {@link InvalidArgumentError} for missing or unknown input names, wrong dtypes, or dims that contradict the model's static dims.
   * @throws {@link ReleasedError} after release().
   * @throws {@link UnsupportedOpError} or {@link InvalidGraphError} when these input shapes are the first
   *   to reach an op int8kit cannot run, or shapes that do not agree.
   * @throws {@link InvalidPlanError} when an op rejects these shapes or the input data (e.g. an index out of range).
   * @throws {@link OutOfMemoryError} when the run's memory cannot be allocated.
   */
  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    if (this.released) throw new ReleasedError('the session was released');
    if (!feeds || typeof feeds !== 'object') throw invalid('feeds', 'an object of input name to Tensor', feeds);
    for (const name of Object.keys(feeds))
      if (!this.inputNames.includes(name)) throw invalid('feeds', `inputs named among ${this.inputNames.join(', ')}`, name);
    const types = new Map<string, StaticType>();
    for (const i of this.graph.inputs) {
      const t = feeds[i.name];
      if (!(t instanceof Tensor)) throw invalid(`input ${i.name}`, 'a Tensor', t);
      if (t.type !== i.type.dtype) throw invalid(`input ${i.name}`, `a ${i.type.dtype} tensor`, `${t.type} tensor`);
      const bad = i.type.shape && (i.type.shape.length !== t.dims.length || i.type.shape.some((d, k) => typeof d === 'number' && d !== t.dims[k]));
      if (bad) throw invalid(`input ${i.name}`, `dims [${i.type.shape!.map((d) => d ?? '?')}]`, `dims [${t.dims}]`);
      types.set(i.name, { dtype: t.type, shape: [...t.dims] });
    }
    let s: Specialised;
    for (;;) {
      try {
        s = await this.specialised(types, feeds);
        break;
      } catch (e) {
        if (!(e instanceof BindInputs) || e.names.every((n) => this.bound.has(n))) throw e;
        e.names.forEach((n) => this.bound.add(n));
      }
    }
    const out: Record<string, Tensor> = {};
    if (s.plan) {
      const results = await s.plan.run(s.lowered.inputs.map((n) => feeds[n].data));
      s.lowered.outputs.forEach((name, k) => {
        const v = s.lowered.plan.values[s.lowered.plan.outputs[k]];
        out[name] = new Tensor(v.dtype, results[k] as never, v.shape);
      });
    }
    for (const name of this.outputNames) out[name] ??= s.consts.get(name) ?? feeds[name];
    return out;
  }

  /**
   * Bytes held by the plans of every input shape run so far (PlanSession.memory() added up).
   * @throws Never: specialisations that failed count as zero.
   */
  async memoryInfo(): Promise<PlanMemory> {
    return totalPlanMemory(await Promise.all([...this.cache.values()].map((e) => e.then((s) => s.plan, () => undefined))));
  }

  /**
   * Frees packed weights of every specialisation; runs in flight finish. Later `run()` calls throw
   * {@link ReleasedError}; releasing twice is harmless.
   * @throws Never.
   */
  release(): void {
    this.released = true;
    for (const entry of this.cache.values()) entry.then((s) => s.plan?.release(), () => undefined);
    this.cache.clear();
  }
}
