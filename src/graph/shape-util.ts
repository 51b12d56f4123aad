import type { Node } from './ir';

/** Thrown by shape inference and folding; the caller wraps it with node and model context. */
export class ShapeError extends Error {}

/** An op needs input `index` as a constant; specialisation binds it when it is a graph input. */
export class NeedsConstant extends ShapeError {
  constructor(readonly index: number, what: string) {
    super(`expected input ${index} (${what}) to be a constant (computable before running) but it depends on run-time data`);
  }
}

export function fail(rule: string): never {
  throw new ShapeError(rule);
}

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) fail(`expected ${what} in [${-rank}, ${rank - 1}] but received ${axis}`);
  return a;
}

/** Multidirectional (numpy) broadcasting of any number of shapes. */
export function broadcast(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const x = s[s.length - rank + i] ?? 1;
      if (x === 1) continue;
      if (d !== 1 && d !== x) fail(`expected broadcastable shapes but received ${shapes.map((s) => `[${s}]`).join(' and ')}`);
      d = x;
    }
    out.push(d);
  }
  return out;
}

export const intsAttr = (n: Node, name: string, def?: number[]): number[] | undefined =>
  Array.isArray(n.attrs[name]) ? (n.attrs[name] as number[]) : def;
export const intAttr = (n: Node, name: string, def: number): number =>
  typeof n.attrs[name] === 'number' ? (n.attrs[name] as number) : def;
export const strAttr = (n: Node, name: string, def: string): string =>
  typeof n.attrs[name] === 'string' ? (n.attrs[name] as string) : def;
