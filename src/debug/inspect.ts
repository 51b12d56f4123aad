// int8kit inspect: per-layer numerics of an INT8 (QDQ) model against its FP32 model on calibration
// data, in the spirit of PyTorch's Numeric Suite and onnxruntime's qdq_loss_debug.
import { InvalidArgumentError, InvalidModelError } from '../errors';
import { graphFromOnnx } from '../graph/from-onnx';
import type { Graph } from '../graph/ir';
import { foldBatchNorm } from '../graph/passes';
import { readModel } from '../onnx';
import { readQuantizedModel } from '../quant/api';
import type { SessionOptions } from '../runtime/session';
import { dequantizeWeight, findLayers, type Layer, type QParams } from './layers';
import { onlyQuantized, withOutputs } from './graph-edit';
import { clippedFraction, concat, histogram, minMax, mse, sqnr, type Histogram } from './metrics';
import { convGeometry, convSaturation, matrixSaturation, quantizeU8, summarize, type Saturation } from './saturation';
import { floats, runTaps, type Feeds, type Taps } from './taps';

export type { Saturation } from './saturation';
export type { Histogram } from './metrics';

export interface InspectOptions {
  /** Backend of every run (see SessionOptions.backend); default the best that loads. */
  backend?: string;
  /** Histogram bins per activation (default 128). */
  bins?: number;
  /** Run the per-layer attribution (one model run per layer and per prefix; default true). */
  attribution?: boolean;
  /** Called after each model run over the samples: (runs done, runs in all). */
  onProgress?: (done: number, total: number) => void;
}

export interface LayerReport {
  name: string;
  opType: string;
  /** The FP32 node it was matched with and how, when matched. */
  fp32Node?: string;
  matchedBy?: string;
  /** The activation the statistics are about: the float value its output Q/DQ pair quantizes. */
  value: string;
  /** INT8 (qdq: 'simulate', the dequantized tap) against FP32; null when FP32 has no such value. */
  activation: { sqnr: number; mse: number } | null;
  /** The same from the real INT8 run (integer kernels), when its value is reachable there. */
  activationInt8: { sqnr: number; mse: number } | null;
  /** Dequantized weights against the FP32 weights; worst channel for per-channel scales. */
  weight: { sqnr: number; mse: number; perChannel: boolean; worstChannel?: { channel: number; sqnr: number } } | null;
  /** The output pair's clipping range, the FP32 activation's min/max, the fraction outside, its histogram. */
  range: { chosen: [number, number] | null; observed: [number, number]; clipped: number | null; histogram: Histogram } | null;
  /** What a plain vpmaddubsw kernel would saturate on this layer; null when not u8 x s8 or unknown. */
  saturation: Saturation | null;
  /** Model output SQNR (dB) against FP32 with only this layer quantized. */
  onlyThisLayerSqnr: number | null;
  /** Model output SQNR with this layer and every one before it quantized. */
  cumulativeSqnr: number | null;
  notes: string[];
}

export interface InspectResult {
  samples: number;
  layers: LayerReport[];
  /** Output SQNR of the whole INT8 model: simulated, and on the integer kernels (null with a note when that run failed). */
  output: { simulateSqnr: number; int8Sqnr: number | null; int8Note?: string };
  /** Layer names, lowest only-this-layer output SQNR first (the layers most responsible for the output error). */
  ranking: string[];
  /** What the saturation column means. */
  saturationNote: string;
}

export const SATURATION_NOTE =
  "Saturating pairs: int16 pair sums (adjacent k) outside [-32768, 32767] that a plain AVX2 vpmaddubsw u8 x s8 kernel, as in some other runtimes, would hit on this data. int8kit's kernels do not saturate (VNNI sums into int32; its AVX2 kernels use exact vpmaddwd or 7-bit weights).";

type ModelArg = string | Uint8Array | Graph;

const loadFp32 = (m: ModelArg): Graph => (typeof m === 'string' || m instanceof Uint8Array ? graphFromOnnx(readModel(m)) : m);
const loadInt8 = (m: ModelArg): Graph => (typeof m === 'string' || m instanceof Uint8Array ? readQuantizedModel(m) : m);

async function collect(feeds: Iterable<Feeds> | AsyncIterable<Feeds>, inputs: string[]): Promise<Feeds[]> {
  const out: Feeds[] = [];
  for await (const f of feeds as AsyncIterable<Feeds>) {
    const i = out.length;
    for (const name of inputs) {
      const t = f?.[name];
      if (!t) throw new InvalidArgumentError(`Expected input ${name} in calibration sample ${i} but received ${Object.keys(f ?? {}).join(', ') || 'no inputs'}`);
      if (t.type === 'float32') {
        const d = t.data as Float32Array;
        for (let j = 0; j < d.length; j++)
          if (!Number.isFinite(d[j])) throw new InvalidArgumentError(`Expected finite values in calibration sample ${i} (input ${name}) but received ${d[j]} at index ${j}`);
      }
    }
    out.push(f);
  }
  if (!out.length) throw new InvalidArgumentError('Expected at least one calibration sample but received none');
  return out;
}

