import { info, type IsaStatus } from '../../src';

/** Every ISA of every backend as reported by the backends themselves (available or not). */
export async function backendIsas(): Promise<{ backend: string; isa: IsaStatus }[]> {
  const i = await info();
  return i.backends.flatMap((b) => {
    if (!b.available) throw new Error(`backend ${b.name} is unavailable: ${b.reason}`);
    return (b.isas ?? []).map((isa) => ({ backend: b.name, isa }));
  });
}

/** First index where two arrays differ, or -1. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
