// int8kit bench, run as the built CLI (bin/int8kit.cjs -> dist/cli.cjs, built by pretest) on small
// seeded models, one round each (--rounds 1 --round-ms 0): the JSON shape, the INT8 rows per
// backend, model sizes, memory, and one clear error per bad flag. No timing is asserted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor, graphToOnnx, writeModel, writeNpy } from '../src';
import { bertLike, mobilenetV2Like } from '../src/bench/models';
import { quantizeStatic } from '../src/quant/api';
import { generatedFeeds } from '../src/bench/feeds';
import { DEFAULT_BACKENDS } from '../src/bench/bench';

const root = resolve(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'int8kit-bench-'));
const conv = join(dir, 'mobilenet.onnx'), bert = join(dir, 'bert.onnx'), qconv = join(dir, 'mobilenet-int8.onnx');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const g = mobilenetV2Like(2, 32, 10);
  writeFileSync(conv, writeModel(graphToOnnx(g)));
  writeFileSync(bert, writeModel(graphToOnnx(bertLike(3, 1, 64, 2, 100))));
  const inputs = [{ name: 'input', type: 'float32' as const, shape: [1, 3, 32, 32] }];
  (await quantizeStatic(conv, { calibration: [1, 2].map((seed) => generatedFeeds(inputs, {}, seed)) })).save(qconv);
}, 120_000);

const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'int8kit.cjs'), 'bench', ...args], { encoding: 'utf8' });
const quick = ['--rounds', '1', '--round-ms', '0'];

