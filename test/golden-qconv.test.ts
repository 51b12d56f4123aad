// QLinearConv on PyTorch 1.13's quantized Conv2d cases (test/fixtures/golden/qconv_qlinear.json, from
// ../shared/golden): 3x3, depthwise stride 2, 5x5 and the rest, per-tensor and per-channel weights,
// with and without fused ReLU (y_min = y_zero_point), on every backend and ISA. PyTorch's int32 bias
// (qnnpack_bias_int32) goes in as QLinearConv's B. Compared with the qnnpack emulation, qnnpack,
// onednn and the float64 reference: int8kit requantizes with f32(f32(sx*sw) / sy) where qnnpack
// multiplies by f32(1/sy), so a code may differ by one; the counts are printed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlanSession } from '../src';
import { backendIsas } from './support/backends';
import { qconvPlan, type QConvCase } from './support/qconv-reference';

const golden = JSON.parse(readFileSync(join(__dirname, 'fixtures/golden/qconv_qlinear.json'), 'utf8'));
const convs = golden.cases.filter((c: { kind: string }) => c.kind === 'conv');
const targets = (await backendIsas()).filter((t) => t.isa.available);
const offByOne = new Map<string, number>();
let outputs = 0;
afterAll(() => console.log(`QLinearConv vs PyTorch quantized Conv2d (${outputs / targets.length} outputs per ISA), outputs off by 1 LSB:\n` +
  [...offByOne].map(([k, n]) => `  ${k}: ${n}`).join('\n')));

describe.each(targets.map((t) => [`${t.backend}/${t.isa.isa}`, t] as const))('%s', (_, t) => {
  for (const c of convs)
    for (const r of c.runs) {
      it(`${c.name}, ${r.per_channel_weights ? 'per-channel' : 'per-tensor'} weights${r.relu_fused ? ', ReLU' : ''}: within one LSB of PyTorch`, async () => {
        const [n, cin, h, w] = c.x_shape;
        const q: QConvCase = {
          n, cin, h, w, cout: c.cout, group: c.groups, kh: c.k, kw: c.k, strides: [c.stride, c.stride], dilations: [1, 1],
          pads: [c.pad, c.pad, c.pad, c.pad], xType: 'uint8', wType: 'int8', yType: 'uint8', x: c.x_q, wq: c.w_q,
          bias: r.qnnpack_bias_int32, xScale: c.x_scale, xZp: c.x_zp, wScale: r.per_channel_weights ? c.w_scale_pc : [c.w_scale],
          wZp: [0], yScale: r.y_scale, yZp: r.y_zp,
        };
        const s = await PlanSession.create(qconvPlan(q, r.relu_fused ? { y_min: r.y_zp } : {}), { backend: t.backend, isa: t.isa.isa } as never);
        const y = (await s.run([Uint8Array.from(c.x_q)]))[0] as Uint8Array;
        s.release();
        expect(Array.from(y).length).toBe(r.qnnpack_emulation.length);
        outputs += y.length;
        for (const [name, ref] of [['qnnpack emulation', r.qnnpack_emulation], ['qnnpack', r.outputs.qnnpack], ['onednn', r.outputs.onednn], ['float64 reference', r.reference_f64]]) {
          const d = Array.from(y, (v, i) => Math.abs(v - ref[i]));
          const key = `${t.backend}/${t.isa.isa} vs ${name}`;
          offByOne.set(key, (offByOne.get(key) ?? 0) + d.filter((x) => x > 0).length);
          expect(Math.max(...d), key).toBeLessThanOrEqual(1);
          expect(d.filter((x) => x > 0).length, key).toBeLessThanOrEqual(Math.ceil(0.02 * d.length));
        }
      });
    }
});
