import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, InvalidModelError } from '../src/errors';
import { readModel, readTensor, writeModel, type OnnxGraph, type OnnxModel, type OnnxTensor } from '../src/onnx';
import { ModelProtoSchema, TensorProto_DataLocation, TensorProtoSchema } from '../src/onnx/gen/onnx_pb';
import { conformanceCases, fedInputs, isTensor } from './support/onnx-conformance';

const cases = conformanceCases();
const tmp = () => mkdtempSync(join(tmpdir(), 'int8kit-onnx-'));

function tinyModel(initializers: OnnxTensor[]): OnnxModel {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 13 }], producerName: 'int8kit-test', producerVersion: '1', domain: '', modelVersion: 1,
    metadataProps: [['k', 'v']],
    graph: {
      name: 'g', nodes: initializers.map((t, i) => ({ opType: 'Identity', domain: '', name: `n${i}`, inputs: [t.name], outputs: [`y${i}`], attributes: {} })),
      initializers, inputs: [],
      outputs: initializers.map((t, i) => ({ name: `y${i}`, type: t.dtype === 'unknown' ? { kind: 'tensor', dtype: 'unknown', dataType: t.dataType, shape: t.dims } : { kind: 'tensor', dtype: t.dtype, shape: t.dims } })),
      valueInfo: [],
    },
  } as OnnxModel;
}

function errorOf(fn: () => unknown): Error {
  try { fn(); } catch (e) { return e as Error; }
  throw new Error('expected a throw');
}

describe.skipIf(cases.length === 0)('conformance data (libonnx-testdata)', () => {
  test('every model.onnx reads and round-trips: read(write(read(x))) equals read(x)', () => {
    let graphsWithSubgraphs = 0;
    for (const c of cases) {
      const m = readModel(c.model);
      const again = readModel(writeModel(m));
      expect(again, c.model).toEqual(m);
      if (m.graph.nodes.some((n) => Object.values(n.attributes).some((a) => a.type === 'graph' || a.type === 'graphs'))) graphsWithSubgraphs++;
    }
    console.log(`models read and round-tripped: ${cases.length} (${graphsWithSubgraphs} with subgraphs)`);
    expect(cases.length).toBeGreaterThan(1000);
  });

  test('every tensor input_N/output_N.pb reads; sequence/optional ones fail with InvalidModelError or are skipped', () => {
    let read = 0, nonTensor = 0;
    const mismatched: string[] = [];
    for (const c of cases) {
      const m = readModel(c.model);
      const ins = fedInputs(m);
      for (const ds of c.dataSets) {
        for (const [files, infos] of [[ds.inputs, ins], [ds.outputs, m.graph.outputs]] as const) {
          files.forEach((f, i) => {
            if (!isTensor(infos[i])) { nonTensor++; return; }
            const t = readTensor(f);
            const declared = (infos[i].type as { dtype: string }).dtype;
            if (t.dtype !== declared) mismatched.push(`${declared}<-${t.dtype}`);
            read++;
          });
        }
      }
    }
    console.log(`tensor .pb files read: ${read}; non-tensor (sequence/optional) files skipped: ${nonTensor}`);
    // ONNX 1.12's generator stored the bfloat16 cast cases' data as uint16 tensors: a quirk of the data, not of the reader.
    expect(new Set(mismatched)).toEqual(new Set(['bfloat16<-uint16']));
    expect(read).toBeGreaterThan(2500);
  });
});

