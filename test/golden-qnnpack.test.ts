// QnnpackConv (both requantization modes) on PyTorch 1.13's quantized Conv2d / Linear cases
// (test/fixtures/golden/qconv_qlinear.json), on every backend and ISA. PyTorch's qnnpack engine runs
// its int8 weights as u8 with zero point 128 and an int32 bias; this test feeds the same (w_q + 128,
// w_zero_point 128, qnnpack_bias_int32). Linear cases run as 1x1 convolutions (QnnpackMatMul, like
// QLinearMatMul, has no bias). The fixture's qnnpack_emulation (its bit-exact model of the qnnpack
// path) requantizes in float32: f32(acc) * f32(f32(sw*sx) * f32(1/sy)), round half to even; that is
// this family's fp32 mode, with the same multiplier, so fp32 must equal it (and PyTorch's qnnpack
// outputs) everywhere. The q31 mode rounds twice (SRDHM, then the shift), so a code may differ by
// one; the test bounds that and prints how many differ from the emulation and from reference_f64.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlanSession } from '../src';
import { backendIsas } from './support/backends';
import { convPlan, type ConvCase, type Mode } from './support/qnnpack-reference';

const golden = JSON.parse(readFileSync(join(__dirname, 'fixtures/golden/qconv_qlinear.json'), 'utf8'));
const targets = (await backendIsas()).filter((t) => t.isa.available);
const tally = new Map<string, { outputs: number; off: number; max: number }>();
afterAll(() => console.log('QnnpackConv vs PyTorch 1.13 quantized Conv2d/Linear (all 24 runs, per ISA), outputs differing:\n' +
  [...tally].map(([k, v]) => `  ${k}: ${v.off} of ${v.outputs} (max ${v.max} LSB)`).join('\n')));

interface Run { per_channel_weights: boolean; relu_fused: boolean; y_scale: number; y_zp: number; y_shape: number[];
  qnnpack_bias_int32: number[]; qnnpack_emulation: number[]; reference_f64: number[]; outputs: { qnnpack: number[] } }

function toCase(c: Record<string, any>, r: Run, mode: Mode): ConvCase {
  const conv = c.kind === 'conv';
  const [n, ch, h, w] = conv ? c.x_shape : [c.x_shape[0], c.in, 1, 1];
  const oc = conv ? c.cout : c.out, k = conv ? c.k : 1, s = conv ? c.stride : 1, p = conv ? c.pad : 0;
  return {
    n, c: ch, h, w, oc, kh: k, kw: k, group: conv ? c.groups : 1, strides: [s, s], dilations: [1, 1], pads: [p, p, p, p],
    x: Uint8Array.from(c.x_q), xScale: c.x_scale, xZp: c.x_zp,
    wq: Uint8Array.from(c.w_q, (v: number) => v + 128), wZp: 128, wScale: r.per_channel_weights ? c.w_scale_pc : [c.w_scale],
    yScale: r.y_scale, yZp: r.y_zp, bias: Int32Array.from(r.qnnpack_bias_int32), mode,
  };
}

describe.each(targets.map((t) => [`${t.backend}/${t.isa.isa}`, t] as const))('%s', (_, t) => {
  for (const mode of ['fp32', 'q31'] as const)
    it(`${mode}: every case and run of qconv_qlinear.json`, async () => {
      for (const c of golden.cases)
        for (const r of c.runs as Run[]) {
          // A fused ReLU clamps at y_zp, which is 0 in every ReLU run: the plain u8 clamp is the same.
          if (r.relu_fused) expect(r.y_zp).toBe(0);
          const k = toCase(c, r, mode);
          const s = await PlanSession.create(convPlan(k), { backend: t.backend, isa: t.isa.isa } as never);
          const y = (await s.run([k.x]))[0] as Uint8Array;
          s.release();
          const what = `${c.name}${r.per_channel_weights ? ' per-channel' : ''}${r.relu_fused ? ' relu' : ''}`;
          for (const [name, ref] of [['qnnpack emulation', r.qnnpack_emulation], ['qnnpack', r.outputs.qnnpack], ['reference_f64', r.reference_f64]] as const) {
            const d = Array.from(y, (v, i) => Math.abs(v - ref[i]));
            const key = `${t.backend}/${t.isa.isa} ${mode} vs ${name}`;
            const e = tally.get(key) ?? { outputs: 0, off: 0, max: 0 };
            e.outputs += d.length, e.off += d.filter((x) => x > 0).length, e.max = Math.max(e.max, ...d);
            tally.set(key, e);
            if (mode === 'fp32' && name !== 'reference_f64') expect(d.filter((x) => x > 0).length, `${what} vs ${name}`).toBe(0);
            else {
              expect(Math.max(...d), `${what} vs ${name}`).toBeLessThanOrEqual(1);
              expect(d.filter((x) => x > 0).length, `${what} vs ${name}`).toBeLessThanOrEqual(Math.ceil(0.01 * d.length));
            }
          }
        }
    });
});
