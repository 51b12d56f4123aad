// Reads the PyTorch 1.13 golden vectors kept in test/fixtures/golden (see its README.md for the conventions).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface F32Rec { repr: string; hex: string }

export function loadGolden<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'golden', name), 'utf8')) as T;
}

/** A float32 list from the JSON: numbers are exact float32 values; non-finite ones are the strings "inf" / "-inf". */
export function f32List(values: (number | string)[]): Float32Array {
  return Float32Array.from(values, (v) => (typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : v));
}

/** The float32 value of an f32rec, checked against its bit pattern. */
export function f32Rec(rec: F32Rec): number {
  const v = new Float32Array([Number(rec.repr)]);
  const bits = new Uint32Array(v.buffer)[0];
  if (bits !== Number(rec.hex)) throw new Error(`golden f32rec ${rec.repr} does not match ${rec.hex}`);
  return v[0];
}

/** Bit patterns, so that comparisons are exact (and tell -0 from 0). */
export function bits(values: ArrayLike<number>): number[] {
  return Array.from(new Uint32Array(Float32Array.from(values).buffer));
}
