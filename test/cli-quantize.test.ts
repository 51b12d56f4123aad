// int8kit quantize, run as the built CLI (bin/int8kit.cjs -> dist/cli.cjs, built by pretest) on a small
// ResNet-18-shaped model with 4 calibration samples in one .npy file.
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor, graphFromOnnx, graphToOnnx, readModel, writeModel, writeNpy } from '../src';
import { resnet18Like } from '../src/bench/models';
import { calibrationProgress } from '../src/cli/quantize';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');
const root = resolve(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'int8kit-quantize-'));
const model = join(dir, 'resnet.onnx'), calib = join(dir, 'calib.npy');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  writeFileSync(model, writeModel(graphToOnnx(resnet18Like(1, 32, 10))));
  const r = rng(7);
  writeFileSync(calib, writeNpy(new Tensor('float32', Float32Array.from({ length: 4 * 3 * 32 * 32 }, () => r.float(-2, 2)), [4, 3, 32, 32])));
});

const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'int8kit.cjs'), 'quantize', ...args], { encoding: 'utf8' });

/** A failure is one `int8kit: ...` line on stderr, exit code 1, no stack trace. */
function expectCleanError(r: ReturnType<typeof cli>, message: RegExp) {
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/^int8kit: Expected /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('int8kit quantize --mode static', () => {
  it('writes a QDQ model that onnxruntime-node loads and runs, and prints the size report', async () => {
    const out = join(dir, 'static.onnx');
    const r = cli(model, '-o', out, '--calib', calib, '--qconfig', 'fbgemm', '--observer', 'minmax');
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^size: FP32 \d+\.\d\d MB -> INT8 \d+\.\d\d MB \(\d+\.\d\dx smaller\)$/m);
    expect(r.stdout).toContain(`wrote ${out}`);
    // Not a terminal: one progress line per 10% (4 samples: 20%, 50%, 70%, 100%).
    expect(r.stderr.trim().split('\n')).toEqual(['calibrating: 20% (1/4 samples)', 'calibrating: 50% (2/4 samples)', 'calibrating: 70% (3/4 samples)', 'calibrating: 100% (4/4 samples)']);
    expect(existsSync(out)).toBe(true);
    const ops = new Set(graphFromOnnx(readModel(readFileSync(out))).nodes.map((n) => n.opType));
    expect(ops).toContain('QuantizeLinear');
    expect(ops).toContain('DequantizeLinear');
    const s = await ort.InferenceSession.create(readFileSync(out), { intraOpNumThreads: 1 });
    const y = await s.run({ input: new ort.Tensor('float32', new Float32Array(3 * 32 * 32).fill(0.5), [1, 3, 32, 32]) });
    expect(y[s.outputNames[0]].dims).toEqual([1, 10]);
  }, 120_000);

  it('--samples limits calibration and --exclude keeps the named op type in FP32', () => {
    const out = join(dir, 'excluded.onnx');
    const r = cli(model, '-o', out, '--calib', calib, '--samples', '2', '--exclude', 'Gemm', '--per-channel');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('calibrating: 100% (2/2 samples)');
    const g = graphFromOnnx(readModel(readFileSync(out)));
    const gemm = g.nodes.find((n) => n.opType === 'Gemm')!;
    // An FP32 Gemm reads float weights, not a DequantizeLinear output.
    const producers = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n.opType] as const)));
    expect(producers.get(gemm.inputs[1])).not.toBe('DequantizeLinear');
  }, 120_000);
});

describe('int8kit quantize --mode dynamic and fp16', () => {
  const run = async (mode: string, label: string) => {
    const out = join(dir, `${mode}.onnx`);
    const r = cli(model, '-o', out, '--mode', mode);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const m = new RegExp(`^size: FP32 \\d+\\.\\d\\d MB -> ${label} \\d+\\.\\d\\d MB \\((\\d+\\.\\d\\d)x smaller\\)$`, 'm').exec(r.stdout);
    expect(m).not.toBeNull();
    const s = await ort.InferenceSession.create(readFileSync(out), { intraOpNumThreads: 1 });
    const y = await s.run({ input: new ort.Tensor('float32', new Float32Array(3 * 32 * 32).fill(0.5), [1, 3, 32, 32]) });
    expect(y[s.outputNames[0]].dims).toEqual([1, 10]);
    return { ratio: Number(m![1]), out };
  };

  it('--mode dynamic: the Gemm becomes DynamicQuantizeLinear + MatMulInteger, onnxruntime-node runs it', async () => {
    const { ratio, out } = await run('dynamic', 'INT8');
    expect(ratio).toBeGreaterThanOrEqual(1); // only the classifier's weights are quantized
    const ops = new Set(graphFromOnnx(readModel(readFileSync(out))).nodes.map((n) => n.opType));
    expect(ops).toContain('DynamicQuantizeLinear');
    expect(ops).toContain('MatMulInteger');
  }, 120_000);

  it('--mode fp16: about half the bytes, onnxruntime-node runs it', async () => {
    expect((await run('fp16', 'FP16')).ratio).toBeGreaterThan(1.8);
  }, 120_000);
});

