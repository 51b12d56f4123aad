// `npx int8kit demo`, the README's main job: the embedded MNIST CNN quantized, evaluated on the real
// held-out digits in FP32 and INT8 on every backend, benchmarked, and written up in report.html.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');

describe('int8kit demo', () => {
  it('quantizes, keeps top-1 within 0.2 points of FP32 on every backend, benchmarks and writes the report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'int8kit-demo-test-'));
    const report = join(dir, 'report.html');
    const r = spawnSync(process.execPath, [join(root, 'bin', 'int8kit.cjs'), 'demo', '--rounds', '1', '--report', report], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const rows = [...r.stdout.matchAll(/\| (FP32|INT8) \| (\w+) \| ([\d.]+) \| ([\d.]+) \|/g)].map((m) => ({ model: m[1], backend: m[2], top1: Number(m[3]), agree: Number(m[4]) }));
    expect(rows.map((x) => `${x.model}/${x.backend}`)).toEqual(['FP32/native', 'INT8/fbgemm', 'INT8/qnnpack', 'INT8/wasm']);
    // The FP32 model's accuracy is the one its training script recorded on the same split.
    const recorded = JSON.parse(readFileSync(join(root, 'assets', 'mnist-cnn.json'), 'utf8')).accuracy.test.top1;
    expect(Math.abs(rows[0].top1 - recorded)).toBeLessThan(0.1);
    for (const x of rows.slice(1)) {
      expect(Math.abs(x.top1 - rows[0].top1)).toBeLessThanOrEqual(0.2);
      expect(x.agree).toBeGreaterThan(99);
    }
    expect(r.stdout).toMatch(/\| int8kit \| fbgemm \| int8 \| 1 \| [\d.]+ \|/);
    expect(r.stdout).toMatch(/\| int8kit \| native \| fp32 \| 1 \| [\d.]+ \|/);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<h2>Accuracy</h2>');
    for (const x of rows) expect(html).toContain(`<tr><td>${x.model}</td><td>${x.backend}</td><td class="num">${x.top1.toFixed(2)}</td><td class="num">${x.agree.toFixed(2)}</td></tr>`);
    expect(html).not.toMatch(/<script|https?:\/\//); // self-contained

    // The latency chart: one group per engine and backend in the table's order, one bar per benchmark
    // row (FP32 series 0, INT8 series 1), each as tall as its p50 relative to the tallest bar.
    const bench = [...r.stdout.matchAll(/\| (int8kit|onnxruntime) \| (\w+) \| (fp32|int8) \| 1 \| ([\d.]+) \| ([\d.]+) \|/g)].map((m) => ({ group: `${m[1]} ${m[2]}`, precision: m[3], p50: Number(m[4]), p90: Number(m[5]) }));
    expect(bench.length).toBeGreaterThanOrEqual(5);
    const chart = html.match(/<figure class="chart" data-kind="bars"[^>]*>([\s\S]*?)<\/figure>/)![1];
    expect(chart).toMatch(/^<figcaption>p50 latency[^<]*<\/figcaption><svg /);
    const heights = (s: number) => [...chart.matchAll(new RegExp(`<path d="M[\\d.]+ [\\d.]+l[\\d.]+ 0l0 -([\\d.]+)l[^"]*"[^>]*ecmeta_series_index="${s}"`, 'g'))].map((m) => Number(m[1]));
    const drawn = [...heights(0), ...heights(1)], tallest = Math.max(...drawn);
    const groups = [...new Set(bench.map((b) => b.group))];
    for (const g of groups) expect(chart).toContain(`>${g}</text>`);
    const p50s = ['fp32', 'int8'].flatMap((p) => groups.flatMap((g) => bench.filter((b) => b.group === g && b.precision === p).map((b) => b.p50)));
    expect(drawn.length).toBe(p50s.length);
    const slowest = Math.max(...p50s);
    drawn.forEach((h, i) => expect(Math.abs(h / tallest - p50s[i] / slowest)).toBeLessThan(0.02));
    // ...and the latency table under it repeats every row's p50 and p90 (3 decimals vs the console's 2).
    const cells = [...html.matchAll(/<tr><td>(int8kit|onnxruntime)<\/td><td>\w+<\/td><td>(fp32|int8)<\/td><td class="num">1<\/td><td class="num">([\d.]+)<\/td><td class="num">([\d.]+)<\/td>/g)].map((m) => [Number(m[3]), Number(m[4])]);
    expect(cells.length).toBe(bench.length);
    cells.forEach(([p50, p90], i) => {
      expect(Math.abs(p50 - bench[i].p50)).toBeLessThanOrEqual(0.0051);
      expect(Math.abs(p90 - bench[i].p90)).toBeLessThanOrEqual(0.0051);
    });

    // The per-layer sections from inspect: one histogram per quantized layer, i.e. per Conv and Gemm of
    // the model as its recipe (assets/mnist-cnn.json) lists them, and an INT8 output close to FP32.
    const layers = (JSON.parse(readFileSync(join(root, 'assets', 'mnist-cnn.json'), 'utf8')).model.onnxNodes as string[]).filter((op) => op === 'Conv' || op === 'Gemm');
    expect(html).toContain('<h2>Layers most responsible for the output error</h2>');
    const histograms = [...html.matchAll(/<figure class="chart" data-kind="histogram"[^>]*><figcaption>[^<]*\((\w+)\) output/g)].map((m) => m[1]);
    expect(histograms).toEqual(layers);
    const sqnr = Number(r.stdout.match(/model output SQNR ([\d.]+) dB on the INT8 kernels/)![1]);
    expect(sqnr).toBeGreaterThan(30); // about 5 bits of the output survive: top-1 agreement above 99% needs it
  }, 120_000);
});
