// npm run bench:kernels [-- --json] [--rounds N] [--threads 1,2] [--only TEXT] [--no-wasm] [--no-ort]
//
// The INT8 kernel families on the shapes, per ISA and thread count, against onnxruntime's
// MLAS on the same shapes in the same run. Each case is one ONNX-style node description; it becomes
// both an int8kit plan (run through PlanSession, one ISA at a time) and an ONNX model for
// onnxruntime-node. Both hold a chain of L independent copies of the node (L chosen so a run takes
// a few milliseconds), so per-run overhead is amortised the same way on both sides; only the
// first output is fetched (onnxruntime still runs every node: measured, the time is the same).
// Runners are interleaved round by round and the per-run median of each is reported.
// The clock and the VNNI peak are measured by native/bench/peak (cpu-peak) at the start and the
// end of the run; ops/cycle uses their mean clock. See BENCHMARKS.md for how to read the figures.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
const json = flag('--json');
const rounds = Number(option('--rounds', '5'));
const threadList = option('--threads', '1,2').split(',').map(Number);
const only = option('--only', '');
const roundMs = Number(option('--round-ms', '150'));
const log = (...a) => (json ? console.error(...a) : console.log(...a));

// ---- the machine -----------------------------------------------------------------------------------

const build = path.join(root, 'build-bench');
const step = (cmd, argv) => {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed`);
  return r.stdout;
};
const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
const hasVnni512 = /\bavx512_vnni\b/.test(cpuinfo);
function measureCpu() {
  if (!hasVnni512) return null;
  const p = JSON.parse(step(path.join(build, 'cpu-peak'), ['--json']));
  return { ghz: p.ghz, vnni: p.probes.find((x) => /zmm \(AVX-512 VNNI\)/.test(x.what)).opsPerCycle };
}

// ---- cases ---------------------------------------------------------------------------------------------

let seed = 12345;
const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const u8 = (n) => Uint8Array.from({ length: n }, () => (rand() * 256) | 0);
const s8 = (n) => Int8Array.from({ length: n }, () => ((rand() * 255) | 0) - 127);
const scalar = (dtype, v) => ({ dtype, dims: [], data: dtype === 'float32' ? Float32Array.of(v) : dtype === 'uint8' ? Uint8Array.of(v) : Int8Array.of(v) });

// GEMM shapes are written M x K x N (MobileNetV2's 3136x24x144: 3136 pixels, 24 in, 144 out).
const GEMMS = ['1024x1024x1024', '3136x144x24', '3136x24x144', '196x960x160', '196x160x960', '128x768x768', '128x3072x768', '128x768x3072'];
// Convolutions: NCHW input C x H x W -> Cout, kernel k, stride, group.
const CONVS = [
  { shape: 'resnet18 3x3 56x56x64->64', c: 64, h: 56, w: 56, cout: 64, k: 3, stride: 1, group: 1 },
  { shape: 'resnet18 3x3 7x7x512->512', c: 512, h: 7, w: 7, cout: 512, k: 3, stride: 1, group: 1 },
];
const DWCONVS = [
  { shape: 'dw 3x3 112x112x32', c: 32, h: 112, w: 112, cout: 32, k: 3, stride: 1, group: 32 },
  { shape: 'dw 3x3 14x14x576', c: 576, h: 14, w: 14, cout: 576, k: 3, stride: 1, group: 576 },
];

// One QLinearMatMul: x [M, K] u8 (zp 128) times a constant [K, N] weight (s8 zp 0, or u8 zp 128).
function matmulNode([m, k, n], weight) {
  const w = weight === 'int8' ? { dtype: 'int8', dims: [k, n], data: s8(k * n) } : { dtype: 'uint8', dims: [k, n], data: u8(k * n) };
  return {
    opType: 'QLinearMatMul',
    x: { dtype: 'uint8', dims: [m, k] },
    y: { dtype: 'uint8', dims: [m, n] },
    consts: [scalar('float32', 0.02), scalar('uint8', 128), w, scalar('float32', 0.004), scalar(weight, weight === 'int8' ? 0 : 128), scalar('float32', 0.5), scalar('uint8', 128)],
    attrs: {},
    ops: 2 * m * k * n,
  };
}

function convNode({ c, h, w, cout, k, stride, group }, weight) {
  const p = (k - 1) >> 1;
  const oh = Math.floor((h + 2 * p - k) / stride) + 1, ow = Math.floor((w + 2 * p - k) / stride) + 1;
  const wn = cout * (c / group) * k * k;
  const wt = weight === 'int8' ? { dtype: 'int8', dims: [cout, c / group, k, k], data: s8(wn) } : { dtype: 'uint8', dims: [cout, c / group, k, k], data: u8(wn) };
  return {
    opType: 'QLinearConv',
    x: { dtype: 'uint8', dims: [1, c, h, w] },
    y: { dtype: 'uint8', dims: [1, cout, oh, ow] },
    consts: [scalar('float32', 0.02), scalar('uint8', 128), wt, scalar('float32', 0.004), scalar(weight, weight === 'int8' ? 0 : 128), scalar('float32', 0.5), scalar('uint8', 128),
      { dtype: 'int32', dims: [cout], data: Int32Array.from({ length: cout }, () => ((rand() * 2000) | 0) - 1000) }],
    attrs: { kernel_shape: [k, k], strides: [stride, stride], pads: [p, p, p, p], group },
    ops: 2 * cout * oh * ow * (c / group) * k * k,
  };
}

// family -> how int8kit runs the node (plan op type and attributes) and what ORT compares with.
const FAMILIES = [
  { family: 'fbgemm-gemm', shapes: GEMMS, node: (s) => matmulNode(s.split('x').map(Number), 'int8'), ourOp: 'QLinearMatMul', isas: ['avx512vnni', 'avxvnni', 'avxvnni-evex', 'avx2'] },
  { family: 'qnnpack-gemm', shapes: GEMMS, node: (s) => matmulNode(s.split('x').map(Number), 'uint8'), ourOp: 'QnnpackMatMul', ourAttrs: { requantization: 'fp32' }, isas: ['avx512vnni', 'avx2'] },
  { family: 'fbgemm-conv', shapes: CONVS, node: (c) => convNode(c, 'int8'), ourOp: 'QLinearConv', isas: ['avx512vnni', 'avxvnni', 'avxvnni-evex', 'avx2'] },
  { family: 'qnnpack-conv', shapes: CONVS, node: (c) => convNode(c, 'uint8'), ourOp: 'QnnpackConv', ourAttrs: { requantization: 'fp32' }, isas: ['avx512vnni', 'avx2'] },
  { family: 'depthwise', shapes: DWCONVS, node: (c) => convNode(c, 'int8'), ourOp: 'QLinearConv', isas: ['avx512vnni', 'avx2'] },
];

// Copies per run so that one run is about 3 ms at 300 GOPS (at least 1, at most 32).
const copiesFor = (ops) => Math.max(1, Math.min(32, Math.round(3e-3 * 300e9 / ops)));

function plan(node, opType, attrs, copies) {
  const values = [{ dtype: node.x.dtype, shape: node.x.dims }];
  const ops = [];
  for (let i = 0; i < copies; i++) {
    const inputs = [0];
    for (const c of node.consts) inputs.push(values.push({ dtype: c.dtype, shape: c.dims, data: c.data }) - 1);
    const out = values.push({ dtype: node.y.dtype, shape: node.y.dims }) - 1;
    ops.push({ op: opType, inputs, outputs: [out], attrs: { ...node.attrs, ...attrs } });
  }
  return { values, ops, inputs: [0], outputs: [ops[0].outputs[0]] };
}

function onnxModel(node, copies, lib) {
  const init = new Map();
  const nodes = [];
  for (let i = 0; i < copies; i++) {
    const names = ['x'];
    node.consts.forEach((c, j) => {
      init.set(`c${i}_${j}`, { dtype: c.dtype, dims: c.dims, data: c.data });
      names.push(`c${i}_${j}`);
    });
    nodes.push({ name: `n${i}`, opType: node.opType, domain: '', inputs: names, outputs: [`y${i}`], attrs: node.attrs });
  }
  const graph = { opset: 13, nodes, initializers: init, valueInfo: new Map(), inputs: [{ name: 'x', type: { dtype: node.x.dtype, shape: node.x.dims } }], outputs: nodes.map((n) => ({ name: n.outputs[0] })) };
  return lib.writeModel(lib.graphToOnnx(graph));
}

// ---- measurement -------------------------------------------------------------------------------------

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function timeRunners(runners) {
  for (const r of runners) for (let i = 0; i < 2; i++) await r.run(); // warm-up: packing, page faults, JIT tiers
  for (let round = 0; round < rounds; round++)
    for (const r of runners) {
      const t0 = performance.now();
      let n = 0;
      do {
        const t = performance.now();
        await r.run();
        r.samples.push(performance.now() - t);
        n++;
      } while (performance.now() - t0 < roundMs || n < 2);
    }
}

async function main() {
  step('cmake', ['-S', '.', '-B', build, '-DCMAKE_BUILD_TYPE=Release']);
  if (hasVnni512) step('cmake', ['--build', build, '--target', 'cpu-peak', '-j2']);
  const lib = require(path.join(root, 'dist', 'index.cjs'));
  const ort = flag('--no-ort') ? null : require('onnxruntime-node');
  const cpu0 = measureCpu();
  const available = new Set((await lib.info()).backends.flatMap((b) => (b.isas ?? []).filter((i) => i.available).map((i) => `${b.name}/${i.isa}`)));
  const results = [];
  for (const fam of FAMILIES)
    for (const shapeSpec of fam.shapes) {
      const shape = typeof shapeSpec === 'string' ? shapeSpec : shapeSpec.shape;
      if (only && !`${fam.family} ${shape}`.includes(only)) continue;
      const node = fam.node(shapeSpec);
      const copies = copiesFor(node.ops);
      const runners = [];
      const feed = u8(node.x.dims.reduce((a, b) => a * b, 1));
      const targets = [];
      for (const isa of fam.isas) if (available.has(`native/${isa}`)) for (const t of threadList) targets.push({ backend: 'native', isa, threads: t });
      if (!flag('--no-wasm') && available.has('wasm/wasmsimd')) targets.push({ backend: 'wasm', isa: 'wasmsimd', threads: 1 });
      let unsupported = null;
      for (const t of targets) {
        try {
          const s = await lib.PlanSession.create(plan(node, fam.ourOp, fam.ourAttrs ?? {}, copies), t);
          runners.push({ key: t, run: () => s.run([feed]), release: () => s.release(), samples: [] });
        } catch (e) {
          unsupported = `${e.code ?? e.name}: ${e.message.split('\n')[0]}`;
        }
      }
      if (!runners.length) {
        log(`${fam.family} ${shape}: not measured (${unsupported})`);
        continue;
      }
      if (ort) {
        const bytes = onnxModel(node, copies, lib);
        for (const threads of threadList) {
          const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
          const feeds = { x: new ort.Tensor(node.x.dtype, feed, node.x.dims) };
          runners.push({ key: { backend: 'onnxruntime', threads }, run: () => s.run(feeds, ['y0']), release: () => s.release(), samples: [] });
        }
      }
      await timeRunners(runners);
      const gopsOf = (r) => (node.ops * copies) / (median(r.samples) * 1e6);
      const mlas = (threads) => runners.find((r) => r.key.backend === 'onnxruntime' && r.key.threads === threads);
      for (const r of runners) {
        if (r.key.backend === 'onnxruntime') continue;
        const m = mlas(r.key.threads);
        results.push({ family: fam.family, isa: r.key.backend === 'wasm' ? 'wasmsimd' : r.key.isa, backend: r.key.backend, shape, threads: r.key.threads, gops: gopsOf(r), mlasGops: m ? gopsOf(m) : null });
      }
      runners.forEach((r) => r.release());
      if (!json) log(`measured ${fam.family} ${shape} (${copies} copies per run)`);
    }
  const cpu1 = measureCpu();
  const ghz = cpu0 && cpu1 ? (cpu0.ghz + cpu1.ghz) / 2 : null;
  const peak = cpu0 && cpu1 ? (cpu0.vnni + cpu1.vnni) / 2 : null;
  for (const r of results) {
    r.opsPerCycle = ghz ? r.gops / ghz / r.threads : null;
    r.percentOfPeak = ghz && peak ? (100 * r.opsPerCycle) / peak : null;
    r.vsMlas = r.mlasGops ? r.gops / r.mlasGops : null;
  }
  const report = { peakOpsPerCycle: peak, ghz, clockStart: cpu0?.ghz ?? null, clockEnd: cpu1?.ghz ?? null, rounds, results };
  if (json) {
    console.log(JSON.stringify(report, (k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(3)) : v), 1));
    return;
  }
  const f = (v, d = 1) => (v == null ? '-' : v.toFixed(d));
  console.log(`\nClock ${f(cpu0?.ghz, 2)} -> ${f(cpu1?.ghz, 2)} GHz; vpdpbusd zmm peak ${f(peak, 0)} ops/cycle/core (measured); median of ${rounds} interleaved rounds.`);
  console.log('ops/cycle is per core (divided by threads); MLAS = onnxruntime-node on the same node chain and thread count.\n');
  console.log('| family | shape | isa | threads | GOPS | ops/cycle | % of peak | MLAS GOPS | x MLAS |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results)
    console.log(`| ${r.family} | ${r.shape} | ${r.isa} | ${r.threads} | ${f(r.gops)} | ${f(r.opsPerCycle)} | ${f(r.percentOfPeak, 0)} | ${f(r.mlasGops)} | ${f(r.vsMlas, 2)} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
