// channels_last = 1 (NHWC) INT8 plan ops on every backend and ISA: QLinearConv, QnnpackConv, u8/s8
// MaxPool, QLinearAveragePool and QLinearGlobalAveragePool must give exactly the NCHW op's result,
// transposed, which is itself held to independent JavaScript definitions here (qconv-reference,
// qsmall-reference). com.microsoft QLinearConcat and QLinearGlobalAveragePool(channels_last = 1)
// run as ONNX models in a Session against onnxruntime-node. Bad attributes and shapes must give a
// typed InvalidPlanError naming what was expected.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { InvalidPlanError, PlanSession, Session, Tensor, graphToOnnx, writeModel, type DType, type Graph, type Plan, type PlanTypedArray, type TensorData } from '../src';
import { backendIsas, firstDifference } from './support/backends';
import { opPlan, typedArray } from './support/elementwise-reference';
import { outShape, qconvPlan, qconvRef, randomQConv, xArray, type QConvCase } from './support/qconv-reference';
import * as Q from './support/qsmall-reference';
import { rng } from './support/random';

const ort = createRequire(__filename)('onnxruntime-node');
const targets = (await backendIsas()).filter((t) => t.isa.available);

/** [N, C, spatial...] data -> [N, spatial..., C] (toLast) or back. */
function relayout(x: ArrayLike<number>, shape: number[], toLast: boolean): number[] {
  // shape is the source's shape; treat it as [N, A, B] with A = C (toLast) or spatial (back).
  const n = shape[0], a = toLast ? shape[1] : shape.slice(1, -1).reduce((p, q) => p * q, 1), b = toLast ? shape.slice(2).reduce((p, q) => p * q, 1) : shape[shape.length - 1];
  const y = new Array<number>(x.length);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < a; j++)
      for (let k = 0; k < b; k++) y[(i * b + k) * a + j] = x[(i * a + j) * b + k];
  return y;
}
const nhwcShape = (s: number[]) => [s[0], ...s.slice(2), s[1]];

async function runPlan(plan: Plan, inputs: PlanTypedArray[], backend: string, isa: string, threads = 1): Promise<number[]> {
  const s = await PlanSession.create(plan, { backend, isa, threads } as never);
  try {
    return Array.from((await s.run(inputs))[0] as ArrayLike<number>);
  } finally {
    s.release();
  }
}

/** qconvPlan with x and y in NHWC and channels_last = 1 (`op` renames it, e.g. QnnpackConv). */
function nhwcConvPlan(c: QConvCase, op = 'QLinearConv'): Plan {
  const p = structuredClone(qconvPlan(c, { channels_last: 1 })) as Plan;
  p.values[0].shape = nhwcShape([c.n, c.cin, c.h, c.w]);
  p.values[p.outputs[0]].shape = nhwcShape(outShape(c));
  p.ops[0].op = op;
  return p;
}

const describeCase = (c: QConvCase) =>
  `N${c.n} C${c.cin} ${c.h}x${c.w} -> ${c.cout} g${c.group} k${c.kh}x${c.kw} s${c.strides} d${c.dilations} ${c.autoPad ?? `p${c.pads}`} x ${c.xType} w ${c.wType} y ${c.yType}`;
const f32 = (v: number) => ({ dtype: 'float32' as DType, shape: [], data: Float32Array.of(v) });
const scalar = (dt: DType, v: number) => ({ dtype: dt, shape: [], data: typedArray(dt, [v]) });

