// The demo's report.html as a ReportDoc (drawn by src/report/render.ts): what was done, accuracy,
// size, and latency per backend and peer as a grouped FP32 vs INT8 chart plus its table.
// demoReportDoc takes extra sections so that per-layer analysis (inspect's SQNR and histograms) can
// be appended to the same page.
import type { BenchReport, BenchResult } from '../bench/bench';
import type { SizeReport } from '../quant/api';
import { renderReport } from '../report/render';
import type { ReportDoc, ReportSection } from '../report/types';

export interface DemoAccuracy {
  model: 'FP32' | 'INT8';
  backend: string;
  top1: number;
  agreement: number;
}

export interface DemoReportInput {
  model: string;
  size: SizeReport;
  accuracy: DemoAccuracy[];
  bench: BenchReport;
  calibrationSamples: number;
  testCount: number;
  batch: number;
}

/** One chart group per engine and backend (and thread count when several were run). */
function latencyGroups(results: BenchResult[]): { categories: string[]; of: (r: BenchResult) => string } {
  const manyThreads = new Set(results.map((r) => r.threads)).size > 1;
  const of = (r: BenchResult) => `${r.engine} ${r.backend}${manyThreads ? ` ${r.threads}t` : ''}`;
  return { categories: [...new Set(results.map(of))], of };
}

function latencySection(d: DemoReportInput): ReportSection {
  const { categories, of } = latencyGroups(d.bench.results);
  const p50 = (precision: BenchResult['precision']) =>
    categories.map((c) => d.bench.results.find((r) => of(r) === c && r.precision === precision)?.p50Ms ?? null);
  return {
    heading: 'Latency',
    intro:
      `Median (p50) time per batch of ${d.batch} digits, one thread, interleaved rounds. fbgemm and qnnpack are the native ` +
      "addon's two INT8 lowerings; FP32 runs on the native backend. A missing bar means that combination was not run.",
    blocks: [
      { kind: 'bars', title: `p50 latency per batch of ${d.batch} digits, FP32 vs INT8`, unit: 'ms', categories, series: [{ name: 'FP32', values: p50('fp32') }, { name: 'INT8', values: p50('int8') }] },
      {
        kind: 'table',
        columns: ['engine', 'backend', 'precision', 'threads', 'p50 ms', 'p90 ms', 'runs'],
        rows: d.bench.results.map((r) => [r.engine, r.backend, r.precision, r.threads, r.p50Ms.toFixed(3), r.p90Ms.toFixed(3), r.runs]),
      },
    ],
  };
}

/** The demo's report; `extra` sections (e.g. per-layer SQNR and histograms) are appended in order. */
export function demoReportDoc(d: DemoReportInput, extra: ReportSection[] = []): ReportDoc {
  return {
    title: 'int8kit demo',
    summary:
      `Model: ${d.model}. Static INT8 quantization (per-channel weights, histogram observer) on ${d.calibrationSamples} calibration digits; ` +
      `accuracy on ${d.testCount} held-out digits of the mnist package; latency on this machine.`,
    sections: [
      {
        heading: 'Accuracy',
        intro: 'Top-1 accuracy on the held-out digits, and how often the INT8 model predicts the same digit as the FP32 model.',
        blocks: [{ kind: 'table', columns: ['model', 'backend', 'top-1 %', 'agrees with FP32 %'], rows: d.accuracy.map((a) => [a.model, a.backend, a.top1.toFixed(2), a.agreement.toFixed(2)]) }],
      },
      {
        heading: 'Size',
        blocks: [{ kind: 'table', columns: ['FP32 bytes', 'INT8 bytes', 'smaller'], rows: [[d.size.fp32Bytes, d.size.quantizedBytes, `${d.size.ratio.toFixed(2)}x`]] }],
      },
      latencySection(d),
      ...extra,
    ],
  };
}

export const demoReportHtml = (d: DemoReportInput, extra: ReportSection[] = []) => renderReport(demoReportDoc(d, extra));
