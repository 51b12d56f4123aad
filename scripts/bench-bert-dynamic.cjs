// node scripts/bench-bert-dynamic.cjs [int8.onnx] [fp32.onnx] [--rounds N] [--seq S]
// End-to-end latency of a dynamically quantized BERT (default: the 4-layer BERT-base fixture,
// bertLike(3, 4, 768, 12) written by quantizeDynamic) on int8kit's native backend against
// onnxruntime-node, batch 1, one thread each. Rounds are interleaved (one run of each engine per
// round, in alternating order) so machine noise hits both alike; medians and their ratio are
// printed, for wall time and for the process's CPU time of each run (user + system, all threads:
// on a shared machine CPU time leaves out the time the run waited for a core). Needs dist/ (npx tsup) and the native addon (npm run build:native). A benchmark, not a
// test.
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const files = args.filter((a, i) => a.endsWith('.onnx') && !args[i - 1]?.startsWith('--'));
const int8Model = files[0] ?? '/tmp/i6/bert-dyn.onnx';
const fp32Model = files[1] ?? '/tmp/i6/bert-fp32.onnx';
const rounds = opt('--rounds', 30);
const seq = opt('--seq', 128);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const { Session, Tensor } = require(path.join(root, 'dist', 'index.cjs'));
  const ort = require('onnxruntime-node');
  const ids = BigInt64Array.from({ length: seq }, (_, i) => BigInt((i * 37 + 11) % 1000));
  const engines = [];
  for (const [label, file] of [['INT8', int8Model], ['FP32', fp32Model]]) {
    if (!fs.existsSync(file)) continue;
    const mine = await Session.create(file, { backend: 'native', threads: 1 });
    const theirs = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
    const feedMine = { input_ids: new Tensor('int64', ids, [1, seq]) };
    const feedOrt = { input_ids: new ort.Tensor('int64', ids, [1, seq]) };
    engines.push({ name: `int8kit ${label}`, run: () => mine.run(feedMine), t: [], cpu: [] });
    engines.push({ name: `onnxruntime ${label}`, run: () => theirs.run(feedOrt), t: [], cpu: [] });
  }
  for (const e of engines) for (let i = 0; i < 3; i++) await e.run(); // warm-up (packing, arenas)
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...engines].reverse() : engines;
    for (const e of order) {
      const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
      await e.run();
      e.t.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const c = process.cpuUsage(c0);
      e.cpu.push((c.user + c.system) / 1e3);
    }
  }
  console.log(`BERT seq ${seq}, batch 1, 1 thread, ${rounds} interleaved rounds (Node ${process.versions.node}, onnxruntime-node ${ort.env.versions?.common ?? '?'})`);
  console.log('| engine | wall median ms | wall min ms | CPU median ms | CPU min ms |');
  console.log('|---|---|---|---|---|');
  const f = (x) => x.toFixed(2);
  for (const e of engines) console.log(`| ${e.name} | ${f(median(e.t))} | ${f(Math.min(...e.t))} | ${f(median(e.cpu))} | ${f(Math.min(...e.cpu))} |`);
  for (let i = 0; i + 1 < engines.length; i += 2) {
    // Ratio of medians, and the median of per-round ratios (robust to slow rounds hitting both).
    const a = engines[i], b = engines[i + 1];
    for (const k of ['t', 'cpu']) {
      const perRound = a[k].map((x, r) => b[k][r] / x);
      console.log(`${a.name} speedup over ${b.name} (${k === 't' ? 'wall' : 'CPU'}): ${f(median(b[k]) / median(a[k]))}x (median of per-round ratios ${f(median(perRound))}x)`);
    }
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
