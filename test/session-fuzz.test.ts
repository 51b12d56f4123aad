// Seeded fuzz: mutated model files through Session.create and run. Every outcome is a result or a
// typed Int8kitError; nothing else escapes, nothing crashes, nothing hangs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Int8kitError, Session, Tensor } from '../src';
import { rng } from './support/random';

const data = '/usr/share/libonnx-testdata/data/node';
const models = ['test_relu', 'test_add_bcast', 'test_conv_with_strides_padding', 'test_softmax_axis_1', 'test_reshape_reduced_dims', 'test_gemm_default_matrix_bias']
  .map((t) => join(data, t, 'model.onnx'))
  .filter(existsSync);

function feedsFor(s: Session, r: ReturnType<typeof rng>): Record<string, Tensor> {
  return Object.fromEntries(s.inputMetadata.map((m) => {
    const dims = (m.shape ?? [1]).map((d) => (typeof d === 'number' && d <= 64 ? d : 2));
    const n = dims.reduce((a, b) => a * b, 1);
    const t = m.type === 'int64' ? new Tensor('int64', BigInt64Array.from({ length: n }, () => BigInt(r.int(-3, 3))), dims)
      : m.type === 'float32' ? new Tensor('float32', Float32Array.from({ length: n }, () => r.float(-2, 2)), dims)
      : new Tensor(m.type, new (m.type === 'int32' ? Int32Array : m.type === 'int8' ? Int8Array : Uint8Array)(n) as never, dims);
    return [m.name, t];
  }));
}

describe.skipIf(models.length === 0)('fuzzed models through the session (needs libonnx-testdata)', () => {
  it.each(['native', 'wasm'])('%s: 1,500 mutants give results or typed errors', async (backend) => {
    const r = rng(backend === 'native' ? 21 : 22);
    const outcomes = { ran: 0, rejected: 0 };
    const start = performance.now();
    for (let i = 0; i < 1500; i++) {
      const bytes = Uint8Array.from(readFileSync(models[i % models.length]));
      if (i % 4 === 0) bytes.subarray(r.int(0, bytes.length - 1)).fill(0);
      for (let f = r.int(1, 6); f > 0; f--) bytes[r.int(0, bytes.length - 1)] = r.int(0, 255);
      try {
        const s = await Session.create(bytes, { backend });
        try {
          await s.run(feedsFor(s, r));
          outcomes.ran++;
        } finally {
          s.release();
        }
      } catch (e) {
        if (!(e instanceof Int8kitError)) throw new Error(`mutant ${i}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
        outcomes.rejected++;
      }
    }
    expect(outcomes.ran + outcomes.rejected).toBe(1500);
    expect(outcomes.rejected).toBeGreaterThan(100);
    expect(performance.now() - start).toBeLessThan(120_000);
  }, 180_000);
});
