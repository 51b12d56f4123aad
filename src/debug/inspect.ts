// int8kit inspect: per-layer numerics of an INT8 (QDQ) model against its FP32 model on calibration
// data, in the spirit of PyTorch's Numeric Suite and onnxruntime's qdq_loss_debug.
import { InvalidArgumentError, InvalidModelError, invalid } from '../errors';
import { graphFromOnnx } from '../graph/from-onnx';
import type { Graph } from '../graph/ir';
import { foldBatchNorm } from '../graph/passes';
import { readModel } from '../onnx';
import { readQuantizedModel } from '../quant/api';
import type { SessionOptions } from '../runtime/session';
import { dequantizeWeight, findLayers, type Layer, type QParams } from './layers';
import { onlyQuantized, withOutputs } from './graph-edit';
import { ErrorSum, HistogramSum, RangeSum, type Histogram } from './metrics';
import { SaturationSum, type Saturation } from './saturation';
import { floatData, tapSession, type Feeds } from './taps';
import type { Session } from '../runtime/session';
import type { Tensor } from '../runtime/tensor';

export type { Saturation } from './saturation';
export type { Histogram } from './metrics';

/** Options of {@link inspect}. */
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

/** One quantized layer (a Conv, MatMul or Gemm reading a DequantizeLinear output) of an {@link InspectResult}. */
export interface LayerReport {
  /** The INT8 model's node name (its first output's name when the node has none). */
  name: string;
  /** Its op type: Conv, MatMul or Gemm. */
  opType: string;
  /** The FP32 node it was matched with, when matched. */
  fp32Node?: string;
  /** How it was matched with {@link LayerReport.fp32Node}: `node name`, `output name` or `weight name`. */
  matchedBy?: string;
  /** The activation the statistics are about: the float value its output Q/DQ pair quantizes. */
  value: string;
  /** INT8 (qdq: 'simulate', the dequantized tap) against FP32; null when FP32 has no such value. */
  activation: {
    /** Signal-to-quantization-noise ratio in dB, 10 log10(sum x^2 / sum (x - y)^2); Infinity for an exact match. */
    sqnr: number;
    /** Mean squared error against FP32. */
    mse: number;
  } | null;
  /** The same from the real INT8 run (integer kernels), when its value is reachable there. */
  activationInt8: {
    /** SQNR in dB against FP32. */
    sqnr: number;
    /** Mean squared error against FP32. */
    mse: number;
  } | null;
  /** Dequantized weights against the FP32 weights; worst channel for per-channel scales. */
  weight: {
    /** SQNR in dB over all weights. */
    sqnr: number;
    /** Mean squared error over all weights. */
    mse: number;
    /** Whether the weights have one scale per output channel. */
    perChannel: boolean;
    /** The output channel with the lowest SQNR, for per-channel weights. */
    worstChannel?: {
      /** Its index along the quantization axis. */
      channel: number;
      /** Its SQNR in dB. */
      sqnr: number;
    };
  } | null;
  /** The output pair's clipping range, the FP32 activation's min/max, the fraction outside, its histogram. */
  range: {
    /** The [min, max] the output pair's scale and zero point represent; null when the output is not quantized with constant parameters. */
    chosen: [number, number] | null;
    /** The FP32 activation's [min, max] over all samples. */
    observed: [number, number];
    /** The fraction (0 to 1) of FP32 values outside the chosen range; null without a chosen range. */
    clipped: number | null;
    /** The FP32 activation's histogram over the observed range ({@link InspectOptions.bins} bins). */
    histogram: Histogram;
  } | null;
  /** What a plain vpmaddubsw kernel would saturate on this layer; null when not u8 x s8 or unknown. */
  saturation: Saturation | null;
  /** Model output SQNR (dB) against FP32 with only this layer quantized. */
  onlyThisLayerSqnr: number | null;
  /** Model output SQNR with this layer and every one before it quantized. */
  cumulativeSqnr: number | null;
  /** What could not be measured for this layer and why (e.g. saturation not modelled for a non u8 x s8 layer). */
  notes: string[];
}

