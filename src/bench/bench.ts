// int8kit bench: the same model on int8kit's backends and on onnxruntime-node (when installed),
// FP32 and INT8, each at each thread count, interleaved in one run (A B C A B C ...), medians and
// ratios, model sizes and memory.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { BackendUnavailableError } from '../errors';
import { graphFromOnnx } from '../graph/from-onnx';
import type { Graph } from '../graph/ir';
import { graphToOnnx } from '../graph/to-onnx';
import { readModel, writeModel } from '../onnx';
import { totalPlanMemory, type PlanMemory, type PlanSession, type PlanSessionOptions } from '../runtime/plan-session';
import { Session } from '../runtime/session';
import type { Tensor } from '../runtime/tensor';
import { generatedFeeds } from './feeds';
import { int8Model, type Int8Request, type Int8Source } from './int8-model';
import { peakRss, ProbeFiles, runProbe } from './memory-probe';
import { bertLike, mobilenetV2Like, resnet18Like } from './models';

export interface BenchOptions {
  /** int8kit backends (Session's `backend`): each runs the INT8 model; FP32 runs on native (and wasm when listed). */
  backends: string[];
  threads: number[];
  peers: string[];
  rounds: number;
  /** Minimum time per round per configuration. */
  roundMs: number;
  /** Input dims by name, for inputs with symbolic dims (which otherwise become 1). */
  inputShapes?: Record<string, number[]>;
  /** Also benchmark an INT8 model (quantized here or read from a file). */
  int8?: Int8Request;
  /** Notes for the user (generated calibration data); default stderr. */
  warn?: (note: string) => void;
  /**
   * Measure each row's memory in a fresh process (`node CLI bench FILE --probe ROW`, see
   * memory-probe.ts); without it, RSS growth is measured in this process, where sessions mix.
   */
  memoryProbe?: { cli: string };
}

/** Models built in (seeded weights), with the input dims they are benchmarked at. */
export const BUILTIN_MODELS: Record<string, { graph: () => Graph; shapes: Record<string, number[]> }> = {
  'resnet18-like': { graph: () => resnet18Like(), shapes: { input: [1, 3, 224, 224] } },
  'mobilenetv2-like': { graph: () => mobilenetV2Like(), shapes: { input: [1, 3, 224, 224] } },
  'bert-like': { graph: () => bertLike(), shapes: { input_ids: [1, 128] } },
  'bert-like-768': { graph: () => bertLike(3, 4, 768, 12), shapes: { input_ids: [1, 128] } },
};

/** The default --backends: the INT8 family on x86 is fbgemm (u8 x s8 VNNI kernels), elsewhere the native default. */
export const DEFAULT_BACKENDS = process.arch === 'x64' ? 'fbgemm' : 'native';

/** What a Session's `backend` option may name (fbgemm/qnnpack/reference: the native addon with that INT8 lowering). */
export const SESSION_BACKENDS = ['native', 'wasm', 'fbgemm', 'qnnpack', 'reference'];

export interface BenchResult {
  engine: 'int8kit' | 'onnxruntime';
  backend: string;
  precision: 'fp32' | 'int8';
  threads: number;
  p50Ms: number;
  p90Ms: number;
  runs: number;
  /**
   * int8kit: the plan's bytes (packed weights + one run's arena and workspace, `PlanSession.memory()`);
   * onnxruntime: the process's RSS growth over its session creation and first run.
   */
  memoryBytes?: number;
  memoryKind?: 'plan' | 'rss-growth';
  /** int8kit only: memoryBytes broken down. */
  plan?: PlanMemory;
  /** Every engine: RSS growth over session creation and first run. */
  rssGrowthBytes: number;
  /** true: measured in a fresh process per row (memoryProbe); false: in this one (noisy: freed memory is reused). */
  rssIsolated: boolean;
  /** With memoryProbe: the peak RSS of the process that created this row's session and ran it once. */
  peakRssBytes?: number;
}