describe('tensor encodings', () => {
  const typed: [OnnxTensor['dtype'], Record<string, unknown>, ArrayLike<number | bigint>][] = [
    ['float32', { floatData: [1.5, -2, 0, 3.25] }, new Float32Array([1.5, -2, 0, 3.25])],
    ['uint8', { int32Data: [0, 255, 7, 128] }, new Uint8Array([0, 255, 7, 128])],
    ['int8', { int32Data: [-128, 127, 0, -1] }, new Int8Array([-128, 127, 0, -1])],
    ['uint16', { int32Data: [0, 65535, 1, 2] }, new Uint16Array([0, 65535, 1, 2])],
    ['int16', { int32Data: [-32768, 32767, 0, -5] }, new Int16Array([-32768, 32767, 0, -5])],
    ['int32', { int32Data: [-2147483648, 2147483647, 0, 9] }, new Int32Array([-2147483648, 2147483647, 0, 9])],
    ['int64', { int64Data: [-(2n ** 63n), 2n ** 63n - 1n, 0n, 5n] }, new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, 5n])],
    ['bool', { int32Data: [1, 0, 1, 1] }, new Uint8Array([1, 0, 1, 1])],
    ['float16', { int32Data: [0x3c00, 0xbc00, 0x7c00, 0] }, new Uint16Array([0x3c00, 0xbc00, 0x7c00, 0])],
    ['bfloat16', { int32Data: [0x3f80, 0, 0xff80, 1] }, new Uint16Array([0x3f80, 0, 0xff80, 1])],
    ['float64', { doubleData: [1e300, -0.5, 0, 2] }, new Float64Array([1e300, -0.5, 0, 2])],
    ['uint32', { uint64Data: [0n, 4294967295n, 1n, 2n] }, new Uint32Array([0, 4294967295, 1, 2])],
    ['uint64', { uint64Data: [0n, 2n ** 64n - 1n, 1n, 2n] }, new BigUint64Array([0n, 2n ** 64n - 1n, 1n, 2n])],
    ['complex64', { floatData: [1, 2, 3, 4, 5, 6, 7, 8] }, new Float32Array([1, 2, 3, 4, 5, 6, 7, 8])],
  ];
  const codes: Record<string, number> = { float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11, uint32: 12, uint64: 13, complex64: 14, bfloat16: 16 };

  test.each(typed)('%s: raw_data and the typed field give the same values', (dtype, fields, expected) => {
    const dims = [2n, 2n];
    const fromTyped = readTensor(toBinary(TensorProtoSchema, create(TensorProtoSchema, { name: 't', dims, dataType: codes[dtype], ...fields })));
    const e = expected as unknown as ArrayBufferView;
    const raw = new Uint8Array(e.buffer, e.byteOffset, e.byteLength).slice();
    const fromRaw = readTensor(toBinary(TensorProtoSchema, create(TensorProtoSchema, { name: 't', dims, dataType: codes[dtype], rawData: raw })));
    expect(fromTyped).toEqual({ name: 't', dtype, dims: [2, 2], data: expected });
    expect(fromRaw).toEqual(fromTyped);
  });

  test('strings and unknown data types', () => {
    const s = readTensor(toBinary(TensorProtoSchema, create(TensorProtoSchema, { name: 's', dims: [2n], dataType: 8, stringData: [new TextEncoder().encode('héllo'), new Uint8Array()] })));
    expect(s).toEqual({ name: 's', dtype: 'string', dims: [2], data: ['héllo', ''] });
    const u = readTensor(toBinary(TensorProtoSchema, create(TensorProtoSchema, { name: 'u', dims: [3n], dataType: 99, rawData: new Uint8Array([1, 2, 3]) })));
    expect(u).toEqual({ name: 'u', dtype: 'unknown', dataType: 99, dims: [3], data: new Uint8Array([1, 2, 3]) });
    const m = tinyModel([s, u]);
    expect(readModel(writeModel(m))).toEqual(m);
  });
});

describe('zero copy', () => {
  const weights = Float32Array.from({ length: 1024 }, (_, i) => i * 0.5 - 7);

  test('an aligned float initializer is a view into the input bytes; a misaligned one is an equal copy', () => {
    const bytes = writeModel(tinyModel([{ name: 'w', dtype: 'float32', dims: [32, 32], data: weights }]));
    const at = Buffer.from(bytes).indexOf(Buffer.from(weights.buffer));
    expect(at).toBeGreaterThan(0);
    for (const shift of [0, 1, 2, 3]) {
      const ab = new ArrayBuffer(bytes.length + shift);
      const input = new Uint8Array(ab, shift);
      input.set(bytes);
      const w = readModel(input).graph.initializers[0].data as Float32Array;
      expect(w).toEqual(weights);
      // A Node Buffer input too (its slice() is a view, a trap for the copying path).
      expect(readModel(Buffer.from(ab, shift)).graph.initializers[0].data).toEqual(weights);
      expect(w.buffer === ab).toBe((at + shift) % 4 === 0);
      if (w.buffer === ab) expect(w.byteOffset).toBe(at + shift);
    }
  });

  test('a 64 MB model reads without copying its weights', () => {
    const big = new Float32Array(16 << 20);
    for (let i = 0; i < big.length; i += 4099) big[i] = i;
    const w0 = performance.now();
    const bytes = writeModel(tinyModel([{ name: 'big', dtype: 'float32', dims: [big.length], data: big }]));
    const writeMs = performance.now() - w0;
    const t0 = performance.now();
    const w = readModel(bytes).graph.initializers[0].data as Float32Array;
    const ms = performance.now() - t0;
    console.log(`readModel of ${(bytes.length / 2 ** 20).toFixed(0)} MB: ${ms.toFixed(2)} ms, weights ${w.buffer === bytes.buffer ? 'shared' : 'copied'}; writeModel ${writeMs.toFixed(0)} ms`);
    expect(w.buffer).toBe(bytes.buffer);
    expect(w.byteOffset % 16).toBe(0);
    expect(w[4099 * 7]).toBe(4099 * 7);
    expect(ms).toBeLessThan(200);
  });
});

