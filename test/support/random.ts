import { rng as base } from '../../src/bench/random';

/** The package's seeded PRNG plus pick(), for tests. */
export function rng(seed: number) {
  const r = base(seed);
  return { ...r, pick: <T>(xs: readonly T[]) => xs[Math.floor(r.next() * xs.length)] };
}
