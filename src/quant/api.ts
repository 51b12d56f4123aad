/**
 * TEMPORARY STUB of the high-level quantizer API (issue 4), written on the CLI branch so that
 * `int8kit quantize` compiles against the agreed signatures. The real src/quant/api.ts replaces this
 * file at merge. quantizeStatic is wired to the prepare/calibrate/convert flow already on main with a
 * plain MinMax observer (qconfig, observer and perChannel are not honoured); dynamic and fp16 throw.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError } from '../errors';
import { graphFromOnnx } from '../graph/from-onnx';
import type { Graph } from '../graph/ir';
import { graphToOnnx } from '../graph/to-onnx';
import { readModel, writeModel } from '../onnx';
import { calibrate, type Feeds } from './calibrate';
import { convert } from './convert';
import { MinMaxObserver } from './observers/min-max';
import { prepare } from './prepare';

/** True only in this stub: tests that need the real quantizer skip on it. */
export const QUANTIZER_STUB = true;

export type QConfigName = 'fbgemm' | 'x86' | 'qnnpack' | 'symmetric' | 'pow2';
export type ObserverName = 'minmax' | 'moving-avg' | 'histogram' | 'percentile' | 'entropy' | 'mse' | 'pow2';
export type { Feeds };

export interface QuantizedModel {
  graph: Graph;
  toBytes(): Uint8Array;
  save(path: string): void;
  sizeReport(): { fp32Bytes: number; quantizedBytes: number; ratio: number };
}

export interface QuantizeStaticOptions {
  calibration: Iterable<Feeds> | AsyncIterable<Feeds>;
  qconfig?: QConfigName;
  observer?: ObserverName;
  perChannel?: boolean;
  exclude?: { nodes?: string[]; opTypes?: string[] };
  onProgress?: (samples: number) => void;
  signal?: AbortSignal;
}

function toGraph(model: string | Uint8Array | Graph): { graph: Graph; bytes: number } {
  if (typeof model === 'string' || model instanceof Uint8Array) {
    const bytes = typeof model === 'string' ? readFileSync(model) : model;
    return { graph: graphFromOnnx(readModel(bytes)), bytes: bytes.length };
  }
  return { graph: model, bytes: writeModel(graphToOnnx(model)).length };
}

function quantizedModel(graph: Graph, fp32Bytes: number): QuantizedModel {
  const toBytes = () => writeModel(graphToOnnx(graph));
  return {
    graph,
    toBytes,
    save: (path) => writeFileSync(path, toBytes()),
    sizeReport: () => {
      const quantizedBytes = toBytes().length;
      return { fp32Bytes, quantizedBytes, ratio: fp32Bytes / quantizedBytes };
    },
  };
}

export async function quantizeStatic(model: string | Uint8Array | Graph, options: QuantizeStaticOptions): Promise<QuantizedModel> {
  const { graph, bytes } = toGraph(model);
  const p = prepare(graph, { observer: (v) => new MinMaxObserver({ dtype: 'quint8', name: v[0] }), exclude: options.exclude });
  await calibrate(p, options.calibration, { onProgress: options.onProgress, signal: options.signal });
  return quantizedModel(convert(p), bytes);
}

export async function quantizeDynamic(_model: string | Uint8Array | Graph, _options?: { opTypes?: string[]; perChannel?: boolean }): Promise<QuantizedModel> {
  throw new InvalidArgumentError('Expected the real quantizer for --mode dynamic but received the stub of src/quant/api.ts');
}

export async function convertFloat16(_model: string | Uint8Array | Graph): Promise<QuantizedModel> {
  throw new InvalidArgumentError('Expected the real quantizer for --mode fp16 but received the stub of src/quant/api.ts');
}
