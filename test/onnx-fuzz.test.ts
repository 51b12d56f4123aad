/**
 * Seeded fuzzing of the ONNX readers: thousands of truncated, bit-flipped, overwritten and spliced model and
 * tensor files. Each must either read (and then write and read back to the same object) or throw
 * InvalidModelError, quickly; any other exception is a bug.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { InvalidModelError } from '../src/errors';
import { readModel, readTensor, writeModel } from '../src/onnx';
import { conformanceCases } from './support/onnx-conformance';
import { rng } from './support/random';

const cases = conformanceCases();
const MUTANTS = 10_000;
/** Per file: a healthy read takes milliseconds (the sources are at most a few hundred KB); generous for loaded CI machines, still far from a hang. */
const TIME_BOUND_MS = 2000;

type R = ReturnType<typeof rng>;

function mutate(src: Uint8Array, r: R): Uint8Array {
  const b = new Uint8Array(src);
  const pos = () => r.int(0, b.length - 1);
  switch (r.int(0, 5)) {
    case 0: return b.subarray(0, r.int(0, b.length - 1));
    case 1: for (let k = r.int(1, 4); k > 0; k--) b[pos()] ^= 1 << r.int(0, 7); return b;
    case 2: for (let k = r.int(1, 8); k > 0; k--) b[pos()] = r.int(0, 255); return b;
    // 0xff bytes make varint lengths and tags huge: the allocation and length traps.
    case 3: for (let k = r.int(1, 3); k > 0; k--) b[pos()] = 0xff; return b;
    case 4: {
      const at = pos(), from = pos(), n = r.int(1, 64);
      const out = new Uint8Array(b.length + n);
      out.set(b.subarray(0, at)); out.set(b.subarray(from, from + n), at); out.set(b.subarray(at), at + n);
      return out.subarray(0, b.length + Math.min(n, b.length - from));
    }
    default: { const at = pos(); b.copyWithin(at, pos(), pos()); return b; }
  }
}

function outcome(fn: () => unknown): 'ok' | 'invalid' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof InvalidModelError) return 'invalid';
    throw e;
  }
}

function varint(n: number): number[] {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return out;
}

/** A ModelProto whose graph nests If-like attribute graphs `depth` deep, built without recursion. */
function nestedModel(depth: number): Uint8Array {
  const prefixes: number[][] = [];
  let inner = 0; // an empty GraphProto
  for (let d = 0; d < depth; d++) {
    const attr = [0x32, ...varint(inner)]; // AttributeProto.g = 6
    const node = [0x2a, ...varint(attr.length + inner)]; // NodeProto.attribute = 5
    const graph = [0x0a, ...varint(node.length + attr.length + inner)]; // GraphProto.node = 1
    prefixes.push(attr, node, graph);
    inner += attr.length + node.length + graph.length;
  }
  prefixes.push([0x3a, ...varint(inner)]); // ModelProto.graph = 7
  return Uint8Array.from(prefixes.reverse().flat());
}

test('deeply nested subgraphs are InvalidModelError, not a stack overflow', () => {
  for (const depth of [10, 300, 100_000]) {
    const bytes = nestedModel(depth);
    const result = outcome(() => readModel(bytes));
    console.log(`nesting ${depth}: ${result}`);
    if (depth <= 300) expect(result).toBe('ok');
    if (depth === 100_000) expect(() => readModel(bytes)).toThrow(/ModelProto.*maximum recursion depth of 1000/);
  }
});

describe.skipIf(cases.length === 0)('fuzzing the ONNX readers', () => {
  // Sources with subgraphs, initializers, strings and plain nodes: every 20th case plus all with If/Loop/Scan.
  const sources = cases.filter((c, i) => i % 20 === 0 || /test_(if|loop|scan)/.test(c.name)).map((c) => readFileSync(c.model));
  const baseDir = mkdtempSync(join(tmpdir(), 'int8kit-onnx-fuzz-'));

  test(`${MUTANTS} mutated models: readModel returns or throws InvalidModelError within ${TIME_BOUND_MS} ms`, () => {
    const r = rng(20261123);
    const counts = { ok: 0, invalid: 0 };
    let slowest = 0;
    for (let i = 0; i < MUTANTS; i++) {
      const bytes = mutate(r.pick(sources), r);
      const t0 = performance.now();
      let result: 'ok' | 'invalid';
      try {
        result = outcome(() => {
          const m = readModel(bytes, { baseDir });
          // What reads must write and read back unchanged.
          expect(readModel(writeModel(m), { baseDir })).toEqual(m);
        });
      } catch (e) {
        throw new Error(`mutant ${i} (seed 20261123) threw ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
      }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      expect(ms, `mutant ${i}`).toBeLessThan(TIME_BOUND_MS);
      counts[result]++;
    }
    console.log(`readModel fuzz: ${counts.ok} read, ${counts.invalid} InvalidModelError, slowest ${slowest.toFixed(1)} ms (from ${sources.length} sources)`);
    expect(counts.invalid).toBeGreaterThan(MUTANTS / 4);
  }, 120_000);

  test('2000 mutated tensor files: readTensor returns or throws InvalidModelError', () => {
    const r = rng(7);
    const pbs = cases.filter((_, i) => i % 10 === 0).flatMap((c) => c.dataSets[0]?.inputs.slice(0, 1) ?? []).map((f) => readFileSync(f));
    const counts = { ok: 0, invalid: 0 };
    for (let i = 0; i < 2000; i++) counts[outcome(() => readTensor(mutate(r.pick(pbs), r), { baseDir }))]++;
    console.log(`readTensor fuzz: ${counts.ok} read, ${counts.invalid} InvalidModelError`);
    expect(counts.invalid).toBeGreaterThan(200);
  });
});
