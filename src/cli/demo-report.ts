// The demo's report.html: one self-contained page (no scripts, no network) with the accuracy,
// size and latency tables and a latency bar per row drawn with plain CSS widths.
import type { SizeReport } from '../quant/api';
import type { BenchReport } from '../bench/bench';

export interface DemoAccuracy {
  model: 'FP32' | 'INT8';
  backend: string;
  top1: number;
  agreement: number;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const table = (head: string[], rows: (string | number)[][]) =>
  `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${typeof c === 'number' ? c : c}</td>`).join('')}</tr>`).join('')}</table>`;

export function demoReportHtml(d: { model: string; size: SizeReport; accuracy: DemoAccuracy[]; bench: BenchReport; calibrationSamples: number; testCount: number; batch: number }): string {
  const slowest = Math.max(...d.bench.results.map((r) => r.p50Ms));
  const latency = d.bench.results.map((r) => [
    esc(r.engine), esc(r.backend), esc(r.precision), r.p50Ms.toFixed(3), r.p90Ms.toFixed(3),
    `<div class="bar ${r.precision}" style="width:${((100 * r.p50Ms) / slowest).toFixed(1)}%"></div>`,
  ]);
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>int8kit demo report</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; max-width: 60em; }
table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
td:last-child { width: 20em; } .bar { height: 12px; } .fp32 { background: #8aa6c1; } .int8 { background: #2f7d4f; }
</style></head><body>
<h1>int8kit demo</h1>
<p>Model: ${esc(d.model)}. Static INT8 quantization (per-channel weights, histogram observer) on ${d.calibrationSamples} calibration digits;
accuracy on ${d.testCount} held-out digits of the mnist package.</p>
<h2>Accuracy</h2>
${table(['model', 'backend', 'top-1 %', 'agrees with FP32 %'], d.accuracy.map((a) => [a.model, esc(a.backend), a.top1.toFixed(2), a.agreement.toFixed(2)]))}
<h2>Size</h2>
${table(['FP32 bytes', 'INT8 bytes', 'smaller'], [[d.size.fp32Bytes, d.size.quantizedBytes, `${d.size.ratio.toFixed(2)}x`]])}
<h2>Latency (batches of ${d.batch} digits, one thread, interleaved rounds, medians)</h2>
${table(['engine', 'backend', 'precision', 'p50 ms', 'p90 ms', 'p50'], latency)}
</body></html>
`;
}
