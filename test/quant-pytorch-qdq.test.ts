// A QDQ model int8kit did not make: quantized by PyTorch 1.13 itself (eager mode, qnnpack) and
// exported by torch.onnx (scripts/export-pytorch-qdq-fixture.py). int8kit reads it into its QDQ
// graph and runs it as a fake-quant simulation; PyTorch's own quantized output is the oracle.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session, Tensor, graphToOnnx, readNpy, readQuantizedModel, writeModel } from '../src';

const ort = createRequire(__filename)('onnxruntime-node');
const dir = join(__dirname, 'fixtures/pytorch-qdq');
const npy = (f: string) => readNpy(readFileSync(join(dir, f)));

describe('PyTorch-quantized QDQ model', () => {
  const x = npy('input.npy'), want = npy('logits_pytorch.npy').data as Float32Array;
  const step = (npy('logits_scale.npy').data as Float32Array)[0];
  const steps = (got: Float32Array) => Array.from(got, (v, i) => Math.round(Math.abs(v - want[i]) / step));
  // PyTorch requantizes in integer arithmetic; a float simulation may round an intermediate code the
  // other way, which moves a logit by one step: most logits must be exact, none off by more than one.
  const agree = (got: Float32Array, what: string) => {
    const d = steps(got);
    console.log(`${what}: ${d.filter((v) => v === 0).length} of ${d.length} logits equal to PyTorch's, largest difference ${Math.max(...d)} step`);
    expect(Math.max(...d)).toBeLessThanOrEqual(1);
    expect(d.filter((v) => v === 0).length).toBeGreaterThanOrEqual(0.9 * d.length);
  };

  it('reads into the QDQ graph and runs on int8kit within a quantization step of PyTorch', async () => {
    const g = readQuantizedModel(join(dir, 'small_qcnn.onnx'));
    expect(g.nodes.filter((n) => n.opType === 'Conv').length).toBe(2);
    expect(g.nodes.some((n) => n.opType.startsWith('QLinear'))).toBe(false);
    for (const backend of ['native', 'wasm']) {
      const s = await Session.create(g, { backend });
      const got = (await s.run({ input: new Tensor('float32', x.data as Float32Array, x.dims) })).logits.data as Float32Array;
      s.release();
      agree(got, `int8kit ${backend}`);
    }
  });

  it('written back out, runs in onnxruntime INT8 within a quantization step of PyTorch', async () => {
    const bytes = writeModel(graphToOnnx(readQuantizedModel(join(dir, 'small_qcnn.onnx'))));
    const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    const got = (await s.run({ input: new ort.Tensor('float32', x.data, x.dims) })).logits.data as Float32Array;
    agree(got, 'onnxruntime INT8');
  });
});
