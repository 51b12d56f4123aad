// int8kit eval MODEL (--int8 QMODEL | --quantize ...) --data DATA: FP32 and INT8 accuracy side by side.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { InvalidArgumentError, invalid } from '../errors';
import { calibrationFeeds, type Feeds } from '../data/calibration';
import { IMAGE_EXTENSIONS, PREPROCESS_NAMES, preprocessChannels, preprocessImage, type PreprocessCustom, type PreprocessName } from '../data/preprocess';
import { datasetKind, openDataset } from '../eval/datasets';
import { evaluate } from '../eval/evaluate';
import { evalReportDoc, evalText, worstClasses } from '../eval/report-doc';
import { graphFromOnnx } from '../graph/from-onnx';
import type { Graph } from '../graph/ir';
import { readModel } from '../onnx';
import { quantizeDynamic, quantizeStatic } from '../quant/api';
import { renderReport } from '../report/render';
import { Session } from '../runtime/session';
import { calibrationProgress } from './quantize';

export interface EvalOptions {
  int8?: string;
  quantize?: boolean;
  mode?: string;
  calib?: string;
  samples?: string;
  perChannel?: boolean;
  data: string;
  labels?: string;
  classes?: string;
  preprocess?: string;
  size?: string;
  resize?: string;
  mean?: string;
  std?: string;
  topk: string;
  limit?: string;
  batch: string;
  backend?: string;
  json?: boolean;
  report?: string;
}

const int = (flag: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw invalid(flag, 'an integer >= 1', v);
  return n;
};

function numbers(flag: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const list = v.split(',').map((s) => Number(s.trim()));
  if (list.some((x, i) => !Number.isFinite(x) || v.split(',')[i].trim() === '')) throw invalid(flag, 'comma-separated numbers such as 0.485,0.456,0.406', v);
  return list;
}

/** --size H or HxW. */
function size(v: string | undefined): [number, number] | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)(?:x(\d+))?$/.exec(v.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2] ?? m[1]) < 1) throw invalid('--size', 'H or HxW in pixels, such as 224 or 224x320', v);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

/**
 * Static calibration samples: as `int8kit quantize --calib` (a .npy file, a folder of .npy files or
 * of images), or an ImageFolder (labels unused; one image of each class in turn, so --samples N
 * covers the classes); images are preprocessed as the evaluation data, custom flags included.
 */