export interface BenchReport {
  model: string;
  results: BenchResult[];
  /** Serialized ONNX bytes of the FP32 and INT8 models (when there is an INT8 model). */
  sizes?: { fp32Bytes: number; int8Bytes: number; ratio: number };
  int8?: Int8Source;
  /** This process's peak RSS at the end of the run (VmHWM on Linux, else process.resourceUsage().maxRSS). */
  peakRssBytes: number;
}

interface Runner {
  result: Omit<BenchResult, 'p50Ms' | 'p90Ms' | 'runs'>;
  run: () => Promise<unknown>;
  samples: number[];
  release: () => void;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/** RSS growth over `create` (session creation plus its first run). */
async function measured<T>(create: () => Promise<T>): Promise<{ value: T; rssGrowthBytes: number }> {
  const before = process.memoryUsage.rss();
  const value = await create();
  return { value, rssGrowthBytes: Math.max(0, process.memoryUsage.rss() - before) };
}

/** Session's own report once it has one (`Session.memoryInfo()`), else the plans it created. */
async function sessionMemory(s: Session, plans: PlanSession[]): Promise<PlanMemory | undefined> {
  const own = (s as Session & { memoryInfo?: () => PlanMemory | Promise<PlanMemory> }).memoryInfo;
  if (typeof own === 'function') return own.call(s);
  return plans.length ? totalPlanMemory(plans) : undefined;
}

async function int8kitRunner(bytes: Uint8Array, backend: string, threads: number, precision: 'fp32' | 'int8', shapes: Record<string, number[]>, feeds: { value?: Record<string, Tensor> }): Promise<Runner> {
  const plans: PlanSession[] = [];
  const options: PlanSessionOptions = { backend, threads, onPlanCreated: (p) => plans.push(p) };
  const { value: s, rssGrowthBytes } = await measured(async () => {
    const session = await Session.create(bytes, options);
    feeds.value ??= generatedFeeds(session.inputMetadata, shapes);
    await session.run(feeds.value);
    return session;
  });
  const f = feeds.value!;
  const plan = await sessionMemory(s, plans);
  const memory = plan ? { memoryBytes: plan.arenaBytes + plan.workspaceBytes + plan.weightBytes, memoryKind: 'plan' as const, plan } : {};
  return { result: { engine: 'int8kit', backend, precision, threads, ...memory, rssGrowthBytes, rssIsolated: false }, run: () => s.run(f), samples: [], release: () => s.release() };
}

async function ortRunner(ort: any, bytes: Uint8Array, threads: number, precision: 'fp32' | 'int8', feeds: Record<string, Tensor>): Promise<Runner> {
  const f = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)]));
  const { value: s, rssGrowthBytes } = await measured(async () => {
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
    await session.run(f);
    return session;
  });
  return {
    result: { engine: 'onnxruntime', backend: 'cpu', precision, threads, memoryBytes: rssGrowthBytes, memoryKind: 'rss-growth', rssGrowthBytes, rssIsolated: false },
    run: () => s.run(f),
    samples: [],
    release: () => s.release(),
  };
}

function loadOrt(): any {
  try {
    return createRequire(__filename)('onnxruntime-node');
  } catch {
    throw new BackendUnavailableError('--peers onnxruntime needs the onnxruntime-node package: npm install onnxruntime-node');
  }
}

/** Replaces each row's in-process RSS figures with ones from a fresh process (memory-probe.ts). */
function isolatedMemory(cli: string, runners: Runner[], fp32: { path?: string; bytes: Uint8Array }, int8: { path?: string; bytes?: Uint8Array }, shapes: Record<string, number[]>): void {
  const files = new ProbeFiles();
  try {
    for (const { result: r } of runners) {
      const file = r.precision === 'fp32' ? files.file(fp32.path, fp32.bytes, 'fp32.onnx') : files.file(int8.path, int8.bytes!, 'int8.onnx');
      const p = runProbe(cli, file, r, shapes);
      Object.assign(r, { rssGrowthBytes: p.rssGrowthBytes, rssIsolated: true, peakRssBytes: p.peakRssBytes }, r.memoryKind === 'rss-growth' && { memoryBytes: p.rssGrowthBytes });
    }
  } finally {
    files.dispose();
  }
}

