// int8kit bench: the same model on int8kit's backends and on onnxruntime-node (when installed),
// each at each thread count, interleaved in one run (A B A B ...), medians and ratios.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { BackendUnavailableError } from '../errors';
import { Session } from '../runtime/session';
import { Tensor } from '../runtime/tensor';
import type { Graph } from '../graph/ir';
import { graphToOnnx } from '../graph/to-onnx';
import { writeModel } from '../onnx';
import { bertLike, mobilenetV2Like, resnet18Like } from './models';

export interface BenchOptions {
  backends: string[];
  threads: number[];
  peers: string[];
  rounds: number;
  /** Minimum time per round per configuration. */
  roundMs: number;
  /** Input dims by name, for inputs with symbolic dims (which otherwise become 1). */
  inputShapes?: Record<string, number[]>;
}

/** Models built in (seeded weights), with the input dims they are benchmarked at. */
export const BUILTIN_MODELS: Record<string, { graph: () => Graph; shapes: Record<string, number[]> }> = {
  'resnet18-like': { graph: () => resnet18Like(), shapes: { input: [1, 3, 224, 224] } },
  'mobilenetv2-like': { graph: () => mobilenetV2Like(), shapes: { input: [1, 3, 224, 224] } },
  'bert-like': { graph: () => bertLike(), shapes: { input_ids: [1, 128] } },
  'bert-like-768': { graph: () => bertLike(3, 4, 768, 12), shapes: { input_ids: [1, 128] } },
};

export interface BenchResult {
  engine: 'int8kit' | 'onnxruntime';
  backend: string;
  precision: 'fp32' | 'int8';
  threads: number;
  p50Ms: number;
  p90Ms: number;
  runs: number;
}

interface Runner {
  result: Omit<BenchResult, 'p50Ms' | 'p90Ms' | 'runs'>;
  run: () => Promise<unknown>;
  samples: number[];
  release: () => void;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/** Random inputs for the model's declared inputs; symbolic dims come from `shapes`, else 1. */
function feedsFor(session: Session, shapes: Record<string, number[]> = {}): Record<string, Tensor> {
  let seed = 1;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return Object.fromEntries(session.inputMetadata.map((m) => {
    const dims = shapes[m.name] ?? (m.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    const data = m.type === 'int64' ? BigInt64Array.from({ length: n }, () => BigInt(Math.floor(next() * 100)))
      : m.type === 'float32' ? Float32Array.from({ length: n }, () => next() * 2 - 1) : new Uint8Array(n);
    return [m.name, new Tensor(m.type, data as never, dims)];
  }));
}

/** @param model a model file, or the name of a built-in model (BUILTIN_MODELS). */
export async function bench(model: string, opts: BenchOptions): Promise<BenchResult[]> {
  const builtin = BUILTIN_MODELS[model];
  const bytes = builtin ? writeModel(graphToOnnx(builtin.graph())) : readFileSync(model);
  const shapes = { ...builtin?.shapes, ...opts.inputShapes };
  const runners: Runner[] = [];
  let feeds: Record<string, Tensor> | undefined;
  for (const backend of opts.backends)
    for (const threads of backend === 'wasm' ? [1] : opts.threads) {
      const s = await Session.create(bytes, { backend, threads });
      feeds ??= feedsFor(s, shapes);
      const f = feeds;
      runners.push({ result: { engine: 'int8kit', backend, precision: 'fp32', threads }, run: () => s.run(f), samples: [], release: () => s.release() });
    }
  if (opts.peers.includes('onnxruntime')) {
    let ort;
    try {
      ort = createRequire(__filename)('onnxruntime-node');
    } catch {
      throw new BackendUnavailableError('--peers onnxruntime needs the onnxruntime-node package: npm install onnxruntime-node');
    }
    for (const threads of opts.threads) {
      const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
      const f = Object.fromEntries(Object.entries(feeds!).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)]));
      runners.push({ result: { engine: 'onnxruntime', backend: 'cpu', precision: 'fp32', threads }, run: () => s.run(f), samples: [], release: () => s.release() });
    }
  }
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
  runners.forEach((r) => r.release());
  return runners.map((r) => ({ ...r.result, p50Ms: quantile(r.samples, 0.5), p90Ms: quantile(r.samples, 0.9), runs: r.samples.length }));
}

export function formatTable(model: string, results: BenchResult[]): string {
  const ort = (threads: number) => results.find((r) => r.engine === 'onnxruntime' && r.threads === threads);
  const rows = results.map((r) => {
    const peer = ort(r.threads);
    const ratio = peer && r.engine === 'int8kit' ? (r.p50Ms / peer.p50Ms).toFixed(2) : '';
    return `| ${r.engine} | ${r.backend} | ${r.precision} | ${r.threads} | ${r.p50Ms.toFixed(2)} | ${r.p90Ms.toFixed(2)} | ${r.runs} | ${ratio} |`;
  });
  return [`model: ${model}`, '', '| engine | backend | precision | threads | p50 ms | p90 ms | runs | time / ORT |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}
