import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readModel, readTensor, writeModel, type OnnxTensor } from '../src/onnx';
import { conformanceCases, fedInputs, isTensor } from './support/onnx-conformance';
import { ortSupports, runOrt, sameTensor, sessionOptions, toOrt } from './support/onnx-ort';

const cases = conformanceCases();

describe.skipIf(cases.length === 0)('models written by writeModel run in onnxruntime-node', () => {
  test('same outputs as the original models on their stored inputs', async () => {
    let compared = 0, rejectedByOrt = 0, nonTensor = 0, viaExternal = 0;
    const external = mkdtempSync(join(tmpdir(), 'int8kit-onnx-ort-'));
    for (const c of cases) {
      const model = readModel(c.model);
      const ins = fedInputs(model);
      const ds = c.dataSets[0];
      if (!ds || !ins.every(isTensor) || ds.inputs.length !== ins.length || !model.graph.outputs.every(isTensor)) { nonTensor++; continue; }
      const feeds: Record<string, OnnxTensor> = {};
      ds.inputs.forEach((f, i) => { feeds[ins[i].name] = readTensor(f); });
      if (!Object.values(feeds).every(ortSupports)) { nonTensor++; continue; }
      const original = await runOrt(readFileSync(c.model), feeds);
      if (!original) { rejectedByOrt++; continue; }
      // Models with initializers also go through an external data file, which ORT must resolve too.
      let written: Uint8Array;
      if (model.graph.initializers.length) {
        const path = join(external, `${c.name}.onnx`);
        writeModel(model, { path, externalDataThreshold: 16 });
        const mine = await runOrtFromPath(path, feeds);
        viaExternal++;
        expect(mine, c.model).not.toBeNull();
        for (const name of Object.keys(original)) expect(sameTensor(original[name], mine![name]), `${c.model} ${name} (external data)`).toBe(true);
      }
      written = writeModel(model);
      const mine = await runOrt(written, feeds);
      expect(mine, `${c.model}: onnxruntime rejects the written model`).not.toBeNull();
      for (const name of Object.keys(original)) expect(sameTensor(original[name], mine![name]), `${c.model} output ${name}`).toBe(true);
      compared++;
    }
    console.log(`onnxruntime-node: ${compared} written models give identical outputs (${viaExternal} also with external data); ${rejectedByOrt} originals rejected by onnxruntime; ${nonTensor} with non-tensor or unsupported inputs skipped (of ${cases.length})`);
    expect(compared).toBeGreaterThan(800);
    expect(viaExternal).toBeGreaterThan(10);
  }, 300_000);
});

async function runOrtFromPath(path: string, feeds: Record<string, OnnxTensor>) {
  // ORT resolves external data relative to the model path, so load by path rather than bytes.
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(path, sessionOptions);
  try {
    return (await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)])))) as Record<string, import('onnxruntime-node').Tensor>;
  } finally {
    await session.release();
  }
}
