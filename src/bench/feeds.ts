// Generated inputs for benchmarking and for calibrating without data: seeded, so every engine and
// every run of `int8kit bench` sees the same values.
import type { Dim } from '../graph/ir';
import { DTYPES, type DType } from '../plan/types';
import { Tensor } from '../runtime/tensor';

export interface InputSpec {
  name: string;
  type: DType;
  shape?: Dim[];
}

/** The dims an input is benchmarked at: `shapes[name]`, else its declared dims with symbolic ones as 1. */
export function inputDims(input: InputSpec, shapes: Record<string, number[]> = {}): number[] {
  return shapes[input.name] ?? (input.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
}

/**
 * Inputs for `inputs`: float32 uniform in [-1, 1), int64 in [0, 100) (token ids below any
 * vocabulary the built-in models use), other types zero.
 */
export function generatedFeeds(inputs: readonly InputSpec[], shapes: Record<string, number[]> = {}, seed = 1): Record<string, Tensor> {
  let state = seed >>> 0;
  const next = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return Object.fromEntries(inputs.map((m) => {
    const dims = inputDims(m, shapes);
    const n = dims.reduce((a, b) => a * b, 1);
    const data = m.type === 'int64' ? BigInt64Array.from({ length: n }, () => BigInt(Math.floor(next() * 100)))
      : m.type === 'float32' ? Float32Array.from({ length: n }, () => next() * 2 - 1) : new DTYPES[m.type].array(n);
    return [m.name, new Tensor(m.type, data as never, dims)];
  }));
}