const producedIn = (g: Graph) => new Set([...g.inputs.map((i) => i.name), ...g.nodes.flatMap((n) => n.outputs)]);

function chosenRange(p: QParams | undefined): [number, number] | null {
  if (!p) return null;
  const [qmin, qmax] = p.dtype === 'uint8' ? [0, 255] : [-128, 127];
  return [(qmin - p.zeroPoint) * p.scale, (qmax - p.zeroPoint) * p.scale];
}

/** SQNR of the model outputs (matched by position, float ones) summed over outputs and samples. */
function outputSqnr(fp: Taps, fpNames: string[], q: Taps, qNames: string[]): number {
  const ref: Float32Array[] = [], test: Float32Array[] = [];
  fpNames.forEach((name, i) => {
    const a = floats(fp, name), b = floats(q, qNames[i]);
    if (a && b) a.forEach((x, s) => x.length === b[s].length && (ref.push(x), test.push(b[s])));
  });
  return sqnr(concat(ref), concat(test));
}

function weightStats(l: Layer): LayerReport['weight'] {
  if (!l.weight || !l.fp32?.weight) return null;
  const ref = l.fp32.weight.data as Float32Array, deq = dequantizeWeight(l.weight);
  const stats: NonNullable<LayerReport['weight']> = { sqnr: sqnr(ref, deq), mse: mse(ref, deq), perChannel: l.weight.axis !== undefined };
  if (l.weight.axis !== undefined) {
    const dims = l.weight.codes.dims, axis = l.weight.axis, inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1), channels = dims[axis];
    const per = Array.from({ length: channels }, () => ({ r: [] as number[], t: [] as number[] }));
    for (let i = 0; i < ref.length; i++) {
      const c = Math.floor(i / inner) % channels;
      per[c].r.push(ref[i]);
      per[c].t.push(deq[i]);
    }
    stats.worstChannel = per.map((p, channel) => ({ channel, sqnr: sqnr(p.r, p.t) })).reduce((a, b) => (b.sqnr < a.sqnr ? b : a));
  }
  return stats;
}

function saturation(l: Layer, sim: Taps): Saturation | null {
  const p = l.input?.params, w = l.weight;
  if (!p || p.dtype !== 'uint8' || !w || w.codes.dtype !== 'int8') {
    l.notes.push('saturation: not a u8 x s8 layer');
    return null;
  }
  const xs = sim.get(l.input!.float);
  if (!xs || xs.some((t) => t.type !== 'float32')) return null;
  const wd = w.codes.dims, codes = w.codes.data as Int8Array;
  const oc = l.opType === 'Conv' ? wd[0] : l.opType === 'Gemm' && l.node.attrs.transB ? wd[0] : wd[wd.length - 1];
  const perChannel = new Float64Array(oc);
  let pairs = 0, saturating = 0;
  for (const x of xs) {
    const a = quantizeU8(x.data as Float32Array, p.scale, p.zeroPoint);
    let r: { pairs: number; saturating: number };
    if (l.opType === 'Conv' && (x.dims.length === 4 || x.dims.length === 3)) r = convSaturation(a, p.zeroPoint, codes, convGeometry(l.node.attrs, [...x.dims], wd), perChannel);
    else if ((l.opType === 'Gemm' && !l.node.attrs.transA) || (l.opType === 'MatMul' && wd.length === 2)) {
      const k = l.opType === 'Gemm' && l.node.attrs.transB ? wd[1] : wd[0];
      r = matrixSaturation(a, a.length / k, k, codes, oc, l.opType === 'Gemm' && !!l.node.attrs.transB, perChannel);
    } else {
      l.notes.push(`saturation: ${l.opType} of this shape is not modelled`);
      return null;
    }
    pairs += r.pairs;
    saturating += r.saturating;
  }
  return summarize(pairs, saturating, perChannel);
}

/**
 * Per-layer numerics of an INT8 QDQ model against the FP32 model it was made from, on `feeds`
 * (calibration samples): activation SQNR/MSE (simulated and on the integer kernels), weight
 * SQNR/MSE, clipping range against the observed range with a histogram, the int16 saturation a
 * plain vpmaddubsw kernel would hit, and each layer's share of the output error.
 * @param fp32 The FP32 model: an ONNX path, bytes or graph.
 * @param int8 Its QDQ model (int8kit's or onnxruntime's quantize_static; QOperator models are read as QDQ).
 * @param feeds Calibration samples (feeds of the model inputs); all are held in memory.
 * @throws {InvalidArgumentError} for no samples, a sample missing an input or holding NaN or infinity,
 *   or models that do not match (different inputs or outputs, no layer found in the FP32 model).
 * @throws {InvalidModelError} when the INT8 model has no quantized layer (no Conv/MatMul/Gemm fed by a DequantizeLinear), or an unreadable model.
 * @throws {UnsupportedOpError} when a model uses an op int8kit cannot run.
 */
