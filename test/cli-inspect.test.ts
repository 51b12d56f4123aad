// int8kit inspect run as the built CLI (bin/int8kit.cjs -> dist/cli.cjs, built by pretest) on the
// embedded MNIST CNN with real calibration digits in one .npy file: quantized here or given --int8,
// --json, the terminal table, --report, and clean errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor, writeNpy } from '../src';
import { loadMnistSplit } from '../src/data/mnist';

const root = resolve(__dirname, '..');
const model = join(root, 'assets', 'mnist-cnn.onnx');
const dir = mkdtempSync(join(tmpdir(), 'int8kit-inspect-'));
const calib = join(dir, 'calib.npy');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  const d = loadMnistSplit('calibration');
  writeFileSync(calib, writeNpy(new Tensor('float32', d.images.slice(0, 30 * 784), [30, 1, 28, 28])));
});

const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'int8kit.cjs'), ...args], { encoding: 'utf8' });

describe('int8kit inspect', () => {
  it('--json: quantizes MODEL itself, one object with every layer, the ranking and the saturation note', () => {
    const r = cli('inspect', model, '--calib', calib, '--limit', '20', '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.samples).toBe(20);
    expect(j.layers.map((l: { name: string }) => l.name)).toEqual(['/features/features.0/Conv', '/features/features.4/Conv', '/classifier/classifier.1/Gemm', '/classifier/classifier.3/Gemm']);
    expect([...j.ranking].sort()).toEqual(j.layers.map((l: { name: string }) => l.name).sort());
    for (const l of j.layers) {
      expect(l.activation.sqnr).toBeGreaterThan(25);
      expect(l.range.histogram.counts.length).toBe(128);
      expect(typeof l.saturation.saturating).toBe('number');
      expect(l.onlyThisLayerSqnr).toBeGreaterThan(25);
    }
    expect(j.saturationNote).toMatch(/int8kit's kernels do not saturate/);
    // The quantizer's pair on the logits is read by nothing (the model returns the float logits): said so.
    const dead = (l: { notes: string[] }) => l.notes.some((n) => /is never read/.test(n));
    expect(j.layers.map(dead)).toEqual([false, false, false, true]);
    expect(r.stderr).toMatch(/calibrating: 100% \(20\/20 samples\)/);
    expect(r.stderr).toMatch(/inspecting: 100%/);
  }, 60_000);

  it('--int8 QMODEL with the table and --report: a self-contained HTML page with a histogram per layer', () => {
    const q = join(dir, 'q.onnx'), report = join(dir, 'inspect.html');
    expect(cli('quantize', model, '-o', q, '--calib', calib).status).toBe(0);
    const r = cli('inspect', model, '--int8', q, '--calib', calib, '--top', '2', '--report', report);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| layer +\| op +\| act SQNR dB \(sim\/int8\) \|/);
    expect(r.stdout).toMatch(/\| \/features\/features\.0\/Conv +\| Conv +\| [\d.]+ \/ [\d.]+ +\| [\d.]+ \(per-ch\)/);
    expect(r.stdout).toMatch(/model output SQNR vs FP32 over 30 samples: [\d.]+ dB simulated \(QDQ\), [\d.]+ dB on the INT8 kernels/);
    expect(r.stdout).toMatch(/  1\. .+\n  2\. .+\nSaturating pairs/);
    expect(r.stdout).not.toMatch(/  3\. /);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<h2>Saturation report</h2>');
    expect(html).toContain('/classifier/classifier.3/Gemm (Gemm) output logits');
    expect(html).not.toMatch(/<script[^>]*src|https?:\/\/(?!www\.w3\.org)/);
  }, 60_000);

  it('errors: one int8kit line, exit 1', () => {
    const fp = cli('inspect', model, '--int8', model, '--calib', calib);
    expect(fp.status).toBe(1);
    expect(fp.stderr).toMatch(/^int8kit: Expected a QDQ model with quantized layers/m);
    expect(fp.stderr).not.toMatch(/\n\s+at /);
    const both = cli('inspect', model, '--int8', model, '--calib', calib, '--per-channel');
    expect(both.stderr).toMatch(/^int8kit: Expected no quantize option with --int8 .* but received --per-channel/m);
    // Not a file or folder, and a missing file: the path in one line, no stack.
    expect(cli('inspect', model, '--calib', '/dev/null').stderr).toMatch(/^int8kit: Expected a \.npy file or a folder for --calib but received "\/dev\/null"/m);
    const missing = cli('inspect', join(dir, 'missing.onnx'), '--calib', calib);
    expect(missing.stderr).toMatch(/^int8kit: .*missing\.onnx/m);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const limit = cli('inspect', model, '--calib', calib, '--limit', '0');
    expect(limit.stderr).toMatch(/^int8kit: Expected an integer >= 1 for --limit but received "0"/m);
    const nan = join(dir, 'nan.npy');
    const data = new Float32Array(2 * 784);
    data[900] = NaN;
    writeFileSync(nan, writeNpy(new Tensor('float32', data, [2, 1, 28, 28])));
    const bad = cli('inspect', model, '--calib', nan);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^int8kit: Expected finite values .* but received NaN/m);
  }, 60_000);
});