function calibration(path: string, graph: Graph, preset: PreprocessName, custom: PreprocessCustom, samples: number | undefined): AsyncIterable<Feeds> & { count: number } {
  const input = graph.inputs[0], s = input?.type.shape;
  const fixed = (d: unknown) => (typeof d === 'number' ? d : undefined);
  const target = { channels: fixed(s?.[1]), height: fixed(s?.[2]), width: fixed(s?.[3]) };
  const of = (count: number, images: () => AsyncIterable<Feeds[string]>) => ({
    count,
    async *[Symbol.asyncIterator]() {
      for await (const x of images()) yield { [input.name]: x };
    },
  });
  if (isImageFolder(path)) {
    if (graph.inputs.length !== 1) throw new InvalidArgumentError(`Expected a model with one input for calibration data ${path} but received one with ${graph.inputs.length}`);
    const ds = openDataset(path, { preset, custom, limit: samples });
    return of(ds.count, async function* () {
      for await (const x of ds.samples(target)) yield x.input;
    });
  }
  const feeds = calibrationFeeds(path, graph, { samples, preprocess: preset }); // its own checks and messages
  if (feeds.kind !== 'images' || Object.values(custom).every((v) => v === undefined)) return feeds;
  const files = readdirSync(path).filter((f) => !f.startsWith('.') && IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort().slice(0, feeds.count);
  return of(files.length, async function* () {
    for (const f of files) yield await preprocessImage(join(path, f), preset, target, custom);
  });
}

/** A folder of class subfolders of images (anything else is left to calibrationFeeds to accept or explain). */
function isImageFolder(path: string): boolean {
  if (!existsSync(path) || !statSync(path).isDirectory()) return false;
  try {
    return datasetKind(path) === 'image-folder';
  } catch {
    return false;
  }
}

async function int8Model(model: string, graph: Graph, o: EvalOptions, preset: PreprocessName, custom: PreprocessCustom, quiet: boolean): Promise<{ source: string | Uint8Array; name: string; bytes: number }> {
  if (o.int8 !== undefined && o.quantize) throw new InvalidArgumentError('Expected either --int8 QMODEL or --quantize but received both');
  if (!o.quantize) {
    for (const [flag, v] of [['--mode', o.mode], ['--calib', o.calib], ['--samples', o.samples], ['--per-channel', o.perChannel]] as const)
      if (v !== undefined) throw new InvalidArgumentError(`Expected --quantize for ${flag} but received no --quantize`);
    if (o.int8 === undefined) throw new InvalidArgumentError('Expected the INT8 model to compare with (--int8 QMODEL, or --quantize to make it here) but received neither');
    if (!existsSync(o.int8)) throw invalid('--int8', 'an existing ONNX file', o.int8);
    return { source: o.int8, name: o.int8, bytes: statSync(o.int8).size };
  }
  const mode = o.mode ?? 'static';
  if (mode !== 'static' && mode !== 'dynamic') throw invalid('--mode', 'static or dynamic', mode);
  const samples = int('--samples', o.samples);
  let q;
  if (mode === 'dynamic') {
    if (o.calib !== undefined || samples !== undefined) throw new InvalidArgumentError(`Expected --mode static for ${o.calib !== undefined ? '--calib' : '--samples'} but received --mode dynamic`);
    q = await quantizeDynamic(model, { perChannel: o.perChannel });
  } else {
    // Calibrating on the test set would flatter the INT8 model: the calibration data is a separate set.
    if (o.calib === undefined)
      throw new InvalidArgumentError('Expected calibration data separate from the test set (--calib DATA: a .npy file, a folder of .npy files or of images) for --quantize --mode static but received no --calib');
    const feeds = calibration(o.calib, graph, preset, custom, samples);
    const bar = quiet ? undefined : calibrationProgress(feeds.count);
    try {
      q = await quantizeStatic(model, { calibration: feeds, perChannel: o.perChannel, onProgress: (n) => bar?.update(n) });
    } finally {
      bar?.stop();
    }
  }
  const bytes = q.toBytes();
  return { source: bytes, name: `${model} quantized (${mode})`, bytes: bytes.length };
}

function progress(total: number, quiet: boolean) {
  if (quiet) return undefined;
  const bar = new SingleBar({ stream: process.stderr, format: 'evaluating [{bar}] {percentage}% | {value}/{total} samples | ETA {eta_formatted}', hideCursor: true });
  bar.start(total, 0);
  return bar;
}

/** int8kit eval: prints tables (or one JSON object with --json) and writes --report. */
export async function evalCommand(model: string, o: EvalOptions): Promise<void> {
  if (!existsSync(model)) throw invalid('MODEL', 'an existing ONNX file', model);
  const preset = (o.preprocess ?? 'imagenet') as PreprocessName;
  if (!PREPROCESS_NAMES.includes(preset)) throw invalid('--preprocess', `one of ${PREPROCESS_NAMES.join(', ')}`, o.preprocess);
  const custom: PreprocessCustom = { size: size(o.size), resize: int('--resize', o.resize), mean: numbers('--mean', o.mean), std: numbers('--std', o.std) };
  const topk = int('--topk', o.topk)!, batch = int('--batch', o.batch)!;
  const dataset = openDataset(o.data, { labels: o.labels, classes: o.classes, preset, custom, limit: int('--limit', o.limit) });
  const graph = graphFromOnnx(readModel(model));
  // Said before any work (calibration included) rather than at the first image.
  const input = graph.inputs[0], channels = input?.type.shape?.[1];
  if (dataset.kind !== 'npy' && typeof channels === 'number' && channels !== preprocessChannels(preset))
    throw new InvalidArgumentError(`Expected a --preprocess that makes ${channels}-channel images for the input "${input.name}" of ${model} (${PREPROCESS_NAMES.filter((p) => preprocessChannels(p) === channels).join(', ') || 'none fits'}) but received --preprocess ${preset}${o.preprocess === undefined ? ' (the default)' : ''}`);
  // Progress only on a terminal: --json output and logs stay clean.
  const quiet = !!o.json || !process.stderr.isTTY;
  const q = await int8Model(model, graph, o, preset, custom, quiet);
  const fp32 = await Session.create(model, { backend: o.backend });
  const int8 = await Session.create(q.source, { backend: o.backend });
  const bar = progress(dataset.count, quiet);
  let result;
  try {
    result = await evaluate(fp32, int8, dataset, { topk, batch, onProgress: (n) => bar?.update(n) });
  } finally {
    bar?.stop();
    fp32.release();
    int8.release();
  }
  const sizes = { fp32Bytes: statSync(model).size, int8Bytes: q.bytes };
  const subject = { model, int8Model: q.name, data: `${o.data} (${dataset.kind})`, sizes };
  if (o.report !== undefined) writeFileSync(o.report, renderReport(evalReportDoc(result, subject)));
  if (o.json) {
    const { perClass, ...rest } = result;
    console.log(JSON.stringify({
      model, int8Model: q.name, data: { path: o.data, kind: dataset.kind, count: dataset.count },
      ...rest, sizes: { ...sizes, ratio: sizes.fp32Bytes / sizes.int8Bytes }, perClass: worstClasses({ ...result, perClass }),
    }, null, 2));
    return;
  }
  console.log(`${model} (FP32) vs ${q.name} (INT8) on ${dataset.count} samples of ${o.data} (${dataset.kind})\n`);
  console.log(evalText(result, subject));
  if (o.report !== undefined) console.log(`\nwrote ${o.report}`);
}
