// Taps: a model run on every sample with some intermediate values made graph outputs, collected
// per value (one Tensor per sample).
import type { Graph } from '../graph/ir';
import { Session, type SessionOptions } from '../runtime/session';
import type { Tensor } from '../runtime/tensor';
import { withOutputs } from './graph-edit';

export type Feeds = Record<string, Tensor>;
export type Taps = Map<string, Tensor[]>;

/** Runs `graph` (a copy with `names` added as outputs) on each sample; returns every output per sample. */
export async function runTaps(graph: Graph, samples: readonly Feeds[], names: readonly string[], options: SessionOptions): Promise<Taps> {
  const session = await Session.create(withOutputs(graph, names), options);
  try {
    const taps: Taps = new Map(session.outputNames.map((n) => [n, []]));
    for (const feeds of samples) {
      const out = await session.run(feeds);
      for (const [name, list] of taps) list.push(out[name]);
    }
    return taps;
  } finally {
    session.release();
  }
}

/** A tapped value's float data over all samples, or undefined when it is missing or not float32. */
export function floats(taps: Taps, name: string): Float32Array[] | undefined {
  const list = taps.get(name);
  if (!list || list.some((t) => !t || t.type !== 'float32')) return undefined;
  return list.map((t) => t.data as Float32Array);
}
