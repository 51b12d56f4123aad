// Taps: a model run with some intermediate values made graph outputs (on a copy of the graph).
import type { Graph } from '../graph/ir';
import { Session, type SessionOptions } from '../runtime/session';
import type { Tensor } from '../runtime/tensor';
import { withOutputs } from './graph-edit';

/**
 * One sample: a {@link Tensor} per model input name.
 * @inline
 */
export type Feeds = Record<string, Tensor>;

/** A session of `graph` whose outputs are its own followed by `names`. */
export function tapSession(graph: Graph, names: readonly string[], options: SessionOptions): Promise<Session> {
  return Session.create(withOutputs(graph, names), options);
}

/** A run output's float32 data, or undefined when missing or of another dtype. */
export function floatData(out: Record<string, Tensor>, name: string): Float32Array | undefined {
  const t = out[name];
  return t && t.type === 'float32' ? (t.data as Float32Array) : undefined;
}
