// EntropyObserver's refinements of TensorRT's search: exact zeros (ReLU's spike) do not move the
// threshold, and non-negative data under an affine u8 range is searched with 256 levels.
import { expect, it } from 'vitest';
import { EntropyObserver } from '../src';
import { rng } from './support/random';

const laplace = (seed: number, n: number) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => Math.abs(-Math.log(1 - r.float(0, 1))));
};

it('ignores exact zeros: ReLU-like data picks the threshold of its non-zero part', () => {
  const positive = laplace(1, 20000);
  const withZeros = new Float32Array(40000);
  withZeros.set(positive, 20000); // half the values are exact zeros, as after a ReLU
  const a = new EntropyObserver({ dtype: 'quint8', qscheme: 'per_tensor_affine' });
  const b = new EntropyObserver({ dtype: 'quint8', qscheme: 'per_tensor_affine' });
  a.observe(positive, [positive.length]);
  b.observe(withZeros, [withZeros.length]);
  expect(b.threshold().threshold).toBe(a.threshold().threshold);
  expect(Array.from(b.calculateQParams().scale)).toEqual(Array.from(a.calculateQParams().scale));
});

it('searches non-negative data under u8 affine with all 256 levels, and signed data with 128', () => {
  const pos = new EntropyObserver({ dtype: 'quint8', qscheme: 'per_tensor_affine' });
  pos.observe(laplace(2, 5000), [5000]);
  expect(pos.searchLevels()).toBe(256);
  const signed = new EntropyObserver({ dtype: 'quint8', qscheme: 'per_tensor_affine' });
  signed.observe(Float32Array.from(laplace(3, 5000), (v, i) => (i % 2 ? v : -v)), [5000]);
  expect(signed.searchLevels()).toBe(128);
  const symmetric = new EntropyObserver({ dtype: 'qint8', qscheme: 'per_tensor_symmetric' });
  symmetric.observe(laplace(4, 5000), [5000]);
  expect(symmetric.searchLevels()).toBe(128);
});