export async function inspect(fp32: ModelArg, int8: ModelArg, feeds: Iterable<Feeds> | AsyncIterable<Feeds>, options: InspectOptions = {}): Promise<InspectResult> {
  const fp = loadFp32(fp32), qdq = loadInt8(int8);
  const fpInputs = fp.inputs.map((i) => i.name), qInputs = qdq.inputs.map((i) => i.name);
  if (fpInputs.join('\0') !== qInputs.join('\0') || fp.outputs.length !== qdq.outputs.length)
    throw new InvalidArgumentError(`Expected an INT8 model with the FP32 model's inputs [${fpInputs}] and ${fp.outputs.length} output(s) but received inputs [${qInputs}] and ${qdq.outputs.length} output(s)`);
  const folded = withOutputs(fp, []);
  foldBatchNorm(folded);
  const layers = findLayers(qdq, folded);
  if (!layers.length)
    throw new InvalidModelError(`Expected a QDQ model with quantized layers (Conv, MatMul or Gemm reading a DequantizeLinear output) but received none among its ${qdq.nodes.length} nodes`);
  const fpValues = producedIn(fp);
  if (!layers.some((l) => l.fp32 || fpValues.has(l.value)))
    throw new InvalidArgumentError(`Expected an INT8 model made from the FP32 model (layers matched by node, output or weight name) but received one whose ${layers.length} layers (${layers.slice(0, 3).map((l) => l.name).join(', ')}, ...) match none of its nodes`);
  const samples = await collect(feeds, fpInputs);
  const attribution = options.attribution !== false;
  const total = 3 + (attribution ? 2 * layers.length : 0);
  let done = 0;
  const step = () => options.onProgress?.(++done, total);
  const base: SessionOptions = { backend: options.backend, optimize: false };

  const fpTaps = await runTaps(fp, samples, layers.map((l) => l.value).filter((v) => fpValues.has(v)), base);
  step();
  const tapOf = (l: Layer) => l.output?.dequantized ?? l.value;
  const sim = await runTaps(qdq, samples, [...layers.map(tapOf), ...layers.flatMap((l) => (l.input ? [l.input.float] : []))], { ...base, qdq: 'simulate' });
  step();
  let real: Taps | undefined, int8Note: string | undefined;
  try {
    real = await runTaps(qdq, samples, layers.map(tapOf), { backend: options.backend });
  } catch (e) {
    int8Note = `the INT8 run failed: ${(e as Error).message}`;
  }
  step();
  const fpOut = fp.outputs.map((o) => o.name), qOut = qdq.outputs.map((o) => o.name);

  const reports: LayerReport[] = layers.map((l) => {
    const ref = fpValues.has(l.value) ? floats(fpTaps, l.value) : undefined;
    const act = (t: Taps | undefined) => {
      const test = t && floats(t, tapOf(l));
      if (!ref || !test || test.some((x, i) => x.length !== ref[i].length)) return null;
      const r = concat(ref), y = concat(test);
      return { sqnr: sqnr(r, y), mse: mse(r, y) };
    };
    if (!ref) l.notes.push(`activation: the FP32 model has no value ${l.value}`);
    let range: LayerReport['range'] = null;
    if (ref) {
      const all = concat(ref), observed = minMax(all), chosen = chosenRange(l.output?.params);
      range = { chosen, observed, clipped: chosen && clippedFraction(all, chosen[0], chosen[1]), histogram: histogram(all, observed[0], observed[1], options.bins ?? 128) };
    }
    return {
      name: l.name, opType: l.opType, fp32Node: l.fp32?.node.name, matchedBy: l.fp32?.matchedBy, value: l.value,
      activation: act(sim), activationInt8: act(real), weight: weightStats(l), range, saturation: saturation(l, sim),
      onlyThisLayerSqnr: null, cumulativeSqnr: null, notes: l.notes,
    };
  });
  if (real && reports.every((r) => r.activationInt8 === null)) int8Note ??= 'no layer activation is reachable in the INT8 run';

  if (attribution)
    for (let i = 0; i < layers.length; i++) {
      const only = await runTaps(onlyQuantized(qdq, layers, new Set([layers[i]])), samples, [], { ...base, qdq: 'simulate' });
      reports[i].onlyThisLayerSqnr = outputSqnr(fpTaps, fpOut, only, qOut);
      step();
      const prefix = await runTaps(onlyQuantized(qdq, layers, new Set(layers.slice(0, i + 1))), samples, [], { ...base, qdq: 'simulate' });
      reports[i].cumulativeSqnr = outputSqnr(fpTaps, fpOut, prefix, qOut);
      step();
    }
  const ranking = reports.filter((r) => r.onlyThisLayerSqnr !== null).sort((a, b) => a.onlyThisLayerSqnr! - b.onlyThisLayerSqnr!).map((r) => r.name);
  return {
    samples: samples.length,
    layers: reports,
    output: { simulateSqnr: outputSqnr(fpTaps, fpOut, sim, qOut), int8Sqnr: real ? outputSqnr(fpTaps, fpOut, real, qOut) : null, int8Note },
    ranking,
    saturationNote: SATURATION_NOTE,
  };
}