describe.each(targets.map((t) => [`${t.backend}/${t.isa.isa}`, t] as const))('%s', (_, t) => {
  it('QLinearConv channels_last = 1 equals the NCHW definition transposed on 100 random convolutions (every path, s8 and u8)', async () => {
    for (let seed = 1; seed <= 100; seed++) {
      const c = randomQConv(seed);
      const x = relayout(xArray(c), [c.n, c.cin, c.h, c.w], true);
      const got = await runPlan(nhwcConvPlan(c), [typedArray(c.xType, x)], t.backend, t.isa.isa, seed % 3 === 0 ? 2 : 1);
      const want = relayout(qconvRef(c), outShape(c), true);
      const bad = firstDifference(got, want);
      expect(bad, `seed ${seed}: ${describeCase(c)}: y[${bad}] = ${got[bad]}, expected ${want[bad]}`).toBe(-1);
    }
  });

  it('QLinearConv channels_last = 1 on larger 1x1 / 3x3 / depthwise layers (many pixel blocks, the slack-free tail)', async () => {
    const r = rng(77);
    for (let rep = 0; rep < 8; rep++) {
      const kind = rep % 3;  // 0 depthwise, 1 pointwise, 2 3x3
      const base = randomQConv(500 + rep, kind === 2 ? 3 : kind);
      const cin = kind === 0 ? 24 + rep : r.int(13, 70), h = r.int(9, 20), w = r.int(9, 20), n = r.int(1, 2);
      const c: QConvCase = { ...base, n, cin, h, w, group: kind === 0 ? cin : 1, cout: kind === 0 ? cin : r.int(5, 40) };
      const [xl, xh] = c.xType === 'uint8' ? [0, 255] : [-128, 127], [wl, wh] = c.wType === 'uint8' ? [0, 255] : [-128, 127];
      c.x = Array.from({ length: n * cin * h * w }, () => r.int(xl, xh));
      c.wq = Array.from({ length: c.cout * (cin / c.group) * c.kh * c.kw }, () => r.int(wl, wh));
      c.wScale = c.wScale.length > 1 ? Array.from({ length: c.cout }, () => r.float(0.001, 0.02)) : c.wScale;
      c.wZp = c.wZp.length > 1 ? Array.from({ length: c.cout }, () => r.int(0, 255)) : c.wZp;
      c.bias = c.bias ? Array.from({ length: c.cout }, () => r.int(-20000, 20000)) : null;
      c.yScale = Math.fround(c.xScale * 0.02 * Math.sqrt(cin * c.kh * c.kw / c.group) * 60);
      const got = await runPlan(nhwcConvPlan(c), [typedArray(c.xType, relayout(c.x, [n, cin, h, w], true))], t.backend, t.isa.isa, 2);
      const want = relayout(qconvRef(c), outShape(c), true);
      const bad = firstDifference(got, want);
      expect(bad, `rep ${rep}: ${describeCase(c)}: y[${bad}] = ${got[bad]}, expected ${want[bad]}`).toBe(-1);
    }
  });

  it('QLinearConv small windows (the direct kernel: MNIST-like 1->8 3x3 pad 1 and 8->16 3x3, cin 1..4, strides, dilated rows) in NHWC and NCHW', async () => {
    const r = rng(91);
    const shapes = [
      { cin: 1, cout: 8, h: 28, w: 28, k: 3, s: 1, d: 1, p: 1 },
      { cin: 8, cout: 16, h: 14, w: 14, k: 3, s: 1, d: 1, p: 0 },
      ...Array.from({ length: 8 }, () => ({ cin: r.int(1, 4), cout: r.int(1, 35), h: r.int(3, 30), w: r.int(3, 70), k: r.int(1, 3), s: r.int(1, 2), d: r.pick([1, 1, 2]), p: r.int(0, 1) })),
    ];
    for (const [i, sh] of shapes.entries()) {
      const { cin, cout, h, w, k, s, d, p } = sh, n = r.int(1, 3);
      const xType = r.pick(['uint8', 'int8'] as const), yType = r.pick(['uint8', 'int8'] as const);
      const [xl, xh] = xType === 'uint8' ? [0, 255] : [-128, 127];
      const c: QConvCase = {
        n, cin, h: Math.max(h, (k - 1) * d + 1), w: Math.max(w, (k - 1) * d + 1), cout, group: 1, kh: k, kw: k, strides: [s, s], dilations: [d, 1],
        pads: [p, p, p, p], xType, wType: 'int8', yType, x: [], wq: Array.from({ length: cout * cin * k * k }, () => (r.next() < 0.1 ? r.pick([-128, 127]) : r.int(-128, 127))),
        bias: r.next() < 0.8 ? Array.from({ length: cout }, () => r.int(-20000, 20000)) : null,
        xScale: Math.fround(r.float(0.005, 0.05)), xZp: r.pick([xl, xh, 0, r.int(xl, xh)]), wScale: Array.from({ length: cout }, () => Math.fround(r.float(0.001, 0.02))), wZp: Array(cout).fill(0),
        yScale: 0, yZp: (yType === 'uint8' ? r.pick([0, 128, 255]) : r.pick([-128, 0, 127])),
      };
      c.x = Array.from({ length: n * cin * c.h * c.w }, () => (r.next() < 0.1 ? r.pick([xl, xh]) : r.int(xl, xh)));
      c.yScale = Math.fround(c.xScale * 0.01 * Math.sqrt(cin * k * k) * 60);
      const want = qconvRef(c);
      const got = await runPlan(nhwcConvPlan(c), [typedArray(c.xType, relayout(c.x, [n, cin, c.h, c.w], true))], t.backend, t.isa.isa, 1 + (i % 2));
      const bad = firstDifference(got, relayout(want, outShape(c), true));
      expect(bad, `shape ${i}: ${describeCase(c)} (NHWC): y[${bad}]`).toBe(-1);
      const nchw = await runPlan(qconvPlan(c), [xArray(c)], t.backend, t.isa.isa, 1 + (i % 2));
      const badN = firstDifference(nchw, want);
      expect(badN, `shape ${i}: ${describeCase(c)} (NCHW): y[${badN}]`).toBe(-1);
    }
  });

  it('QnnpackConv channels_last = 1 equals its NCHW result transposed', async () => {
    for (let seed = 600; seed < 640; seed++) {
      const c = { ...randomQConv(seed), xType: 'uint8', wType: 'uint8', yType: 'uint8' } as QConvCase;
      c.x = c.x.map((v) => (v + 256) % 256), c.wq = c.wq.map((v) => (v + 256) % 256);
      c.xZp = (c.xZp + 256) % 256, c.yZp = (c.yZp + 256) % 256, c.wZp = c.wZp.map((v) => (v + 256) % 256);
      const nchw = structuredClone(qconvPlan(c)) as Plan;
      nchw.ops[0].op = 'QnnpackConv';
      const want = relayout(await runPlan(nchw, [xArray(c)], t.backend, t.isa.isa), outShape(c), true);
      const got = await runPlan(nhwcConvPlan(c, 'QnnpackConv'), [Uint8Array.from(relayout(c.x, [c.n, c.cin, c.h, c.w], true))], t.backend, t.isa.isa, 2);
      const bad = firstDifference(got, want);
      expect(bad, `seed ${seed}: ${describeCase(c)}: y[${bad}] = ${got[bad]}, expected ${want[bad]}`).toBe(-1);
    }
  });

  for (const dt of ['uint8', 'int8'] as const) {
    const signed = dt === 'int8';
    it(`MaxPool 2x2 stride 2 of ${dt} with channels_last = 1 (the small-channel row path) on every channel count up to 65`, async () => {
      const r = rng(signed ? 43 : 44);
      const { lo, hi } = Q.range(signed);
      for (const c of [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65]) {
        // Odd sizes: the last row / column are left out (floor); pb / pr padding that no window reaches.
        const p: Q.Pool = { n: r.int(1, 2), c, h: r.int(2, 15), w: r.int(2, 15), kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1, pt: 0, pl: 0, pb: r.pick([0, 0, 1]), pr: 0, ceil: false };
        const [oh, ow] = Q.poolOut(p);
        const x = Array.from({ length: p.n * p.c * p.h * p.w }, () => (r.next() < 0.1 ? r.pick([lo, hi]) : r.int(lo, hi)));
        const attrs = { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, p.pb, 0], channels_last: 1, dilations: [1, 1] };
        const mp = opPlan('MaxPool', [{ dtype: dt, shape: nhwcShape([p.n, p.c, p.h, p.w]) }], [{ dtype: dt, shape: [p.n, oh, ow, p.c] }], attrs);
        const got = await runPlan(mp, [typedArray(dt, relayout(x, [p.n, p.c, p.h, p.w], true))], t.backend, t.isa.isa, 1 + (c % 2));
        expect(got, `MaxPool ${JSON.stringify(p)}`).toEqual(relayout(Q.maxPool(p, x, signed), [p.n, p.c, oh, ow], true));
      }
    });

    it(`MaxPool, QLinearAveragePool and QLinearGlobalAveragePool of ${dt} with channels_last = 1`, async () => {
      const r = rng(signed ? 41 : 42);
      const { lo, hi } = Q.range(signed);
      const zps = signed ? [-128, 0, 127] : [0, 128, 255];
      for (let rep = 0; rep < 14; rep++) {
        const k = r.pick([1, 2, 3, 5]), s = r.pick([1, 2, 3]), d = r.pick([1, 1, 2]);
        const pad = r.int(0, k - 1);
        // Odd channel counts and ones past a vector width (16 / 32 / 64 bytes).
        const p: Q.Pool = { n: r.int(1, 2), c: r.pick([1, 3, 7, 17, 33, 65, 130]), h: r.int(k * d, 14), w: r.int(k * d, 14), kh: k, kw: r.pick([k, 1, 3]), sh: s, sw: r.pick([s, 1, 2]), dh: d, dw: d, pt: pad, pl: pad, pb: r.int(0, k - 1), pr: pad, ceil: r.next() < 0.3 };
        const [oh, ow] = Q.poolOut(p);
        const x = Array.from({ length: p.n * p.c * p.h * p.w }, () => (r.next() < 0.1 ? r.pick([lo, hi]) : r.int(lo, hi)));
        const xs = [p.n, p.c, p.h, p.w], xl = typedArray(dt, relayout(x, xs, true));
        const attrs = { kernel_shape: [p.kh, p.kw], strides: [p.sh, p.sw], pads: [p.pt, p.pl, p.pb, p.pr], ceil_mode: +p.ceil, channels_last: 1 };
        const what = JSON.stringify(p);
        const mp = opPlan('MaxPool', [{ dtype: dt, shape: nhwcShape(xs) }], [{ dtype: dt, shape: [p.n, oh, ow, p.c] }], { ...attrs, dilations: [p.dh, p.dw] });
        expect(await runPlan(mp, [xl], t.backend, t.isa.isa, 1 + (rep % 2)), `MaxPool ${what}`).toEqual(relayout(Q.maxPool(p, x, signed), [p.n, p.c, oh, ow], true));
        const pa = { ...p, dh: 1, dw: 1 };
        const [ah, aw] = Q.poolOut(pa);
        const sx = Math.fround(r.float(0.01, 0.1)), sy = Math.fround(r.float(0.01, 0.1)), zx = r.pick(zps), zy = r.pick(zps);
        for (const include of [0, 1]) {
          const ap = opPlan('QLinearAveragePool', [{ dtype: dt, shape: nhwcShape(xs) }, f32(sx), scalar(dt, zx), f32(sy), scalar(dt, zy)], [{ dtype: dt, shape: [p.n, ah, aw, p.c] }], { ...attrs, count_include_pad: include });
          expect(await runPlan(ap, [xl], t.backend, t.isa.isa), `QLinearAveragePool include_pad ${include} ${what}`)
            .toEqual(relayout(Q.qlinearAvgPool(pa, x, include === 1, sx, zx, sy, zy, signed), [p.n, p.c, ah, aw], true));
        }
        const gp = opPlan('QLinearGlobalAveragePool', [{ dtype: dt, shape: nhwcShape(xs) }, f32(sx), scalar(dt, zx), f32(sy), scalar(dt, zy)], [{ dtype: dt, shape: [p.n, 1, 1, p.c] }], { channels_last: 1 });
        expect(await runPlan(gp, [xl], t.backend, t.isa.isa, 2), `QLinearGlobalAveragePool ${what}`).toEqual(Q.qlinearGlobalAvgPool(x, p.n * p.c, p.h * p.w, sx, zx, sy, zy, signed));
      }
    });

    it(`QLinearGlobalAveragePool channels_last = 1 of ${dt} over a large image (several vsum chunks, > 256 channels)`, async () => {
      const r = rng(signed ? 51 : 52);
      const { lo, hi } = Q.range(signed);
      const n = 2, c = 300, h = 23, w = 29;
      const x = Array.from({ length: n * c * h * w }, () => r.int(lo, hi));
      const sx = 0.05, sy = 0.03, zx = signed ? 3 : 120, zy = signed ? -2 : 131;
      const gp = opPlan('QLinearGlobalAveragePool', [{ dtype: dt, shape: [n, h, w, c] }, f32(sx), scalar(dt, zx), f32(sy), scalar(dt, zy)], [{ dtype: dt, shape: [n, 1, 1, c] }], { channels_last: 1 });
      expect(await runPlan(gp, [typedArray(dt, relayout(x, [n, c, h, w], true))], t.backend, t.isa.isa, 2))
        .toEqual(Q.qlinearGlobalAvgPool(x, n * c, h * w, Math.fround(sx), zx, Math.fround(sy), zy, signed));
    });
  }

  it('QLinearConcat copies inputs that share Y\'s scale and zero point and requantizes the others (axis 1 NCHW, axis 3 NHWC, negative axis)', async () => {
    const r = rng(61);
    for (const dt of ['uint8', 'int8'] as const) {
      const { lo, hi } = Q.range(dt === 'int8');
      for (const [shapes, axis] of [[[[1, 3, 4, 5], [1, 7, 4, 5]], 1], [[[2, 4, 5, 3], [2, 4, 5, 17], [2, 4, 5, 1]], 3], [[[3, 2], [3, 5]], -1], [[[2, 6], [1, 6]], 0]] as [number[][], number][]) {
        const sy = Math.fround(r.float(0.01, 0.1)), zy = r.int(lo, hi);
        const ins = shapes.map((shape, i) => ({ shape, x: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.int(lo, hi)), sx: i === 0 ? sy : Math.fround(r.float(0.005, 0.2)), zx: i === 0 ? zy : r.int(lo, hi) }));
        const ax = axis < 0 ? axis + shapes[0].length : axis;
        const yshape = [...shapes[0]];
        yshape[ax] = shapes.reduce((s, sh) => s + sh[ax], 0);
        const plan = opPlan('QLinearConcat', [f32(sy), scalar(dt, zy), ...ins.flatMap((i) => [{ dtype: dt, shape: i.shape }, f32(i.sx), scalar(dt, i.zx)])], [{ dtype: dt, shape: yshape }], { axis });
        const got = await runPlan(plan, ins.map((i) => typedArray(dt, i.x)), t.backend, t.isa.isa, 2);
        // The definition: y = saturate(round_half_even(f32(f32(x_scale * (x - x_zp)) / y_scale)) + y_zp), then concatenate.
        const outer = shapes[0].slice(0, ax).reduce((a, b) => a * b, 1);
        const want: number[] = [];
        for (let o = 0; o < outer; o++)
          for (const i of ins) {
            const chunk = i.x.length / outer;
            for (const v of i.x.slice(o * chunk, (o + 1) * chunk)) want.push(Q.store(Math.fround(Math.fround(i.sx * (v - i.zx)) / sy), zy, dt === 'int8'));
          }
        expect(got, `${dt} ${JSON.stringify(shapes)} axis ${axis}`).toEqual(want);
      }
    }
  });

  it('u8 / s8 Transpose NCHW <-> NHWC (the graph edges; 16x16 tiles plus ragged edges) equals the element loop', async () => {
    const r = rng(95);
    for (const [n, c, h, w] of [[1, 64, 20, 28], [2, 37, 9, 13], [1, 3, 17, 33], [1, 130, 5, 7], [3, 16, 16, 1]]) {
      for (const dt of ['uint8', 'int8'] as const) {
        const { lo, hi } = Q.range(dt === 'int8');
        const x = Array.from({ length: n * c * h * w }, () => r.int(lo, hi));
        const toLast = opPlan('Transpose', [{ dtype: dt, shape: [n, c, h, w] }], [{ dtype: dt, shape: [n, h, w, c] }], { perm: [0, 2, 3, 1] });
        const got = await runPlan(toLast, [typedArray(dt, x)], t.backend, t.isa.isa, 2);
        expect(got, `${dt} [${n}, ${c}, ${h}, ${w}] -> NHWC`).toEqual(relayout(x, [n, c, h, w], true));
        const toFirst = opPlan('Transpose', [{ dtype: dt, shape: [n, h, w, c] }], [{ dtype: dt, shape: [n, c, h, w] }], { perm: [0, 3, 1, 2] });
        expect(await runPlan(toFirst, [typedArray(dt, got)], t.backend, t.isa.isa), `${dt} [${n}, ${h}, ${w}, ${c}] -> NCHW`).toEqual(x);
      }
    }
  });

  it('gives clear InvalidPlanErrors for bad channels_last attributes and shapes', async () => {
    const u8 = (v: number) => scalar('uint8', v);
    const x = { dtype: 'uint8' as DType, shape: [1, 4, 4, 2] };
    const c = randomQConv(1);
    const u8conv = { ...randomQConv(2, 1), xType: 'uint8', wType: 'uint8', yType: 'uint8', xZp: 128, wZp: [128], yZp: 128, bias: null } as QConvCase;
    const conv1d = structuredClone(nhwcConvPlan(c)) as Plan;
    conv1d.values[0].shape = [c.n, c.w, c.cin];
    const bad: [Plan, RegExp][] = [
      [qconvPlan(c, { channels_last: 2 }), /expected attribute channels_last 0 \(NCHW\) or 1 \(NHWC\) but received 2/],
      [conv1d, /expected x of rank 4 \[N, H, W, C\] with channels_last = 1/],
      [(() => { const p = structuredClone(qconvPlan(u8conv, { channels_last: 5 })) as Plan; p.ops[0].op = 'QnnpackConv'; return p; })(), /QnnpackConv.*expected attribute channels_last 0 \(NCHW\) or 1 \(NHWC\) but received 5/],
      [(() => { const p = structuredClone(nhwcConvPlan(c)) as Plan; p.values[p.outputs[0]].shape = outShape(c); return p; })(), /expected y of shape/],
      [opPlan('MaxPool', [x], [{ dtype: 'uint8', shape: [1, 2, 3, 3] }], { kernel_shape: [2, 2], channels_last: 1 }), /expected Y of dtype uint8 and shape \[1, 3, 3, 2\]/],
      [opPlan('MaxPool', [{ dtype: 'float32', shape: [1, 2, 4, 4] }], [{ dtype: 'float32', shape: [1, 2, 3, 3] }], { kernel_shape: [2, 2], channels_last: 1 }), /expected attribute channels_last 0 \(NCHW: only uint8 and int8 pools run NHWC\)/],
      [opPlan('QLinearAveragePool', [x, f32(0.1), u8(0), f32(0.1), u8(0)], [{ dtype: 'uint8', shape: [1, 3, 3, 2] }], { kernel_shape: [2, 2], channels_last: 3 }), /expected attribute channels_last 0 \(NCHW\) or 1 \(NHWC\) but received 3/],
      [opPlan('QLinearGlobalAveragePool', [x, f32(0.1), u8(0), f32(0.1), u8(0)], [{ dtype: 'uint8', shape: [1, 2, 1, 1] }], { channels_last: 1 }), /expected Y of dtype uint8 and shape \[1, 1, 1, 2\]/],
      [opPlan('QLinearConcat', [f32(0.1), u8(0), x, f32(0.1)], [{ dtype: 'uint8', shape: [1, 4, 4, 2] }], { axis: 3 }), /expected Y_scale, Y_zero_point and then \(X, X_scale, X_zero_point\)/],
      [opPlan('QLinearConcat', [f32(0.1), u8(0), x, f32(0.1), u8(0), { dtype: 'uint8', shape: [1, 4, 3, 2] }, f32(0.1), u8(0)], [{ dtype: 'uint8', shape: [1, 4, 4, 4] }], { axis: 3 }), /expected X 1 of shape \[1, 4, 4, 2\] except on axis 3 but received \[1, 4, 3, 2\]/],
      [opPlan('QLinearConcat', [f32(0.1), u8(0), x, f32(0.1), u8(0)], [{ dtype: 'uint8', shape: [1, 4, 4, 2] }], { axis: 4 }), /expected attribute axis in \[-4, 4\)/],
      [opPlan('QLinearConcat', [f32(0.1), u8(0), x, f32(0.1), scalar('int8', 0)], [{ dtype: 'uint8', shape: [1, 4, 4, 2] }], { axis: 3 }), /expected uint8 for X_zero_point 0 but received int8/],
      [opPlan('QLinearConcat', [f32(0.1), u8(0), x, f32(0.1), u8(0)], [{ dtype: 'uint8', shape: [1, 4, 4, 3] }], { axis: 3 }), /expected Y of dtype uint8 and shape \[1, 4, 4, 2\]/],
      [opPlan('QLinearConcat', [f32(-1), u8(0), x, f32(0.1), u8(0)], [{ dtype: 'uint8', shape: [1, 4, 4, 2] }], { axis: 3 }), /expected a positive finite Y_scale/],
    ];
    for (const [plan, re] of bad) {
      const err = await PlanSession.create(plan, { backend: t.backend, isa: t.isa.isa } as never).catch((e) => e);
      expect(err, String(re)).toBeInstanceOf(InvalidPlanError);
      expect(err.message, String(re)).toMatch(re);
    }
  });
});