/** Rows by thread count, int8kit before onnxruntime, FP32 before INT8 (creation order otherwise). */
function rowOrder(a: Runner['result'], b: Runner['result']): number {
  return a.threads - b.threads || Number(a.engine !== 'int8kit') - Number(b.engine !== 'int8kit') || Number(a.precision === 'int8') - Number(b.precision === 'int8');
}

/**
 * Runs every configuration, interleaved: int8kit FP32 on `native` (and on `wasm` when listed: its
 * own runtime), since FP32 does not depend on the INT8 family; every listed backend on the INT8
 * model when there is one; onnxruntime on both models.
 * @param model a model file, or the name of a built-in model (BUILTIN_MODELS).
 */
export async function bench(model: string, opts: BenchOptions): Promise<BenchReport> {
  const builtin = BUILTIN_MODELS[model];
  const graph = builtin ? builtin.graph() : graphFromOnnx(readModel(model));
  const bytes = builtin ? writeModel(graphToOnnx(graph)) : readFileSync(model);
  const shapes = { ...builtin?.shapes, ...opts.inputShapes };
  const warn = opts.warn ?? ((note: string) => process.stderr.write(`${note}\n`));
  const q = opts.int8 ? await int8Model(builtin ? graph : model, graph, opts.int8, shapes, warn) : undefined;
  const threadsOf = (backend: string) => (backend === 'wasm' ? [1] : opts.threads);
  // FP32 does not depend on the INT8 family: fbgemm, qnnpack and reference are the native addon.
  const fp32Backends = [...new Set(opts.backends.map((b) => (b === 'wasm' ? 'wasm' : 'native')))];

  const runners: Runner[] = [];
  const feeds: { value?: Record<string, Tensor> } = {};
  try {
    for (const backend of fp32Backends)
      for (const threads of threadsOf(backend)) runners.push(await int8kitRunner(bytes, backend, threads, 'fp32', shapes, feeds));
    if (q)
      for (const backend of opts.backends)
        for (const threads of threadsOf(backend)) runners.push(await int8kitRunner(q.bytes, backend, threads, 'int8', shapes, feeds));
    if (opts.peers.includes('onnxruntime')) {
      const ort = loadOrt();
      for (const threads of opts.threads) {
        runners.push(await ortRunner(ort, bytes, threads, 'fp32', feeds.value!));
        if (q) runners.push(await ortRunner(ort, q.bytes, threads, 'int8', feeds.value!));
      }
    }
    runners.sort((a, b) => rowOrder(a.result, b.result));
    for (const r of runners) for (let i = 0; i < 3; i++) await r.run(); // warm-up: packing, JIT, page faults
    for (let round = 0; round < opts.rounds; round++)
      for (const r of runners) {
        const start = performance.now();
        do {
          const t0 = performance.now();
          await r.run();
          r.samples.push(performance.now() - t0);
        } while (performance.now() - start < opts.roundMs);
      }
  } finally {
    runners.forEach((r) => r.release());
  }
  if (opts.memoryProbe) isolatedMemory(opts.memoryProbe.cli, runners, { path: builtin ? undefined : model, bytes }, { path: q?.int8.source === 'file' ? q.int8.path : undefined, bytes: q?.bytes }, shapes);
  return {
    model,
    results: runners.map((r) => ({ ...r.result, p50Ms: quantile(r.samples, 0.5), p90Ms: quantile(r.samples, 0.9), runs: r.samples.length })),
    ...(q && { sizes: { fp32Bytes: bytes.length, int8Bytes: q.bytes.length, ratio: bytes.length / q.bytes.length }, int8: q.int8 }),
    peakRssBytes: peakRss(),
  };
}
