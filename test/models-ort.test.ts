// Model level: int8kit and onnxruntime-node run the same models (written by graphToOnnx +
// writeModel) on the same inputs and agree within 1e-4 relative to the output scale.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Session, Tensor, graphToOnnx, writeModel, type Graph } from '../src';
import { bertLike, mobilenetV2Like, resnet18Like } from '../src/bench/models';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');

async function compare(graph: Graph, feeds: Record<string, Tensor>, backend: string) {
  const bytes = writeModel(graphToOnnx(graph));
  const reference = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)]));
  const want = (await reference.run(ortFeeds))[graph.outputs[0].name];
  const s = await Session.create(bytes, { backend });
  const got = (await s.run(feeds))[graph.outputs[0].name];
  s.release();
  expect(got.dims).toEqual(want.dims);
  const w = want.data as Float32Array, g = got.data as Float32Array;
  const scale = Math.max(...Array.from(w, Math.abs));
  let worst = 0;
  for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(w[i] - g[i]));
  expect(worst / scale).toBeLessThanOrEqual(1e-4);
}

const image = (size: number) => {
  const r = rng(size);
  return new Tensor('float32', Float32Array.from({ length: 3 * size * size }, () => r.float(-2, 2)), [1, 3, size, size]);
};

describe.each(['native', 'wasm'])('int8kit vs onnxruntime-node on the %s backend', (backend) => {
  it('ResNet-18-shaped (112x112)', () => compare(resnet18Like(1, 112), { input: image(112) }, backend), 120_000);
  it('MobileNetV2-shaped (112x112)', () => compare(mobilenetV2Like(2, 112), { input: image(112) }, backend), 120_000);
  it('BERT-shaped encoder (4 layers, d=256, sequence 64)', () => {
    const r = rng(9);
    const ids = new Tensor('int64', BigInt64Array.from({ length: 64 }, () => BigInt(r.int(0, 999))), [1, 64]);
    return compare(bertLike(), { input_ids: ids }, backend);
  }, 120_000);
});

describe('Session.run keeps the event loop free', () => {
  it('a 1 ms timer stays on time during back-to-back ResNet-18 runs (native)', async () => {
    const s = await Session.create(resnet18Like(1, 224), { backend: 'native' });
    const feeds = { input: image(224) };
    const t0 = performance.now();
    await s.run(feeds);
    const inference = performance.now() - t0;
    let last = performance.now(), worst = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 1);
    for (let i = 0; i < 8; i++) await s.run(feeds);
    clearInterval(timer);
    s.release();
    // Blocking runs would delay the timer by a whole inference; allow scheduler jitter only.
    expect(inference).toBeGreaterThan(20);
    expect(worst).toBeLessThan(inference / 2);
  }, 60_000);
});

describe('concurrent runs of one session', () => {
  it.each(['native', 'wasm'])('%s: 12 concurrent MobileNetV2 runs equal the sequential results', async (backend) => {
    const s = await Session.create(mobilenetV2Like(2, 96), { backend, threads: backend === 'native' ? 2 : 1 });
    const inputs = Array.from({ length: 12 }, (_, i) => {
      const r = rng(100 + i);
      return new Tensor('float32', Float32Array.from({ length: 3 * 96 * 96 }, () => r.float(-2, 2)), [1, 3, 96, 96]);
    });
    const sequential: ArrayBufferView[] = [];
    for (const x of inputs) sequential.push((await s.run({ input: x }))[s.outputNames[0]].data);
    const concurrent = await Promise.all(inputs.map((x) => s.run({ input: x }).then((o) => o[s.outputNames[0]].data)));
    concurrent.forEach((y, i) => expect(Buffer.compare(Buffer.from(y.buffer), Buffer.from(sequential[i].buffer))).toBe(0));
    s.release();
  }, 60_000);
});