/** What {@link inspect} measured. */
export interface InspectResult {
  /** Calibration samples run. */
  samples: number;
  /** The quantized layers, in graph order. */
  layers: LayerReport[];
  /** Output SQNR of the whole INT8 model: simulated, and on the integer kernels (null with a note when that run failed). */
  output: {
    /** Output SQNR (dB) of the simulated run (QDQ in float) against FP32. */
    simulateSqnr: number;
    /** Output SQNR (dB) of the run on the integer kernels; null when that run failed. */
    int8Sqnr: number | null;
    /** Why the integer-kernel numbers are missing, when they are. */
    int8Note?: string;
  };
  /** Layer names, lowest only-this-layer output SQNR first (the layers most responsible for the output error). */
  ranking: string[];
  /** What the saturation column means. */
  saturationNote: string;
}

/** The explanation of the saturation numbers ({@link InspectResult.saturationNote}). */
export const SATURATION_NOTE =
  "Saturating pairs: int16 pair sums (adjacent k) outside [-32768, 32767] that a plain AVX2 vpmaddubsw u8 x s8 kernel, as in some other runtimes, would hit on this data. int8kit's kernels do not saturate (VNNI sums into int32; its AVX2 kernels use exact vpmaddwd or 7-bit weights).";

/**
 * A model: an ONNX file path, its bytes, or a graph.
 * @inline
 */
type ModelArg = string | Uint8Array | Graph;

function load(m: ModelArg, what: string, read: (m: string | Uint8Array) => Graph): Graph {
  if (typeof m === 'string' || m instanceof Uint8Array) return read(m);
  const g = m as Partial<Graph> | null;
  if (!g || typeof g !== 'object' || !Array.isArray(g.nodes) || !Array.isArray(g.inputs) || !Array.isArray(g.outputs) || !(g.initializers instanceof Map))
    throw invalid(what, 'an ONNX file path, its bytes or a graph', m);
  return m;
}

async function collect(feeds: Iterable<Feeds> | AsyncIterable<Feeds>, inputs: string[]): Promise<Feeds[]> {
  const out: Feeds[] = [];
  const it = feeds as Partial<Iterable<Feeds> & AsyncIterable<Feeds>> | null;
  if (!it || (typeof it[Symbol.iterator] !== 'function' && typeof it[Symbol.asyncIterator] !== 'function'))
    throw invalid('the calibration samples', 'an iterable or async iterable of feeds', feeds);
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

function weightStats(l: Layer): LayerReport['weight'] {
  if (!l.weight || !l.fp32?.weight) return null;
  const ref = l.fp32.weight.data as Float32Array, deq = dequantizeWeight(l.weight);
  const all = new ErrorSum().add(ref, deq), axis = l.weight.axis;
  const stats: NonNullable<LayerReport['weight']> = { sqnr: all.sqnr, mse: all.mse, perChannel: axis !== undefined };
  if (axis !== undefined) {
    const dims = l.weight.codes.dims, inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1), channels = dims[axis];
    const per = Array.from({ length: channels }, () => new ErrorSum());
    for (let start = 0; start < ref.length; start += inner) per[(start / inner) % channels].add(ref.subarray(start, start + inner), deq.subarray(start, start + inner));
    stats.worstChannel = per.map((e, channel) => ({ channel, sqnr: e.sqnr })).reduce((a, b) => (b.sqnr < a.sqnr ? b : a));
  }
  return stats;
}

function saturationSum(l: Layer): SaturationSum | undefined {
  const p = l.input?.params, w = l.weight;
  if (!p || !w) {
    l.notes.push(p ? 'saturation: not modelled without a constant quantized weight' : "saturation: the input's quantization parameters are not constants");
    return undefined;
  }
  if (p.dtype !== 'uint8' || w.codes.dtype !== 'int8') {
    l.notes.push(`saturation: not a u8 x s8 layer (${p.dtype} x ${w.codes.dtype})`);
    return undefined;
  }
  const sum = SaturationSum.for({ opType: l.opType, attrs: l.node.attrs, weight: w.codes.data as Int8Array, wDims: w.codes.dims, scale: p.scale, zeroPoint: p.zeroPoint });
  if (!sum) l.notes.push(`saturation: ${l.opType} with these attributes or weight dims is not modelled`);
  return sum;
}

/** Adds each float model output (matched by position) of one sample to `sum`. */
function addOutputs(sum: ErrorSum, ref: Float32Array[], out: Record<string, Tensor>, names: string[]): void {
  names.forEach((name, i) => {
    const y = floatData(out, name);
    if (ref[i] && y && y.length === ref[i].length) sum.add(ref[i], y);
  });
}

