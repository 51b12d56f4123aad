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

/** One sample: a {@link Tensor} per model input name. */
export type Feeds = Record<string, Tensor>;

/** Options of {@link calibrate} (and of {@link quantizeStatic}); backend and threads run the float model. */
export interface CalibrateOptions extends Pick<SessionOptions, 'backend' | 'threads'> {
  /** Called after each sample with the number of samples observed so far. */
  onProgress?: (samples: number) => void;
  /** Stops calibration between samples; calibrate() then rejects with a CalibrationAbortedError. */
  signal?: AbortSignal;
}

/** calibrate() was stopped through its AbortSignal. */
export class CalibrationAbortedError extends Int8kitError {
  /** @param samples How many samples were observed before the abort. */
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

/**
 * Runs the prepared float graph on each sample and feeds every observed value to its observer.
 * @param prepared From {@link prepare}.
 * @param data Any iterable or async iterable of feeds.
 * @param options Backend, threads, progress callback and abort signal.
 * @returns the number of samples observed.
 * @throws {@link InvalidArgumentError} when data is not an iterable of feeds or is empty, feeds do not match
 *   the model's inputs, an observed value is not float32, or it holds NaN/Infinity (unless the observer skips them).
 * @throws {@link CalibrationAbortedError} when options.signal aborts.
 * @throws {@link UnsupportedOpError} when the graph uses an op int8kit cannot run.
 * @throws {@link InvalidGraphError} for cycles, missing values or shapes that do not agree.
 * @throws {@link BackendUnavailableError} when the requested backend (or none) can load.
 */
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