// ---- whole ONNX models against onnxruntime-node --------------------------------------------------

const ARRAYS = { uint8: Uint8Array, int8: Int8Array } as const;
const tf32 = (v: number): TensorData => ({ dtype: 'float32', dims: [], data: Float32Array.of(v) });
const tzp = (dt: 'uint8' | 'int8', v: number): TensorData => ({ dtype: dt, dims: [], data: ARRAYS[dt].of(v) });

async function againstOrt(graph: Graph, feeds: Record<string, Tensor>, backend: string) {
  const model = graphToOnnx(graph);
  model.opsetImports.push({ domain: 'com.microsoft', version: 1 });
  const bytes = writeModel(model);
  const ref = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const want = (await ref.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)])))).y;
  const s = await Session.create(bytes, { backend });
  try {
    const got = (await s.run(feeds)).y;
    expect(Array.from(got.dims)).toEqual(Array.from(want.dims as number[]));
    return { got: Array.from(got.data as ArrayLike<number>), want: Array.from(want.data as ArrayLike<number>) };
  } finally {
    s.release();
  }
}

describe.each(['native', 'wasm'])('com.microsoft ops in a Session (%s) vs onnxruntime-node', (backend) => {
  for (const dt of ['uint8', 'int8'] as const)
    it(`QLinearConcat of ${dt} (one input copied, two requantized) is identical`, async () => {
      const r = rng(dt === 'int8' ? 71 : 72);
      const { lo, hi } = Q.range(dt === 'int8');
      const shapes = [[2, 3, 5, 7], [2, 16, 5, 7], [2, 1, 5, 7]];
      const zs = [r.int(lo, hi), r.int(lo, hi), r.int(lo, hi)], ss = [0.05, 0.0731, 0.011];
      const initializers = new Map<string, TensorData>([['ys', tf32(ss[0])], ['yz', tzp(dt, zs[0])]]);
      shapes.forEach((_, i) => { initializers.set(`s${i}`, tf32(ss[i])); initializers.set(`z${i}`, tzp(dt, zs[i])); });
      const graph: Graph = {
        opset: 17,
        nodes: [{ name: 'n', opType: 'QLinearConcat', domain: 'com.microsoft', inputs: ['ys', 'yz', ...shapes.flatMap((_, i) => [`x${i}`, `s${i}`, `z${i}`])], outputs: ['y'], attrs: { axis: 1 } }],
        inputs: shapes.map((shape, i) => ({ name: `x${i}`, type: { dtype: dt as DType, shape } })),
        outputs: [{ name: 'y' }], initializers, valueInfo: new Map(),
      };
      const feeds = Object.fromEntries(shapes.map((shape, i) => [`x${i}`, new Tensor(dt, (ARRAYS[dt] as Uint8ArrayConstructor).from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r.next() < 0.1 ? r.pick([lo, hi]) : r.int(lo, hi))), shape)]));
      const { got, want } = await againstOrt(graph, feeds, backend);
      expect(firstDifference(got, want)).toBe(-1);
    }, 60_000);

  for (const dt of ['uint8', 'int8'] as const)
    it(`QLinearGlobalAveragePool channels_last = 1 of ${dt} is within one step`, async () => {
      const r = rng(dt === 'int8' ? 81 : 82);
      const { lo, hi } = Q.range(dt === 'int8');
      const shape = [2, 7, 7, 130];
      const graph: Graph = {
        opset: 17,
        nodes: [{ name: 'n', opType: 'QLinearGlobalAveragePool', domain: 'com.microsoft', inputs: ['x', 'xs', 'xz', 'ys', 'yz'], outputs: ['y'], attrs: { channels_last: 1 } }],
        inputs: [{ name: 'x', type: { dtype: dt as DType, shape } }],
        outputs: [{ name: 'y' }],
        initializers: new Map<string, TensorData>([['xs', tf32(0.05)], ['xz', tzp(dt, r.int(lo, hi))], ['ys', tf32(0.03)], ['yz', tzp(dt, r.int(lo, hi))]]),
        valueInfo: new Map(),
      };
      const x = new Tensor(dt, (ARRAYS[dt] as Uint8ArrayConstructor).from({ length: 2 * 7 * 7 * 130 }, () => r.int(lo, hi)), shape);
      const { got, want } = await againstOrt(graph, { x }, backend);
      // onnxruntime averages dequantized floats; int8kit sums codes exactly (see ops-qsmall-ort).
      expect(Math.max(...got.map((v, i) => Math.abs(v - want[i])))).toBeLessThanOrEqual(1);
    }, 60_000);
});

