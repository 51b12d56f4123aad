/**
 * The quantizer's front door: quantizeStatic (prepare -> calibrate -> convert with a QConfig) and
 * quantizeDynamic (int8 weights, activations quantized per run), both returning a QuantizedModel
 * that saves standard ONNX and reports its size.
 */
import { statSync, writeFileSync } from 'node:fs';
import type { Graph } from '../graph/ir';
import { graphFromOnnx } from '../graph/from-onnx';
import { graphToOnnx } from '../graph/to-onnx';
import { readModel, writeModel } from '../onnx';
import { calibrate, type CalibrateOptions, type Feeds } from './calibrate';
import { convert } from './convert';
import { prepare } from './prepare';
import { qconfig as preset, type ObserverName, type QConfig, type QConfigName } from './qconfig';
import { dynamicQuantize } from './dynamic';

export type { Feeds } from './calibrate';

export interface SizeReport {
  /** Serialized ONNX bytes before and after. */
  fp32Bytes: number;
  quantizedBytes: number;
  /** fp32Bytes / quantizedBytes. */
  ratio: number;
}

export class QuantizedModel {
  constructor(readonly graph: Graph, private readonly fp32Bytes: number) {}
  toBytes(): Uint8Array {
    return writeModel(graphToOnnx(this.graph));
  }
  save(path: string): void {
    writeFileSync(path, this.toBytes());
  }
  sizeReport(): SizeReport {
    const quantizedBytes = this.toBytes().length;
    return { fp32Bytes: this.fp32Bytes, quantizedBytes, ratio: this.fp32Bytes / quantizedBytes };
  }
}

export type ModelSource = string | Uint8Array | Graph;

function load(model: ModelSource): { graph: Graph; bytes: number } {
  if (typeof model === 'string' || model instanceof Uint8Array) {
    const onnx = readModel(model);
    return { graph: graphFromOnnx(onnx), bytes: typeof model === 'string' ? statSync(model).size : model.length };
  }
  return { graph: model, bytes: writeModel(graphToOnnx(model)).length };
}

export interface QuantizeStaticOptions extends CalibrateOptions {
  /** Samples of the model's inputs: any iterable or async iterable of feeds (~100 is typical). */
  calibration: Iterable<Feeds> | AsyncIterable<Feeds>;
  /** A preset name or a QConfig (default fbgemm). */
  qconfig?: QConfigName | QConfig;
  /** Another activation observer for a preset. */
  observer?: ObserverName;
  /** Per-channel (default for fbgemm/symmetric) or per-tensor weights for a preset. */
  perChannel?: boolean;
  /** Nodes and op types kept in float. */
  exclude?: { nodes?: string[]; opTypes?: string[] };
}

/** Static post-training quantization to QDQ ONNX. */
export async function quantizeStatic(model: ModelSource, options: QuantizeStaticOptions): Promise<QuantizedModel> {
  const { graph, bytes } = load(model);
  const qc = typeof options.qconfig === 'object' ? options.qconfig : preset(options.qconfig, { observer: options.observer, perChannel: options.perChannel });
  const prepared = prepare(graph, { observer: (values) => qc.activation(values[0]), exclude: options.exclude });
  await calibrate(prepared, options.calibration, options);
  return new QuantizedModel(convert(prepared, { weight: qc.weight }), bytes);
}

export interface QuantizeDynamicOptions {
  /** The ops whose constant weights become int8 (default MatMul and Gemm). */
  opTypes?: string[];
  /** Weight scales per output column (default) or one per tensor. */
  perChannel?: boolean;
}

/** Dynamic quantization: int8 weights; activations quantized at run time (DynamicQuantizeLinear + MatMulInteger). */
export async function quantizeDynamic(model: ModelSource, options: QuantizeDynamicOptions = {}): Promise<QuantizedModel> {
  const { graph, bytes } = load(model);
  return new QuantizedModel(dynamicQuantize(graph, options), bytes);
}
