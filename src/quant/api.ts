/**
 * The quantizer's front door: quantizeStatic (prepare -> calibrate -> convert with a QConfig),
 * quantizeDynamic (int8 weights, activations quantized per run) and convertFloat16 (float16
 * weights), each returning a QuantizedModel that saves standard ONNX and reports its size.
 */
import { statSync, writeFileSync } from 'node:fs';
import type { Graph } from '../graph/ir';
import { graphFromOnnx } from '../graph/from-onnx';
import { graphToOnnx } from '../graph/to-onnx';
import { readModel, writeModel, type OnnxModel } from '../onnx';
import { calibrate, type CalibrateOptions, type Feeds } from './calibrate';
import { convert } from './convert';
import { prepare } from './prepare';
import { qconfig as preset, type ObserverName, type QConfig, type QConfigName, type QConfigOverride } from './qconfig';
import { dynamicQuantize } from './dynamic';
import { float16Model } from './float16';
import { qoperatorToQdq } from './qoperator';

export type { Feeds } from './calibrate';

export interface SizeReport {
  /** Serialized ONNX bytes before and after. */
  fp32Bytes: number;
  quantizedBytes: number;
  /** fp32Bytes / quantizedBytes. */
  ratio: number;
}

export class QuantizedModel {
  /**
   * @param graph the quantized graph (QDQ or dynamic), or undefined for a float16 model, which only
   *   exists as ONNX (the graph IR has no float16 values).
   */
  constructor(readonly graph: Graph | undefined, private readonly fp32Bytes: number, private readonly onnx?: OnnxModel) {}
  toBytes(): Uint8Array {
    return writeModel(this.onnx ?? graphToOnnx(this.graph!));
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

function loadOnnx(model: ModelSource): { onnx: OnnxModel; bytes: number } {
  if (typeof model === 'string') return { onnx: readModel(model), bytes: statSync(model).size };
  if (model instanceof Uint8Array) return { onnx: readModel(model), bytes: model.length };
  const onnx = graphToOnnx(model);
  return { onnx, bytes: writeModel(onnx).length };
}

function load(model: ModelSource): { graph: Graph; bytes: number } {
  if (typeof model === 'string' || model instanceof Uint8Array) {
    const { onnx, bytes } = loadOnnx(model);
    return { graph: graphFromOnnx(onnx), bytes };
  }
  return { graph: model, bytes: loadOnnx(model).bytes };
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
  /** Overrides of a preset per op type and per node name (the node's output observer, its weights). */
  opTypes?: Record<string, QConfigOverride>;
  nodes?: Record<string, QConfigOverride>;
  /** Nodes and op types kept in float. */
  exclude?: { nodes?: string[]; opTypes?: string[] };
  /** Skip NaN and infinity in calibration data (default: an error naming the tensor). */
  ignoreNonFinite?: boolean;
}

/** Static post-training quantization to QDQ ONNX. */
export async function quantizeStatic(model: ModelSource, options: QuantizeStaticOptions): Promise<QuantizedModel> {
  const { graph, bytes } = load(model);
  const qc = typeof options.qconfig === 'object' ? options.qconfig : preset(options.qconfig, { observer: options.observer, perChannel: options.perChannel, opTypes: options.opTypes, nodes: options.nodes, ignoreNonFinite: options.ignoreNonFinite });
  const prepared = prepare(graph, qc, options.exclude);
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

/** float16 weights (half the bytes), computed in float32 through a Cast per weight. */
export async function convertFloat16(model: ModelSource): Promise<QuantizedModel> {
  const { onnx, bytes } = loadOnnx(model);
  return new QuantizedModel(undefined, bytes, float16Model(onnx));
}

/** A quantized model made elsewhere (QDQ or QOperator form), read into int8kit's QDQ graph. */
export function readQuantizedModel(model: string | Uint8Array): Graph {
  return qoperatorToQdq(graphFromOnnx(readModel(model)));
}
