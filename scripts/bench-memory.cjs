// node scripts/bench-memory.cjs [--model FILE.onnx] [--size 224] [--backend native] [--threads 1]
//                               [--runs 10000] [--cycles 100] [--json]
//
// Resident memory of a Session over a long series of runs on one session, then over create/run/
// release cycles of sessions: the numbers behind BENCHMARKS.md's "memory" section (the bounded
// checks are in test/session-lifecycle-memory.test.ts). The model is FILE.onnx, or by default the
// resnet18-like model (src/bench/models.ts) statically quantized to INT8 QDQ on 4 random images.
// RSS is read after a full garbage collection; "warm" is after the first 2% of runs (at least 5)
// or the first 5 cycles, when the allocator, JIT and specialisation caches have settled.
// Needs a TypeScript bundler only to load src/ (esbuild, a dev dependency); no build step.
'use strict';
const path = require('node:path');
const Module = require('node:module');
const { setFlagsFromString } = require('node:v8');
const { runInNewContext } = require('node:vm');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
const o = {
  model: option('--model', ''),
  size: Number(option('--size', '224')),
  backend: option('--backend', 'native'),
  threads: Number(option('--threads', '1')),
  runs: Number(option('--runs', '10000')),
  cycles: Number(option('--cycles', '100')),
  json: args.includes('--json'),
};

/** The package from src/ plus the benchmark models, bundled in memory (the loader finds the package root from scripts/). */
function loadSources() {
  const { buildSync } = require('esbuild');
  const contents = "export * from './src/index'; export { resnet18Like } from './src/bench/models'; export { rng } from './src/bench/random';";
  const out = buildSync({ stdin: { contents, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'warning' });
  const m = new Module(path.join(__dirname, 'bench-memory.bundle.cjs'), module);
  m.filename = m.id;
  m.paths = Module._nodeModulePaths(__dirname);
  m._compile(out.outputFiles[0].text, m.filename);
  return m.exports;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const MB = 1 << 20;
async function rss() {
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().rss;
}
/** The wasm heap (grows, never shrinks), or 0 on other backends. */
async function wasmHeap(lib) {
  if (o.backend !== 'wasm') return 0;
  return (await lib.resolveBackend('wasm')).backend.heapBytes();
}

(async () => {
  const lib = loadSources();
  const image = (seed) => {
    const r = lib.rng(seed);
    return { input: new lib.Tensor('float32', Float32Array.from({ length: 3 * o.size * o.size }, () => r.float(-2, 2)), [1, 3, o.size, o.size]) };
  };
  const log = (...a) => (o.json ? console.error(...a) : console.log(...a));
  let model;
  if (o.model) model = require('node:fs').readFileSync(o.model);
  else {
    log(`quantizing resnet18Like(1, ${o.size}, 1000) on 4 random images...`);
    model = (await lib.quantizeStatic(lib.resnet18Like(1, o.size, 1000), { calibration: [0, 1, 2, 3].map((i) => image(900 + i)) })).toBytes();
  }
  const inputs = Array.from({ length: 8 }, (_, i) => image(i));
  const options = { backend: o.backend, threads: o.threads };
  const result = { ...o, model: o.model || `resnet18Like(1, ${o.size}, 1000) INT8 QDQ`, node: process.version };
  const start = await rss();

  // Runs on one session.
  const s = await lib.Session.create(model, options);
  const warmRuns = Math.max(5, Math.ceil(o.runs / 50));
  const t0 = performance.now();
  for (let i = 0; i < warmRuns; i++) await s.run(inputs[i % inputs.length]);
  const runs = { before: start, warm: await rss(), after: 0, msPerRun: 0, warmWasmHeap: await wasmHeap(lib), wasmHeap: 0 };
  const t1 = performance.now();
  for (let i = warmRuns; i < o.runs; i++) await s.run(inputs[i % inputs.length]);
  runs.msPerRun = (performance.now() - t1) / Math.max(1, o.runs - warmRuns);
  runs.after = await rss();
  runs.wasmHeap = await wasmHeap(lib);
  s.release();
  log(`${o.runs} runs: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${runs.msPerRun.toFixed(1)} ms/run after warm-up`);

  // Create / run / release cycles.
  const warmCycles = Math.min(5, o.cycles);
  const cycles = { before: await rss(), warm: 0, after: 0, warmWasmHeap: 0, wasmHeap: 0 };
  for (let i = 0; i < o.cycles; i++) {
    const c = await lib.Session.create(model, options);
    await c.run(inputs[i % inputs.length]);
    c.release();
    if (i === warmCycles - 1) [cycles.warm, cycles.warmWasmHeap] = [await rss(), await wasmHeap(lib)];
  }
  cycles.after = await rss();
  cycles.wasmHeap = await wasmHeap(lib);

  Object.assign(result, { runsRss: runs, cyclesRss: cycles });
  if (o.json) return console.log(JSON.stringify(result));
  const f = (b) => `${(b / MB).toFixed(1)} MB`;
  console.log(`model ${result.model}, backend ${o.backend}, threads ${o.threads}, node ${process.version}`);
  console.log(`${o.runs} runs on one session: RSS ${f(runs.before)} before the session, ${f(runs.warm)} after ${warmRuns} warm-up runs, ${f(runs.after)} after ${o.runs} runs (${(runs.after - runs.warm) / MB >= 0 ? '+' : ''}${((runs.after - runs.warm) / MB).toFixed(1)} MB since warm-up)`);
  if (o.backend === 'wasm')
    console.log(`wasm heap: ${f(runs.warmWasmHeap)} after warm-up runs, ${f(runs.wasmHeap)} after the runs; ${f(cycles.warmWasmHeap)} after warm-up cycles, ${f(cycles.wasmHeap)} after the cycles`);
  console.log(`${o.cycles} create/run/release cycles: RSS ${f(cycles.before)} before, ${f(cycles.warm)} after ${warmCycles} cycles, ${f(cycles.after)} after ${o.cycles} (${(cycles.after - cycles.warm) / MB >= 0 ? '+' : ''}${((cycles.after - cycles.warm) / MB).toFixed(1)} MB since warm-up)`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