/** Runs `session` on every sample, calling `each` with the outputs, and releases it. */
async function eachSample(session: Session, samples: Feeds[], each: (out: Record<string, Tensor>, i: number) => void, step: () => void): Promise<void> {
  try {
    for (let i = 0; i < samples.length; i++) {
      each(await session.run(samples[i]), i);
      step();
    }
  } finally {
    session.release();
  }
}

/**
 * Per-layer numerics of an INT8 QDQ model against the FP32 model it was made from, on `feeds`
 * (calibration samples): activation SQNR/MSE (simulated and on the integer kernels), weight
 * SQNR/MSE, clipping range against the observed range with a histogram, the int16 saturation a
 * plain vpmaddubsw kernel would hit, and each layer's share of the output error.
 *
 * A failure of the run on the integer kernels is not thrown: its statistics are null and
 * `output.int8Note` says why. Whatever `options.onProgress` throws propagates.
 * @param fp32 The FP32 model: an ONNX path, bytes or graph.
 * @param int8 Its QDQ model (int8kit's or onnxruntime's quantize_static; QOperator models are read as QDQ).
 * @param feeds Calibration samples (feeds of the model inputs); all are held in memory.
 * @param options Backend, histogram bins, whether to run the attribution, progress.
 * @returns Per-layer statistics, the model output SQNR and the layers ranked by the error each adds alone.
 * @throws {@link InvalidArgumentError} for a model that is not a path, bytes or graph, samples that are not
 *   iterable, no samples, a sample missing an input or holding NaN or infinity, bins < 1, an unknown
 *   options.backend, models that do not match (different inputs or outputs, no layer found in the FP32
 *   model), or feeds a run rejects (wrong dtype or dims).
 * @throws {@link InvalidModelError} for an unreadable or malformed model file, or when the INT8 model has no
 *   quantized layer (no Conv/MatMul/Gemm fed by a DequantizeLinear).
 * @throws {@link UnsupportedOpError} when a model uses an op (or element type) int8kit cannot run, or a
 *   com.microsoft QLinear op it cannot rewrite to QDQ.
 * @throws {@link InvalidGraphError} for cycles, missing values or shapes that do not agree.
 * @throws {@link InvalidPlanError} when an op rejects its inputs' shapes or data.
 * @throws {@link BackendUnavailableError} when the requested backend (or none) can load.
 * @throws {@link OutOfMemoryError} when a run's memory cannot be allocated.
 */