describe('int8kit quantize: errors are one line, exit code 1, no stack trace', () => {
  it('static mode without --calib', () => {
    expectCleanError(cli(model, '-o', join(dir, 'x.onnx')), /Expected calibration data \(--calib DATA.*\) for --mode static but received no --calib/);
  });

  it('a missing model, a missing --calib, a bad --samples, an unknown --qconfig, --observer, --mode, --preprocess', () => {
    const out = join(dir, 'x.onnx');
    expectCleanError(cli(join(dir, 'nope.onnx'), '-o', out, '--calib', calib), /Expected an existing ONNX file for MODEL but received ".*nope\.onnx"/);
    expectCleanError(cli(model, '-o', out, '--calib', join(dir, 'nope.npy')), /Expected an existing \.npy file or folder for --calib but received ".*nope\.npy"/);
    expectCleanError(cli(model, '-o', out, '--calib', calib, '--samples', '0'), /Expected an integer >= 1 for --samples but received "0"/);
    expectCleanError(cli(model, '-o', out, '--calib', calib, '--qconfig', 'fast'), /Expected one of fbgemm, x86, qnnpack, symmetric, pow2 for --qconfig but received "fast"/);
    expectCleanError(cli(model, '-o', out, '--calib', calib, '--observer', 'max'), /Expected one of minmax, .* for --observer but received "max"/);
    expectCleanError(cli(model, '-o', out, '--mode', 'int4'), /Expected one of static, dynamic, fp16 for --mode but received "int4"/);
    expectCleanError(cli(model, '-o', out, '--calib', calib, '--preprocess', 'coco'), /for --preprocess but received "coco"/);
    expectCleanError(cli(model, '-o', join(dir, 'no', 'such', 'x.onnx'), '--calib', calib), /Expected a file in an existing folder for -o but received ".*x\.onnx"/);
    expect(existsSync(out)).toBe(false);
  });

  it('calibration data that does not fit the model', () => {
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, writeNpy(new Tensor('float32', new Float32Array(2 * 3 * 16 * 16), [2, 3, 16, 16])));
    expectCleanError(cli(model, '-o', join(dir, 'x.onnx'), '--calib', bad), /Expected a sample of shape \[batch, 3, 32, 32\] for input "input" in .*bad\.npy .* but received shape \[3, 16, 16\]/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'x');
    expectCleanError(cli(model, '-o', join(dir, 'x.onnx'), '--calib', empty), /Expected \.npy files or images .* in --calib folder .*empty but received 1 other files \(notes\.txt\)/);
  });

  it('an unknown --exclude name, and static-only options in another mode', () => {
    expectCleanError(cli(model, '-o', join(dir, 'x.onnx'), '--calib', calib, '--exclude', 'no_such_node'), /Expected node names or op types of the model for --exclude but received "no_such_node"/);
    expectCleanError(cli(model, '-o', join(dir, 'x.onnx'), '--mode', 'dynamic', '--calib', calib), /Expected --mode static for --calib but received --mode dynamic/);
  });
});

describe('calibration progress on stderr', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    const stream = Object.assign(new Writable({ write: (c, _e, done) => (chunks.push(String(c)), done()) }), { isTTY, columns: 100 });
    return { stream, text: () => chunks.join('') };
  };

  it('not a terminal: one line at each 10% step reached', () => {
    const { stream, text } = sink(false);
    const p = calibrationProgress(25, stream);
    for (let i = 1; i <= 25; i++) p.update(i);
    p.stop();
    const lines = text().trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('calibrating: 10% (3/25 samples)');
    expect(lines[9]).toBe('calibrating: 100% (25/25 samples)');
  });

  it('a terminal: a bar redrawn in place, ending at 100%', () => {
    const { stream, text } = sink(true);
    const p = calibrationProgress(4, stream);
    for (let i = 1; i <= 4; i++) p.update(i);
    p.stop();
    expect(text()).toMatch(/calibrating \[[^\]]+\] 100% \| 4\/4 samples/);
    expect(text()).not.toContain('\n'.repeat(2));
  });
});