describe('external data', () => {
  test('large initializers go to an aligned external file and read back as views', () => {
    const dir = tmp();
    const a = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i));
    const b = new Int8Array([1, -2, 3]);
    const c = BigInt64Array.from({ length: 70 }, (_, i) => BigInt(i) * 10n ** 12n);
    const model = tinyModel([
      { name: 'a', dtype: 'float32', dims: [300], data: a },
      { name: 'b', dtype: 'int8', dims: [3], data: b },
      { name: 'c', dtype: 'int64', dims: [7, 10], data: c },
    ]);
    const path = join(dir, 'm.onnx');
    writeModel(model, { path, externalDataThreshold: 100 });
    expect(readdirSync(dir).sort()).toEqual(['m.onnx', 'm.onnx.data']);
    expect(readFileSync(path).length).toBeLessThan(1000);
    const back = readModel(path);
    expect(back).toEqual(model);
    const ext = back.graph.initializers.filter((t) => t.name !== 'b').map((t) => (t.data as Float32Array).byteOffset % 64);
    expect(ext).toEqual([0, 0]);
    // From bytes, external data needs the directory.
    expect(readModel(readFileSync(path), { baseDir: dir })).toEqual(model);
    const e = errorOf(() => readModel(readFileSync(path)));
    expect(e).toBeInstanceOf(InvalidModelError);
    expect(e.message).toMatch(/baseDir.*initializer 'a'/);
  });

  test('missing files, escaping paths and out-of-range offsets are InvalidModelError naming the tensor', () => {
    const dir = tmp();
    const ext = (entries: Record<string, string>) => {
      const t = create(TensorProtoSchema, { name: 'w', dims: [4n], dataType: 1, dataLocation: TensorProto_DataLocation.EXTERNAL, externalData: Object.entries(entries).map(([key, value]) => ({ key, value })) });
      return toBinary(TensorProtoSchema, t);
    };
    writeFileSync(join(dir, 'w.bin'), new Uint8Array(20));
    expect(readTensor(ext({ location: 'w.bin', offset: '4', length: '16' }), { baseDir: dir }).data).toEqual(new Float32Array(4));
    const cases: [Record<string, string>, RegExp][] = [
      [{ location: 'nope.bin' }, /external data file 'nope.bin'.*tensor 'w'.*ENOENT/],
      [{ location: '../w.bin' }, /inside the model directory.*tensor 'w'.*'\.\.\/w\.bin'/],
      [{ location: '/etc/passwd' }, /inside the model directory/],
      [{ location: 'w.bin', offset: '8', length: '16' }, /offset 8 and length 16 within external data file 'w.bin' of 20 bytes/],
      [{ location: 'w.bin', offset: 'x' }, /non-negative integer for external_data 'offset'/],
      [{ location: 'w.bin', length: '12' }, /Expected 16 bytes of external data for tensor 'w'.*received 12/],
      [{ offset: '0' }, /'location' entry/],
    ];
    for (const [entries, message] of cases) {
      const e = errorOf(() => readTensor(ext(entries), { baseDir: dir }));
      expect(e, JSON.stringify(entries)).toBeInstanceOf(InvalidModelError);
      expect((e as InvalidModelError).code).toBe('INVALID_MODEL');
      expect(e.message).toMatch(message);
    }
  });
});