function json(r: ReturnType<typeof cli>) {
  expect(r.stderr).not.toMatch(/Error|\n\s+at /);
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

/** A failure is one `int8kit: Expected ...` line on stderr, exit code 1, no stack trace. */
function expectCleanError(r: ReturnType<typeof cli>, message: RegExp) {
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^int8kit: Expected /);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const key = (r: any) => `${r.engine}/${r.backend}/${r.precision}/${r.threads}`;

describe('int8kit bench --quantize', () => {
  it('a Conv model: static INT8 on generated inputs, said on stderr; rows for every engine, backend, precision and thread count', () => {
    const r = cli(conv, '--quantize', '--backends', 'native,wasm', '--threads', '1,2', '--peers', 'onnxruntime', '--json', ...quick);
    const out = json(r);
    expect(r.stderr).toMatch(/calibrating on 8 generated inputs/);
    expect(out.model).toBe(conv);
    expect(out.int8).toEqual({ source: 'quantize', mode: 'static', calibration: 'generated', samples: 8 });
    // The FP32-runtime shape, every row.
    for (const row of out.results) {
      expect(Object.keys(row)).toEqual(expect.arrayContaining(['engine', 'backend', 'precision', 'threads', 'p50Ms', 'p90Ms', 'runs']));
      expect(row.runs).toBeGreaterThanOrEqual(1);
      expect(row.p50Ms).toBeGreaterThan(0);
      expect(row.p90Ms).toBeGreaterThanOrEqual(row.p50Ms);
      // Memory per row from a fresh process each: above Node's own footprint.
      expect(row.rssIsolated).toBe(true);
      expect(row.rssGrowthBytes).toBeGreaterThanOrEqual(0);
      expect(row.peakRssBytes).toBeGreaterThan(row.rssGrowthBytes + 20 * 2 ** 20);
    }
    // Each probe's own peak, not the benchmarking process's (which held every session at once).
    for (const row of out.results) expect(row.peakRssBytes).toBeLessThan(out.peakRssBytes);
    // wasm runs on one thread; ORT runs the FP32 model and the same QDQ model.
    expect(out.results.map(key).sort()).toEqual([
      'int8kit/native/fp32/1', 'int8kit/native/fp32/2', 'int8kit/native/int8/1', 'int8kit/native/int8/2',
      'int8kit/wasm/fp32/1', 'int8kit/wasm/int8/1',
      'onnxruntime/cpu/fp32/1', 'onnxruntime/cpu/fp32/2', 'onnxruntime/cpu/int8/1', 'onnxruntime/cpu/int8/2',
    ].sort());
    // Sizes: the FP32 file as written, INT8 weights a quarter of it (plus scales and zero points).
    expect(out.sizes.fp32Bytes).toBe(statSync(conv).size);
    expect(out.sizes.ratio).toBeCloseTo(out.sizes.fp32Bytes / out.sizes.int8Bytes, 10);
    expect(out.sizes.ratio).toBeGreaterThan(3.3);
    expect(out.sizes.ratio).toBeLessThan(4.1);
    for (const row of out.results) {
      if (row.engine === 'int8kit') {
        expect(row.memoryKind).toBe('plan');
        expect(row.memoryBytes).toBe(row.plan.arenaBytes + row.plan.workspaceBytes + row.plan.weightBytes);
        expect(row.plan.arenaBytes).toBeGreaterThan(0);
        expect(row.ortRatio).toBeCloseTo(row.p50Ms / out.results.find((o: any) => o.engine === 'onnxruntime' && o.precision === row.precision && o.threads === row.threads).p50Ms, 10);
      } else {
        expect(row.memoryKind).toBe('rss-growth');
        expect(row.memoryBytes).toBe(row.rssGrowthBytes);
      }
      if (row.engine === 'int8kit' && row.precision === 'fp32') {
        // The FP32 plan keeps the float weights: about the model file's bytes (BatchNorm folded away).
        expect(row.plan.weightBytes).toBeGreaterThan(0.7 * out.sizes.fp32Bytes);
        expect(row.plan.weightBytes).toBeLessThan(1.1 * out.sizes.fp32Bytes);
        // Packed weights are written, so resident: the process grew by at least that much.
        expect(row.rssGrowthBytes).toBeGreaterThan(0.9 * row.plan.weightBytes);
      }
      if (row.precision === 'int8') {
        const fp32 = out.results.find((f: any) => f.engine === row.engine && f.precision === 'fp32' && f.threads === row.threads && (f.backend === 'wasm') === (row.backend === 'wasm'));
        expect(row.int8Speedup).toBeCloseTo(fp32.p50Ms / row.p50Ms, 10);
      } else {
        expect(row.int8Speedup).toBeUndefined();
      }
    }
    expect(out.peakRssBytes).toBeGreaterThan(out.sizes.fp32Bytes);
  }, 180_000);

  it('a model without Conv: dynamic by default, no calibration; --mode static calibrates it instead', () => {
    const dyn = json(cli(bert, '--quantize', '--input-shape', 'input_ids=1x16', '--json', ...quick));
    expect(dyn.int8).toEqual({ source: 'quantize', mode: 'dynamic' });
    expect(dyn.results.map(key)).toEqual(['int8kit/native/fp32/1', `int8kit/${DEFAULT_BACKENDS}/int8/1`]);
    // MatMul weights become int8; the token embedding (a Gather) stays float32.
    expect(dyn.sizes.ratio).toBeGreaterThan(2.5);
    expect(dyn.sizes.ratio).toBeLessThan(4.1);
    const r = cli(bert, '--quantize', '--mode', 'static', '--samples', '2', '--input-shape', 'input_ids=1x16', ...quick);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/calibrating on 2 generated inputs/);
    expect(r.stdout).toMatch(/int8 model: quantized here, static, calibrated on 2 generated random inputs/);
  }, 180_000);

  it('--calib DATA uses the quantize command\'s loaders', () => {
    const npy = join(dir, 'calib.npy');
    writeFileSync(npy, writeNpy(new Tensor('float32', new Float32Array(3 * 3 * 32 * 32).fill(0.25), [3, 3, 32, 32])));
    const out = json(cli(conv, '--quantize', '--calib', npy, '--json', ...quick));
    expect(out.int8).toEqual({ source: 'quantize', mode: 'static', calibration: 'file', calib: npy, samples: 3 });
  }, 180_000);
});

