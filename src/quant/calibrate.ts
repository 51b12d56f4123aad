/**
 * calibrate(): runs the prepared float graph on sample feeds and streams every observed value into
 * its group's observer. The values are tapped as extra outputs of one Session; each sample's
 * tensors are dropped once observed, so memory stays bounded however many samples are given.
 */
import type { Graph } from '../graph/ir';
import { Session, type SessionOptions } from '../runtime/session';
import type { Tensor } from '../runtime/tensor';
import { Int8kitError, invalid } from '../errors';
import type { PreparedModel } from './prepare';

export type Feeds = Record<string, Tensor>;

export interface CalibrateOptions extends Pick<SessionOptions, 'backend' | 'threads'> {
  /** Called after each sample with the number of samples observed so far. */
  onProgress?: (samples: number) => void;
  /** Stops calibration between samples; calibrate() then rejects with a CalibrationAbortedError. */
  signal?: AbortSignal;
}

/** calibrate() was stopped through its AbortSignal. */
export class CalibrationAbortedError extends Int8kitError {
  constructor(samples: number) {
    super('ABORTED', `Calibration was aborted after ${samples} samples`);
  }
}

/** The prepared graph with every observed value that is not already an input or output as an output. */
function tappedGraph(p: PreparedModel): Graph {
  const g = p.graph;
  const present = new Set([...g.inputs.map((i) => i.name), ...g.outputs.map((o) => o.name)]);
  const taps = [...p.groupOf.keys()].filter((v) => !present.has(v) && !g.initializers.has(v));
  return { ...g, outputs: [...g.outputs, ...taps.map((name) => ({ name }))] };
}

/** @returns the number of samples observed. */
export async function calibrate(
  prepared: PreparedModel,
  data: Iterable<Feeds> | AsyncIterable<Feeds>,
  options: CalibrateOptions = {},
): Promise<number> {
  if (!data || !(Symbol.iterator in Object(data) || Symbol.asyncIterator in Object(data)))
    throw invalid('calibration data', 'an iterable or async iterable of input feeds', data);
  const session = await Session.create(tappedGraph(prepared), { backend: options.backend, threads: options.threads });
  let samples = 0;
  try {
    for await (const feeds of data as AsyncIterable<Feeds>) {
      if (options.signal?.aborted) throw new CalibrationAbortedError(samples);
      const out = await session.run(feeds);
      const values: Feeds = { ...feeds, ...out };
      for (const [name, group] of prepared.groupOf) {
        const t = values[name];
        if (!t) continue; // values a fused activation hides, or outside this graph
        if (t.type !== 'float32') throw invalid(`observed value "${name}"`, 'a float32 tensor', t.type);
        prepared.observers[group].observe(t.data as Float32Array, t.dims);
      }
      samples++;
      options.onProgress?.(samples);
    }
    if (options.signal?.aborted) throw new CalibrationAbortedError(samples);
  } finally {
    session.release();
  }
  if (samples === 0) throw invalid('calibration data', 'at least one sample', 'none');
  return samples;
}