// ---- a channels_last chain in one Session: the shape rules (src/graph/infer.ts) and the plan ops --

describe.each(['native', 'wasm'])('an NHWC QOperator chain in a Session (%s)', (backend) => {
  it('Transpose -> QLinearConv -> MaxPool -> QLinearAveragePool -> QLinearConcat -> QLinearGlobalAveragePool (channels_last = 1) equals the NCHW chain', async () => {
    const r = rng(91);
    const [n, c, h, w, k] = [2, 5, 13, 11, 9];
    const ms = 'com.microsoft';
    const wq: TensorData = { dtype: 'int8', dims: [k, c, 3, 3], data: Int8Array.from({ length: k * c * 9 }, () => r.int(-127, 127)) };
    const build = (nhwc: boolean): Uint8Array => {
      const cl = nhwc ? { channels_last: 1 } : {};
      const node = (opType: string, domain: string, inputs: string[], out: string, attrs = {}) => ({ name: out, opType, domain, inputs, outputs: [out], attrs });
      const graph: Graph = {
        opset: 17,
        nodes: [
          ...(nhwc ? [node('Transpose', '', ['x'], 'xt', { perm: [0, 2, 3, 1] })] : []),
          node('QLinearConv', '', [nhwc ? 'xt' : 'x', 'xs', 'xz', 'w', 'ws', 'wz', 'cs', 'cz'], 'conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], ...cl }),
          node('MaxPool', '', ['conv'], 'mp', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ...cl }),
          node('QLinearAveragePool', ms, ['mp', 'cs', 'cz', 'as', 'az'], 'ap', { kernel_shape: [2, 2], pads: [0, 0, 1, 1], ...cl }),
          node('QLinearConcat', ms, ['ys', 'yz', 'ap', 'as', 'az', 'mp', 'cs', 'cz'], 'cat', { axis: nhwc ? 3 : 1 }),
          node('QLinearGlobalAveragePool', ms, ['cat', 'ys', 'yz', 'gs', 'gz'], 'y', { ...cl }),
        ],
        inputs: [{ name: 'x', type: { dtype: 'uint8', shape: [n, c, h, w] } }],
        outputs: [{ name: 'y' }],
        initializers: new Map<string, TensorData>([
          ['xs', tf32(0.04)], ['xz', tzp('uint8', 128)], ['w', wq], ['ws', tf32(0.01)], ['wz', tzp('int8', 0)], ['cs', tf32(0.3)], ['cz', tzp('uint8', 120)],
          ['as', tf32(0.25)], ['az', tzp('uint8', 118)], ['ys', tf32(0.35)], ['yz', tzp('uint8', 125)], ['gs', tf32(0.15)], ['gz', tzp('uint8', 10)],
        ]),
        valueInfo: new Map(),
      };
      const model = graphToOnnx(graph);
      model.opsetImports.push({ domain: ms, version: 1 });
      return writeModel(model);
    };
    const x = new Tensor('uint8', Uint8Array.from({ length: n * c * h * w }, () => r.int(0, 255)), [n, c, h, w]);
    const run = async (bytes: Uint8Array) => {
      const s = await Session.create(bytes, { backend });
      try {
        return (await s.run({ x })).y;
      } finally {
        s.release();
      }
    };
    const nchw = await run(build(false)), nhwc = await run(build(true));
    expect(Array.from(nchw.dims)).toEqual([n, 2 * k, 1, 1]);
    expect(Array.from(nhwc.dims)).toEqual([n, 1, 1, 2 * k]);
    expect(Array.from(nhwc.data as Uint8Array)).toEqual(Array.from(nchw.data as Uint8Array));
    expect(new Set(nchw.data as Uint8Array).size).toBeGreaterThan(3);  // not a constant output
  }, 60_000);
});