describe('int8kit bench --int8 QMODEL', () => {
  it('benchmarks the given quantized model; the table shows sizes, speedup and memory columns', () => {
    const out = json(cli(conv, '--int8', qconv, '--json', ...quick));
    expect(out.int8).toEqual({ source: 'file', path: qconv });
    expect(out.sizes.int8Bytes).toBe(statSync(qconv).size);
    expect(out.results.map(key)).toEqual(['int8kit/native/fp32/1', `int8kit/${DEFAULT_BACKENDS}/int8/1`]);
    const text = cli(conv, '--int8', qconv, ...quick);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/\| engine \| backend \| precision \| threads \| p50 ms \| p90 ms \| runs \| INT8\/FP32 speedup \| time \/ ORT \| plan MB \| RSS growth MB \|/);
    expect(text.stdout).toMatch(new RegExp(`^\\| int8kit \\| ${DEFAULT_BACKENDS} \\| int8 \\| 1 \\| [\\d.]+ \\| [\\d.]+ \\| \\d+ \\| [\\d.]+x \\|`, "m"));
    expect(text.stdout).toMatch(/^model size: FP32 [\d.]+ MB, INT8 [\d.]+ MB \([\d.]+x smaller\)$/m);
    expect(text.stdout).toMatch(/^peak RSS of this process: [\d.]+ MB$/m);
  }, 120_000);

  it('without an INT8 model, FP32 runs on the native and wasm runtimes and there are no sizes', () => {
    const out = json(cli(conv, '--backends', 'native,wasm', '--json', ...quick));
    expect(out.results.map(key)).toEqual(['int8kit/native/fp32/1', 'int8kit/wasm/fp32/1']);
    expect(out.sizes).toBeUndefined();
    expect(out.int8).toBeUndefined();
  }, 120_000);

  it('passes an INT8 family backend name through to Session (an error naming it until Session takes it)', () => {
    const r = cli(conv, '--int8', qconv, '--backends', 'fbgemm', '--json', ...quick);
    if (r.status === 0) expect(JSON.parse(r.stdout).results.map(key)).toEqual(['int8kit/native/fp32/1', 'int8kit/fbgemm/int8/1']);
    else expectCleanError(r, /fbgemm/);
    // FP32 rows never use the family's name: FP32 does not depend on it.
    expect(json(cli(conv, '--backends', 'fbgemm', '--json', ...quick)).results.map(key)).toEqual(['int8kit/native/fp32/1']);
  }, 120_000);
});

describe('int8kit bench --probe (one row\'s memory, in the process bench spawns)', () => {
  it('reports the probe\'s own peak RSS, not that of the process that spawned it', () => {
    // A parent that touched 512 MiB first: getrusage's maxRSS would carry that over exec.
    const script = `const big = Buffer.alloc(512 * 2 ** 20, 1);
      process.stdout.write(require('node:child_process').execFileSync(process.execPath, ${JSON.stringify([join(root, 'bin', 'int8kit.cjs'), 'bench', conv, '--probe', 'int8kit/native/1'])}));
      big[1] = big[0];`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.rssGrowthBytes).toBeGreaterThan(0);
    expect(p.peakRssBytes).toBeGreaterThan(p.rssGrowthBytes);
    expect(p.peakRssBytes).toBeLessThan(400 * 2 ** 20);
  }, 60_000);
});

describe('int8kit bench flags', () => {
  it.each([
    [['--int8', join(dir, 'missing.onnx')], /--int8/],
    [['--calib', 'x.npy'], /Expected --quantize with --calib but received --calib without --quantize/],
    [['--mode', 'static'], /Expected --quantize with --mode/],
    [['--quantize', '--int8', 'q.onnx'], /Expected either --quantize or --int8/],
    [['--quantize', '--mode', 'fp16'], /Expected static or dynamic for --mode but received "fp16"/],
    [['--backends', 'native,gpu'], /Expected a comma-separated list of native, wasm, fbgemm, qnnpack, reference for --backends but received "gpu"/],
    [['--peers', 'tflite'], /for --peers but received "tflite"/],
    [['--threads', '0'], /--threads/],
    [['--rounds', 'x'], /--rounds/],
    [['--quantize', '--samples', '0'], /--samples/],
    [['--probe', 'int8kit/native'], /Expected --probe ENGINE\/BACKEND\/THREADS/],
  ])('%j', (args, message) => expectCleanError(cli(conv, ...quick, ...args), message));

  it('rejects an unknown model name and --calib for a dynamic model', () => {
    expectCleanError(cli('resnet-19', ...quick), /Expected an ONNX file or one of resnet18-like, mobilenetv2-like, bert-like, bert-like-768 for MODEL/);
    expectCleanError(cli(bert, '--quantize', '--calib', conv, ...quick), /Expected --mode static for --calib but received the default --mode dynamic \(the model has no Conv\)/);
  });
});
