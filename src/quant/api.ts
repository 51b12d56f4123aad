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

/** Model sizes before and after, from {@link QuantizedModel.sizeReport}. */
export interface SizeReport {
  /** Serialized ONNX bytes before and after. */
  fp32Bytes: number;
  /** Serialized ONNX bytes of the quantized model. */
  quantizedBytes: number;
  /** fp32Bytes / quantizedBytes. */
  ratio: number;
}

/** A quantized model: save it as standard ONNX, or run its `graph` with {@link Session.create}. */
export class QuantizedModel {
  /**
   * @param graph the quantized graph (QDQ or dynamic), or undefined for a float16 model, which only
   *   exists as ONNX (the graph IR has no float16 values).
   * @param fp32Bytes Serialized size of the float model, for {@link QuantizedModel.sizeReport}.
   * @param onnx The model as ONNX, when it exists only in that form.
   * @throws Never: it only stores its arguments (the quantizers construct it).
   */
  constructor(readonly graph: Graph | undefined, private readonly fp32Bytes: number, private readonly onnx?: OnnxModel) {}
  /**
   * The model as ONNX protobuf bytes.
   * @throws Never for models made by int8kit's quantizers.
   */
  toBytes(): Uint8Array {
    return writeModel(this.onnx ?? graphToOnnx(this.graph!));
  }
  /**
   * Writes the ONNX file.
   * @param path Where to write it.
   * @throws `Error` from node:fs when the file cannot be written (ENOENT, EACCES, ...).
   */
  save(path: string): void {
    writeFileSync(path, this.toBytes());
  }
  /**
   * Serialized sizes before and after, and their ratio.
   * @throws Never.
   */
  sizeReport(): SizeReport {
    const quantizedBytes = this.toBytes().length;
    return { fp32Bytes: this.fp32Bytes, quantizedBytes, ratio: this.fp32Bytes / quantizedBytes };
  }
}

/** A model: an ONNX file path, its bytes, or a graph. */
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

/** Options of {@link quantizeStatic}. */
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
  /** Overrides per node name (win over opTypes). */
  nodes?: Record<string, QConfigOverride>;
  /** Nodes and op types kept in float. */
  exclude?: {
    /** Node names. */
    nodes?: string[];
    /** Op types, e.g. `Add`. */
    opTypes?: string[];
  };
  /** Skip NaN and infinity in calibration data (default: an error naming the tensor). */
  ignoreNonFinite?: boolean;
}

/**
 * Static post-training quantization to QDQ ONNX: {@link prepare} places observers, {@link calibrate}
 * runs the float model on the calibration samples, {@link convert} writes QuantizeLinear /
 * DequantizeLinear pairs with int8 weights.
 *
 * @example
 * ```ts
 * const q = await quantizeStatic('model.onnx', { calibration: samples, qconfig: 'fbgemm' });
 * q.save('model.int8.onnx');
 * ```
 * @param model The float model.
 * @param options Calibration samples (required), preset or QConfig, overrides, progress and abort.
 * @throws {@link InvalidModelError} for an unreadable or malformed model file.
 * @throws {@link InvalidArgumentError} for bad options (unknown preset or observer, excluded node not in the
 *   graph), calibration data that is not an iterable of feeds or is empty, feeds that do not match the model's
 *   inputs, or NaN/Infinity in an observed value (unless ignoreNonFinite).
 * @throws {@link CalibrationAbortedError} when options.signal aborts.
 * @throws {@link UnsupportedOpError} when the float model uses an op int8kit cannot run (calibration runs it).
 * @throws {@link InvalidGraphError} for cycles, missing values or shapes that do not agree.
 * @throws {@link BackendUnavailableError} when no backend can load to run calibration.
 */
export async function quantizeStatic(model: ModelSource, options: QuantizeStaticOptions): Promise<QuantizedModel> {
  const { graph, bytes } = load(model);
  const qc = typeof options.qconfig === 'object' ? options.qconfig : preset(options.qconfig, { observer: options.observer, perChannel: options.perChannel, opTypes: options.opTypes, nodes: options.nodes, ignoreNonFinite: options.ignoreNonFinite });
  const prepared = prepare(graph, qc, options.exclude);
  await calibrate(prepared, options.calibration, options);
  return new QuantizedModel(convert(prepared, { weight: qc.weight }), bytes);
}

/** Options of {@link quantizeDynamic}. */
export interface QuantizeDynamicOptions {
  /** The ops whose constant weights become int8 (default MatMul and Gemm). */
  opTypes?: string[];
  /** Weight scales per output column (default) or one per tensor. */
  perChannel?: boolean;
}

/**
 * Dynamic quantization: int8 weights; activations quantized at run time (DynamicQuantizeLinear +
 * MatMulInteger). No calibration data is needed; suits transformer MatMuls.
 * @example
 * ```ts
 * (await quantizeDynamic('bert.onnx')).save('bert.int8.onnx');
 * ```
 * @param model The float model.
 * @param options The op types whose weights become int8, per-channel or per-tensor scales.
 * @throws {@link InvalidModelError} for an unreadable or malformed model file.
 * @throws {@link InvalidArgumentError} for op types other than MatMul and Gemm.
 * @throws {@link UnsupportedOpError} when a tensor has an element type int8kit cannot carry.
 * @throws {@link InvalidGraphError} when the graph has a cycle or reads a value nothing produces.
 */
export async function quantizeDynamic(model: ModelSource, options: QuantizeDynamicOptions = {}): Promise<QuantizedModel> {
  const { graph, bytes } = load(model);
  return new QuantizedModel(dynamicQuantize(graph, options), bytes);
}

/**
 * float16 weights (half the bytes), computed in float32 through a Cast per weight.
 * @param model The float model.
 * @throws {@link InvalidModelError} for an unreadable or malformed model file.
 */
export async function convertFloat16(model: ModelSource): Promise<QuantizedModel> {
  const { onnx, bytes } = loadOnnx(model);
  return new QuantizedModel(undefined, bytes, float16Model(onnx));
}

/**
 * A quantized model made elsewhere (QDQ or QOperator form), read into int8kit's QDQ graph.
 * @param model An ONNX file path or its bytes.
 * @throws {@link InvalidModelError} for an unreadable or malformed model file.
 * @throws {@link UnsupportedOpError} for element types or com.microsoft QLinear ops int8kit cannot rewrite.
 * @throws {@link InvalidGraphError} for a malformed QLinearConcat or a graph with a cycle.
 */
export function readQuantizedModel(model: string | Uint8Array): Graph {
  return qoperatorToQdq(graphFromOnnx(readModel(model)));
}
