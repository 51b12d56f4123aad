// Bad input to inspect(): typed errors naming what was expected and what was received, never a crash.
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidModelError, Tensor, inspect, quantizeStatic, type Graph } from '../src';
import { loadMnistSplit } from '../src/data/mnist';

const fpPath = join(resolve(__dirname, '..'), 'assets', 'mnist-cnn.onnx');
const digits = loadMnistSplit('calibration');
const samples = Array.from({ length: 4 }, (_, i) => ({ input: new Tensor('float32', digits.images.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]) }));

/** A different network with the same input name: one Gemm through a Q/DQ pair. */
function otherModel(): Graph {
  const node = (name: string, opType: string, inputs: string[], outputs: string[], attrs = {}) => ({ name, opType, domain: '', inputs, outputs, attrs });
  return {
    opset: 13, inputs: [{ name: 'input', type: { dtype: 'float32', shape: [1, 1, 28, 28] } }], outputs: [{ name: 'out' }], valueInfo: new Map(),
    nodes: [node('flat', 'Flatten', ['input'], ['f']), node('q', 'QuantizeLinear', ['f', 's', 'z'], ['fq']), node('dq', 'DequantizeLinear', ['fq', 's', 'z'], ['fd']),
      node('wdq', 'DequantizeLinear', ['w_quantized', 's'], ['wd']), node('other_gemm', 'Gemm', ['fd', 'wd'], ['out'])],
    initializers: new Map([
      ['s', { dtype: 'float32', dims: [], data: Float32Array.of(0.01) }], ['z', { dtype: 'uint8', dims: [], data: Uint8Array.of(0) }],
      ['w_quantized', { dtype: 'int8', dims: [784, 10], data: new Int8Array(7840).fill(1) }],
    ]),
  };
}

describe('inspect: bad input', () => {
  let qdq: Graph;
  beforeAll(async () => {
    qdq = (await quantizeStatic(fpPath, { calibration: samples })).graph!;
  });

  it('an INT8 model with no quantized layer (the FP32 model itself)', async () => {
    const e = await inspect(fpPath, fpPath, samples).catch((x) => x);
    expect(e).toBeInstanceOf(InvalidModelError);
    expect(e.message).toMatch(/^Expected a QDQ model with quantized layers .* but received none among its 12 nodes/);
  });

  it('an INT8 model made from another network', async () => {
    const e = await inspect(fpPath, otherModel(), samples).catch((x) => x);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toMatch(/^Expected an INT8 model made from the FP32 model .* but received one whose 1 layers \(other_gemm/);
  });

  it('models with different inputs', async () => {
    const other = { ...otherModel(), inputs: [{ name: 'pixels', type: { dtype: 'float32' as const, shape: [1, 784] } }] };
    const e = await inspect(fpPath, other, samples).catch((x) => x);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toMatch(/^Expected an INT8 model with the FP32 model's inputs \[input\] .* but received inputs \[pixels\]/);
  });

  it('NaN or infinity in the calibration data, naming the sample and index', async () => {
    const bad = new Float32Array(784);
    bad[17] = NaN;
    const e = await inspect(fpPath, qdq, [...samples, { input: new Tensor('float32', bad, [1, 1, 28, 28]) }]).catch((x) => x);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toBe('Expected finite values in calibration sample 4 (input input) but received NaN at index 17');
    bad[17] = Infinity;
    await expect(inspect(fpPath, qdq, [{ input: new Tensor('float32', bad, [1, 1, 28, 28]) }])).rejects.toThrow(/received Infinity at index 17/);
  });

  it('no samples, or a sample without the model input', async () => {
    await expect(inspect(fpPath, qdq, [])).rejects.toThrow(new InvalidArgumentError('Expected at least one calibration sample but received none'));
    await expect(inspect(fpPath, qdq, [{ x: samples[0].input }])).rejects.toThrow(/^Expected input input in calibration sample 0 but received x$/);
  });

  it('arguments of the wrong kind', async () => {
    await expect(inspect(42 as never, qdq, samples)).rejects.toThrow(new InvalidArgumentError('Expected an ONNX file path, its bytes or a graph for the FP32 model but received 42 of type number'));
    await expect(inspect(fpPath, { nodes: [] } as never, samples)).rejects.toThrow(/^Expected an ONNX file path, its bytes or a graph for the INT8 model but received an object/);
    await expect(inspect(fpPath, qdq, 5 as never)).rejects.toThrow(/^Expected an iterable or async iterable of feeds for the calibration samples but received 5/);
    await expect(inspect(fpPath, qdq, samples, { bins: 0 })).rejects.toThrow(/^Expected an integer >= 1 for options.bins but received 0/);
    const e = await inspect('/nonexistent/model.onnx', qdq, samples).catch((x) => x);
    expect(e).toBeInstanceOf(InvalidModelError);
  });
});