describe('bad input', () => {
  const model = tinyModel([{ name: 'w', dtype: 'float32', dims: [2, 3], data: new Float32Array(6) }]);

  test('truncated protobuf, wrong data lengths, bad dims: InvalidModelError naming what and the rule', () => {
    const bytes = writeModel(model);
    const t = errorOf(() => readModel(bytes.subarray(0, bytes.length - 5)));
    expect(t).toBeInstanceOf(InvalidModelError);
    expect(t.message).toMatch(/valid protobuf ModelProto in the ONNX model bytes/);
    const tensor = (init: Record<string, unknown>) => toBinary(TensorProtoSchema, create(TensorProtoSchema, { name: 'x', dataType: 1, ...init }));
    const rules: [Uint8Array, RegExp][] = [
      [tensor({ dims: [2n, 3n], rawData: new Uint8Array(20) }), /Expected 24 bytes of raw_data for tensor 'x'.*\(float32, dims \[2, 3\]\) but received 20/],
      [tensor({ dims: [2n, 3n], floatData: [1, 2] }), /Expected 6 values in float_data for tensor 'x'.*received 2/],
      [tensor({ dims: [-1n] }), /non-negative safe integer for dims\[0\] of tensor 'x'/],
      [tensor({ dims: [2n ** 40n, 2n ** 40n] }), /element count below 2\^53/],
      [tensor({ dims: [1n], dataType: 8, rawData: new Uint8Array(1) }), /string_data for string tensor 'x'/],
    ];
    for (const [b, message] of rules) {
      const e = errorOf(() => readTensor(b));
      expect(e).toBeInstanceOf(InvalidModelError);
      expect(e.message).toMatch(message);
    }
    const missing = errorOf(() => readModel(join(tmp(), 'none.onnx')));
    expect(missing).toBeInstanceOf(InvalidModelError);
    expect(missing.message).toMatch(/readable ONNX model file.*ENOENT/);
  });

  test('a bad tensor inside a subgraph is named with its graph and node, reading and writing', () => {
    const sub = { ...model.graph, name: 'body' };
    const outer: OnnxModel = { ...model, graph: { ...model.graph, nodes: [{ opType: 'If', domain: '', name: 'cond', inputs: ['c'], outputs: ['y'], attributes: { then_branch: { type: 'graph', value: sub } } }] } };
    const proto = fromBinary(ModelProtoSchema, writeModel(outer));
    proto.graph!.node[0].attribute[0].g!.initializer[0].dims = [7n];
    const r = errorOf(() => readModel(toBinary(ModelProtoSchema, proto)));
    expect(r).toBeInstanceOf(InvalidModelError);
    expect(r.message).toMatch(/Expected 28 bytes of raw_data for initializer 'w' of graph 'body' in attribute 'then_branch' of node 0 \('cond', If\) of graph 'g' of the ONNX model bytes \(float32, dims \[7\]\) but received 24/);
    const bad = readModel(writeModel(outer));
    (bad.graph.nodes[0].attributes.then_branch.value as OnnxGraph).initializers[0].dims = [7];
    const w = errorOf(() => writeModel(bad));
    expect(w).toBeInstanceOf(InvalidArgumentError);
    expect(w.message).toMatch(/initializer 'w' of graph 'body' in attribute 'then_branch' of node 0 \('cond', If\)/);
  });

  test('writeModel rejects data that disagree with dtype or dims, and a threshold without a path', () => {
    const e = errorOf(() => writeModel(tinyModel([{ name: 'w', dtype: 'float32', dims: [2], data: new Int32Array(2) }])));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toMatch(/a Float32Array of length 2 for data of initializer 'w' of graph 'g' but received Int32Array\(2\)/);
    expect(() => writeModel(model, { externalDataThreshold: 10 })).toThrow(InvalidArgumentError);
    expect(() => writeModel(tinyModel([{ name: 'w', dtype: 'float32', dims: [1.5], data: new Float32Array(1) }]))).toThrow(/non-negative integers for dims of initializer 'w'/);
    const withAttr = (value: number) => ({ ...model, graph: { ...model.graph, nodes: [{ ...model.graph.nodes[0], attributes: { axis: { type: 'int' as const, value } } }] } });
    expect(() => writeModel(withAttr(0.5))).toThrow(/int64 values .* for attribute 'axis' of node 0 \('n0', Identity\).*received 0.5/);
  });
});

// buf ships per-platform binaries as optional packages; where none installed, there is nothing to compare with.
const buf = join('node_modules', '.bin', 'buf');
const hasBuf = spawnSync(buf, ['--version'], { stdio: 'ignore' }).status === 0;

test.skipIf(!hasBuf)('the committed generated code matches proto/onnx.proto (npm run gen:onnx)', () => {
  const out = tmp();
  execFileSync(buf, ['generate', '-o', out], { stdio: 'pipe' });
  const gen = join('src', 'onnx', 'gen');
  for (const f of readdirSync(gen)) expect(readFileSync(join(out, gen, f), 'utf8'), f).toBe(readFileSync(join(gen, f), 'utf8'));
  expect(readdirSync(join(out, gen))).toEqual(readdirSync(gen));
});
