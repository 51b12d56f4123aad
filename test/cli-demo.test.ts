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
    expect(html).toContain(`<td>${rows[1].top1.toFixed(2)}</td>`);
    expect(html).not.toMatch(/<script|https?:\/\//); // self-contained
  }, 120_000);
});
