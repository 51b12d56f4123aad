// The QGemm op (u8 x s8 -> requantized u8) on PyTorch 1.13's quantized Linear cases
// (test/fixtures/golden/qconv_qlinear.json, from ../shared/golden): per-tensor and per-channel
// weights, with and without fused ReLU, on every backend and ISA. Compared with PyTorch's qnnpack
// path (its bit-exact emulation: int32 bias, requantization by x * f32(f32(sw*sx) * f32(1/sy)))
// and with onednn's outputs (float bias). int8kit's QGemm takes qnnpack's int32 bias and requantizes
// with f32(f32(sx*sw) / sy) where qnnpack multiplies by f32(1/sy): a code may differ by one from
// either engine; the test allows it and prints how often it happens.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlanSession } from '../src';
import { backendIsas } from './support/backends';
import { qgemmPlan } from './support/gemm';

const golden = JSON.parse(readFileSync(join(__dirname, 'fixtures/golden/qconv_qlinear.json'), 'utf8'));
const linear = golden.cases.filter((c: { kind: string }) => c.kind === 'linear');
const targets = (await backendIsas()).filter((t) => t.isa.available);
// Outputs off by one LSB, per ISA and reference: `npx vitest run test/golden-qlinear.test.ts` prints them.
const offByOne = new Map<string, number>();
let outputs = 0;
afterAll(() => console.log(`QGemm vs PyTorch quantized Linear (${outputs / targets.length} outputs per ISA), outputs off by 1 LSB:\n` +
  [...offByOne].map(([k, n]) => `  ${k}: ${n}`).join('\n')));

describe.each(targets.map((t) => [`${t.backend}/${t.isa.isa}`, t] as const))('%s', (_, t) => {
  for (const c of linear)
    for (const r of c.runs) {
      it(`${c.name}, ${r.per_channel_weights ? 'per-channel' : 'per-tensor'} weights${r.relu_fused ? ', ReLU' : ''}: within one LSB of PyTorch`, async () => {
        const [m, k] = c.x_shape, n = c.out;
        const b = new Int8Array(k * n); // PyTorch's w_q is [out, in]; QGemm's B is [K, N]
        for (let o = 0; o < n; o++) for (let i = 0; i < k; i++) b[i * n + o] = c.w_q[o * k + i];
        const plan = qgemmPlan({
          m, k, n, a: Uint8Array.from(c.x_q), b, bias: Int32Array.from(r.qnnpack_bias_int32),
          aScale: c.x_scale, aZeroPoint: c.x_zp, bScale: r.per_channel_weights ? c.w_scale_pc : [c.w_scale],
          yScale: r.y_scale, yZeroPoint: r.y_zp, yMin: r.relu_fused ? r.y_zp : 0, yMax: 255,
        });
        const s = await PlanSession.create(plan, { backend: t.backend, isa: t.isa.isa } as never);
        const y = (await s.run([Uint8Array.from(c.x_q)]))[0] as Uint8Array;
        s.release();
        const diff = (ref: number[]) => Array.from(y, (v, i) => Math.abs(v - ref[i]));
        outputs += y.length;
        for (const [name, ref] of [['qnnpack emulation', r.qnnpack_emulation], ['qnnpack', r.outputs.qnnpack], ['onednn', r.outputs.onednn]]) {
          const d = diff(ref);
          const key = `${t.backend}/${t.isa.isa} vs ${name}`;
          offByOne.set(key, (offByOne.get(key) ?? 0) + d.filter((x) => x > 0).length);
          expect(Math.max(...d)).toBeLessThanOrEqual(1);
          expect(d.filter((x) => x > 0).length).toBeLessThanOrEqual(Math.ceil(0.02 * d.length));
        }
      });
    }
});
