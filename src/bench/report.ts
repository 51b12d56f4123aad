// What `int8kit bench` prints: the rows with their ratios (INT8/FP32 speedup, time relative to
// onnxruntime), model sizes and memory, as a Markdown table or as JSON.
import type { BenchReport, BenchResult } from './bench';

export interface DerivedColumns {
  /** INT8 rows: FP32 p50 / this p50, same engine, runtime and thread count (int8kit FP32 runs on native, or wasm for wasm). */
  int8Speedup?: number;
  /** This p50 / onnxruntime's p50 at the same precision and thread count. */
  ortRatio?: number;
}

/** The FP32 row an INT8 row is compared with. */
function fp32Twin(r: BenchResult, results: BenchResult[]): BenchResult | undefined {
  const runtime = (b: string) => (b === 'wasm' ? 'wasm' : r.engine === 'int8kit' ? 'native' : b);
  return results.find((f) => f.precision === 'fp32' && f.engine === r.engine && f.threads === r.threads && runtime(f.backend) === runtime(r.backend));
}

export function derived(r: BenchResult, results: BenchResult[]): DerivedColumns {
  const out: DerivedColumns = {};
  const fp32 = r.precision === 'int8' ? fp32Twin(r, results) : undefined;
  if (fp32) out.int8Speedup = fp32.p50Ms / r.p50Ms;
  const ort = results.find((o) => o.engine === 'onnxruntime' && o.precision === r.precision && o.threads === r.threads);
  if (ort && r.engine === 'int8kit') out.ortRatio = r.p50Ms / ort.p50Ms;
  return out;
}

/** The JSON shape: { model, results: [{ engine, backend, precision, threads, p50Ms, p90Ms, runs, ... }], sizes, int8, peakRssBytes }. */
export function toJson(report: BenchReport): string {
  return JSON.stringify({ ...report, results: report.results.map((r) => ({ ...r, ...derived(r, report.results) })) });
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '' : (bytes / 2 ** 20).toFixed(1));
const fixed = (x: number | undefined, digits: number) => (x === undefined ? '' : x.toFixed(digits));

function int8Line(report: BenchReport): string | undefined {
  const q = report.int8;
  if (!q) return undefined;
  if (q.source === 'file') return `int8 model: ${q.path}`;
  if (q.mode === 'dynamic') return 'int8 model: quantized here, dynamic (int8 weights, activations quantized per run)';
  return `int8 model: quantized here, static, calibrated on ${q.samples} ${q.calibration === 'generated' ? 'generated random inputs (not representative: time only)' : `samples from ${q.calib}`}`;
}

export function formatTable(report: BenchReport): string {
  const { results } = report;
  const rows = results.map((r) => {
    const d = derived(r, results);
    const speedup = d.int8Speedup === undefined ? '' : `${d.int8Speedup.toFixed(2)}x`;
    const plan = r.memoryKind === 'plan' ? mb(r.memoryBytes) : '';
    return `| ${r.engine} | ${r.backend} | ${r.precision} | ${r.threads} | ${r.p50Ms.toFixed(2)} | ${r.p90Ms.toFixed(2)} | ${r.runs} | ${speedup} | ${fixed(d.ortRatio, 2)} | ${plan} | ${mb(r.rssGrowthBytes)}${r.rssIsolated ? '' : '*'} | ${mb(r.peakRssBytes)} |`;
  });
  const lines = [
    `model: ${report.model}`,
    ...[int8Line(report)].filter((l): l is string => l !== undefined),
    '',
    '| engine | backend | precision | threads | p50 ms | p90 ms | runs | INT8/FP32 speedup | time / ORT | plan MB | RSS growth MB | peak RSS MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ];
  if (report.sizes) {
    const s = report.sizes;
    lines.push(`model size: FP32 ${mb(s.fp32Bytes)} MB, INT8 ${mb(s.int8Bytes)} MB (${s.ratio.toFixed(2)}x smaller)`);
  }
  lines.push(
    'INT8/FP32 speedup: FP32 p50 / INT8 p50, same engine and threads. time / ORT: p50 / onnxruntime p50 at the same precision and threads.',
    'plan MB: packed weights + one run\'s arena and workspace (int8kit). RSS growth MB: RSS growth over the session\'s creation and first run, and peak RSS MB: that',
    'process\'s peak (Node, the model file, the session), each row measured in a fresh process (* in this one, where freed memory is reused: noisy).',
    `peak RSS of this process: ${mb(report.peakRssBytes)} MB`,
  );
  return lines.join('\n');
}
