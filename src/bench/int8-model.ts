// The INT8 model `int8kit bench` runs next to the FP32 one: quantized on the spot (--quantize:
// static on calibration data or on generated inputs, or dynamic) or read from a file (--int8).
import { readFileSync } from 'node:fs';
import { calibrationFeeds } from '../data/calibration';
import { InvalidArgumentError } from '../errors';
import type { Graph } from '../graph/ir';
import { quantizeDynamic, quantizeStatic, type Feeds, type ModelSource } from '../quant/api';
import { generatedFeeds } from './feeds';

export type QuantizeMode = 'static' | 'dynamic';

/** How the INT8 model came about, for the report (and the JSON's "int8" field). */
export type Int8Source =
  | { source: 'file'; path: string }
  | { source: 'quantize'; mode: 'dynamic' }
  | { source: 'quantize'; mode: 'static'; calibration: 'generated' | 'file'; calib?: string; samples: number };

export interface Int8Request {
  /** --int8 QMODEL: an already quantized model (QDQ, QOperator or dynamic). */
  file?: string;
  /** --quantize: quantize MODEL here. */
  quantize?: { mode?: QuantizeMode; calib?: string; samples?: number };
}

/** Calibration samples generated when --quantize has no --calib. */
export const GENERATED_CALIBRATION_SAMPLES = 8;

/** Dynamic for models without convolutions (transformers: weights-only int8 MatMuls), else static. */
export function defaultMode(graph: Graph): QuantizeMode {
  return graph.nodes.some((n) => n.opType === 'Conv') ? 'static' : 'dynamic';
}

/** Static calibration data: --calib DATA through the `quantize` command's loaders, else generated inputs. */
function calibration(graph: Graph, shapes: Record<string, number[]>, calib: string | undefined, samples: number | undefined): { feeds: AsyncIterable<Feeds> | Iterable<Feeds>; count: number } {
  if (calib !== undefined) {
    const feeds = calibrationFeeds(calib, graph, { samples });
    return { feeds, count: feeds.count };
  }
  const count = samples ?? GENERATED_CALIBRATION_SAMPLES;
  const inputs = graph.inputs.map((i) => ({ name: i.name, type: i.type.dtype, shape: i.type.shape }));
  // Seeds 1000+: different values from the inputs the benchmark runs on (seed 1).
  return { feeds: Array.from({ length: count }, (_, k) => generatedFeeds(inputs, shapes, 1000 + k)), count };
}

/**
 * The INT8 model's bytes and how it was made.
 * @param model the FP32 model as a path (external data resolves next to it) or a graph (built-ins).
 * @param graph the FP32 graph (for the default mode and the calibration inputs).
 * @param warn where notes go (stderr in the CLI): generated calibration data is said out loud.
 */
export async function int8Model(model: ModelSource, graph: Graph, request: Int8Request, shapes: Record<string, number[]>, warn: (note: string) => void): Promise<{ bytes: Uint8Array; int8: Int8Source }> {
  if (request.file !== undefined) return { bytes: readFileSync(request.file), int8: { source: 'file', path: request.file } };
  const q = request.quantize;
  if (!q) throw new InvalidArgumentError('Expected --quantize or --int8 QMODEL for an INT8 model but received neither');
  const mode = q.mode ?? defaultMode(graph);
  if (mode === 'dynamic') {
    if (q.calib !== undefined)
      throw new InvalidArgumentError(`Expected --mode static for --calib but received ${q.mode ? '--mode dynamic' : 'the default --mode dynamic (the model has no Conv)'}: dynamic quantization needs no calibration`);
    return { bytes: (await quantizeDynamic(model)).toBytes(), int8: { source: 'quantize', mode } };
  }
  const { feeds, count } = calibration(graph, shapes, q.calib, q.samples);
  if (q.calib === undefined)
    warn(`int8kit bench: calibrating on ${count} generated inputs (uniform random): the INT8 scales are not representative of real data, so time it but do not judge its accuracy; pass --calib DATA for real scales`);
  const quantized = await quantizeStatic(model, { calibration: feeds });
  return {
    bytes: quantized.toBytes(),
    int8: q.calib === undefined ? { source: 'quantize', mode, calibration: 'generated', samples: count } : { source: 'quantize', mode, calibration: 'file', calib: q.calib, samples: count },
  };
}