export async function inspect(fp32: ModelArg, int8: ModelArg, feeds: Iterable<Feeds> | AsyncIterable<Feeds>, options: InspectOptions = {}): Promise<InspectResult> {
  const fp = load(fp32, 'the FP32 model', (m) => graphFromOnnx(readModel(m)));
  const qdq = load(int8, 'the INT8 model', readQuantizedModel);
  const bins = options.bins ?? 128;
  if (!(Number.isSafeInteger(bins) && bins >= 1)) throw invalid('options.bins', 'an integer >= 1', options.bins);
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
  const total = samples.length * (4 + (attribution ? 2 * layers.length : 0));
  let done = 0;
  const step = () => options.onProgress?.(++done, total);
  const base: SessionOptions = { backend: options.backend, optimize: false };
  const fpOut = fp.outputs.map((o) => o.name), qOut = qdq.outputs.map((o) => o.name);
  const tapOf = (l: Layer) => l.output?.dequantized ?? l.value;
  const fpTapped = [...new Set(layers.map((l) => l.value).filter((v) => fpValues.has(v)))];
  for (const l of layers) if (!fpValues.has(l.value)) l.notes.push(`activation: the FP32 model has no value ${l.value}`);

  // Pass 1: FP32, simulated and INT8 runs side by side, one sample at a time; statistics are sums,
  // so memory does not grow with the number of samples. FP32 outputs are kept for attribution.
  const acc = layers.map((l) => ({ sizeMismatch: false, sim: new ErrorSum(), int8: new ErrorSum(), range: new RangeSum(chosenRange(l.output?.params) ?? undefined), saturation: saturationSum(l) }));
  const outSim = new ErrorSum(), outInt8 = new ErrorSum();
  const fpOutputs: Float32Array[][] = [];
  const fpSession = await tapSession(fp, fpTapped, base);
  const simSession = await tapSession(qdq, [...layers.map(tapOf), ...layers.flatMap((l) => (l.input ? [l.input.float] : []))], { ...base, qdq: 'simulate' }).catch((e) => {
    fpSession.release();
    throw e;
  });
  let int8Session: Session | undefined, int8Note: string | undefined;
  try {
    int8Session = await tapSession(qdq, layers.map(tapOf), { backend: options.backend });
  } catch (e) {
    int8Note = `the INT8 run failed: ${(e as Error).message}`;
  }
  try {
    for (const feeds of samples) {
      const f = await fpSession.run(feeds);
      step();
      const q = await simSession.run(feeds);
      step();
      let r: Record<string, Tensor> | undefined;
      if (int8Session)
        r = await int8Session.run(feeds).catch((e) => {
          int8Note = `the INT8 run failed: ${(e as Error).message}`;
          int8Session!.release();
          int8Session = undefined;
          return undefined;
        });
      step();
      const ref = fpOut.map((n) => floatData(f, n)!);
      fpOutputs.push(ref);
      addOutputs(outSim, ref, q, qOut);
      if (r) addOutputs(outInt8, ref, r, qOut);
      layers.forEach((l, i) => {
        const x = floatData(f, l.value), a = acc[i];
        if (x) {
          a.range.add(x);
          const y = floatData(q, tapOf(l)), z = r && floatData(r, tapOf(l));
          if (y?.length === x.length) a.sim.add(x, y);
          if (z?.length === x.length) a.int8.add(x, z);
          if ((y && y.length !== x.length) || (z && z.length !== x.length)) a.sizeMismatch = true;
        }
        const input = l.input && floatData(q, l.input.float);
        if (a.saturation && input) a.saturation.add(input, q[l.input!.float].dims);
      });
    }
  } finally {
    fpSession.release();
    simSession.release();
    int8Session?.release();
  }

  // A failed INT8 run reports nothing rather than statistics of part of the samples.
  const int8Failed = int8Note !== undefined;

  // Pass 2: histograms over the observed ranges (FP32 again).
  const hist = acc.map((a, i) => (a.range.count && fpValues.has(layers[i].value) ? new HistogramSum(a.range.min, a.range.max, bins) : undefined));
  await eachSample(await tapSession(fp, fpTapped, base), samples, (f) => layers.forEach((l, i) => {
    const x = floatData(f, l.value);
    if (x) hist[i]?.add(x);
  }), step);

  const stats = (e: ErrorSum) => (e.count ? { sqnr: e.sqnr, mse: e.mse } : null);
  const reports: LayerReport[] = layers.map((l, i) => {
    const a = acc[i], chosen = chosenRange(l.output?.params);
    if (a.sizeMismatch) l.notes.push(`activation: ${l.value} has a different size in the FP32 and the INT8 model on some samples (not compared there)`);
    return {
      name: l.name, opType: l.opType, fp32Node: l.fp32?.node.name, matchedBy: l.fp32?.matchedBy, value: l.value,
      activation: stats(a.sim), activationInt8: int8Failed ? null : stats(a.int8), weight: weightStats(l),
      range: hist[i] ? { chosen, observed: [a.range.min, a.range.max], clipped: chosen && a.range.outside / a.range.count, histogram: hist[i]!.histogram } : null,
      saturation: a.saturation?.result ?? null, onlyThisLayerSqnr: null, cumulativeSqnr: null, notes: l.notes,
    };
  });
  if (!int8Note && reports.every((r) => r.activationInt8 === null)) int8Note = 'no layer activation is reachable in the INT8 run';

  // Pass 3: attribution, each layer alone and each prefix of layers quantized (simulated).
  const outputSqnr = async (keep: Set<Layer>) => {
    const sum = new ErrorSum();
    await eachSample(await tapSession(onlyQuantized(qdq, layers, keep), [], { ...base, qdq: 'simulate' }), samples, (out, s) => addOutputs(sum, fpOutputs[s], out, qOut), step);
    return sum.sqnr;
  };
  if (attribution)
    for (let i = 0; i < layers.length; i++) {
      reports[i].onlyThisLayerSqnr = await outputSqnr(new Set([layers[i]]));
      reports[i].cumulativeSqnr = await outputSqnr(new Set(layers.slice(0, i + 1)));
    }
  const ranking = reports.filter((r) => r.onlyThisLayerSqnr !== null).sort((a, b) => a.onlyThisLayerSqnr! - b.onlyThisLayerSqnr!).map((r) => r.name);
  return {
    samples: samples.length,
    layers: reports,
    output: { simulateSqnr: outSim.sqnr, int8Sqnr: int8Failed || !outInt8.count ? null : outInt8.sqnr, int8Note },
    ranking,
    saturationNote: SATURATION_NOTE,
  };
}
