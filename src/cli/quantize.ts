import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { InvalidArgumentError, invalid } from '../errors';
import { calibrationFeeds } from '../data/calibration';
import { PREPROCESS_NAMES, type PreprocessName } from '../data/preprocess';
import { graphFromOnnx } from '../graph/from-onnx';
import type { Graph } from '../graph/ir';
import { readModel } from '../onnx';
import { convertFloat16, quantizeDynamic, quantizeStatic, type QuantizedModel } from '../quant/api';
import { OBSERVER_NAMES, QCONFIG_NAMES } from '../quant/qconfig';

export interface QuantizeOptions {
  output: string;
  mode: string;
  calib?: string;
  samples?: string;
  qconfig?: string;
  observer?: string;
  perChannel?: boolean;
  exclude?: string;
  preprocess?: string;
}

const MODES = ['static', 'dynamic', 'fp16'] as const;

export function oneOf<T extends string>(what: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw invalid(what, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

/** --exclude a,b: node names of the model, or op types it uses. */
export function exclusions(list: string | undefined, graph: Graph): { nodes: string[]; opTypes: string[] } | undefined {
  if (list === undefined) return undefined;
  const names = new Set(graph.nodes.map((n) => n.name)), types = new Set(graph.nodes.map((n) => n.opType));
  const nodes: string[] = [], opTypes: string[] = [];
  for (const item of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (names.has(item)) nodes.push(item);
    else if (types.has(item)) opTypes.push(item);
    else throw invalid('--exclude', 'node names or op types of the model', item);
  }
  return { nodes, opTypes };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/** Calibration progress on stderr: a bar on a terminal, otherwise a line at every 10%. */
export function calibrationProgress(total: number, stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): { update(n: number): void; stop(): void } {
  if (stream.isTTY) {
    const bar = new SingleBar({ stream, format: 'calibrating [{bar}] {percentage}% | {value}/{total} samples | ETA {eta_formatted}', hideCursor: true });
    bar.start(total, 0);
    return { update: (n) => bar.update(n), stop: () => bar.stop() };
  }
  let shown = 0;
  return {
    update(n) {
      const tenth = Math.floor((n * 10) / total);
      if (tenth > shown) {
        shown = tenth;
        stream.write(`calibrating: ${tenth * 10}% (${n}/${total} samples)\n`);
      }
    },
    stop() {},
  };
}

/** int8kit quantize MODEL -o OUT.onnx [--mode static|dynamic|fp16] [--calib DATA] ... */
export async function quantizeCommand(modelPath: string, opts: QuantizeOptions): Promise<void> {
  const mode = oneOf('--mode', opts.mode, MODES)!;
  const qconfig = oneOf('--qconfig', opts.qconfig, QCONFIG_NAMES);
  const observer = oneOf('--observer', opts.observer, OBSERVER_NAMES);
  const preprocess = oneOf('--preprocess', opts.preprocess, PREPROCESS_NAMES) as PreprocessName | undefined;
  const samples = opts.samples === undefined ? undefined : Number(opts.samples);
  if (samples !== undefined && !(Number.isSafeInteger(samples) && samples >= 1)) throw invalid('--samples', 'an integer >= 1', opts.samples);
  if (!existsSync(modelPath)) throw invalid('MODEL', 'an existing ONNX file', modelPath);
  const outDir = dirname(resolve(opts.output));
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw invalid('-o', 'a file in an existing folder', opts.output);
  // The quantizer reads the model again from its path: external data resolves next to it, and the
  // size report's FP32 figure is the file's own size.
  const graph = graphFromOnnx(readModel(modelPath));
  if (mode !== 'static') {
    for (const [flag, v] of [['--calib', opts.calib], ['--samples', opts.samples], ['--qconfig', qconfig], ['--observer', observer], ['--exclude', opts.exclude], ['--preprocess', preprocess]] as const)
      if (v !== undefined) throw new InvalidArgumentError(`Expected --mode static for ${flag} but received --mode ${mode}`);
  }

  let model: QuantizedModel;
  if (mode === 'static') {
    if (opts.calib === undefined)
      throw new InvalidArgumentError('Expected calibration data (--calib DATA: a .npy file, a folder of .npy files or a folder of images) for --mode static but received no --calib');
    const exclude = exclusions(opts.exclude, graph);
    const feeds = calibrationFeeds(opts.calib, graph, { samples, preprocess });
    const bar = calibrationProgress(feeds.count);
    // Ctrl-C stops calibration between samples (a second one ends the process as usual).
    const abort = new AbortController(), onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    try {
      model = await quantizeStatic(modelPath, {
        calibration: feeds, qconfig, observer, perChannel: opts.perChannel, exclude, onProgress: (n) => bar.update(n), signal: abort.signal,
      });
    } finally {
      process.off('SIGINT', onSigint);
      bar.stop();
    }
  } else if (mode === 'dynamic') {
    model = await quantizeDynamic(modelPath, { perChannel: opts.perChannel });
  } else {
    model = await convertFloat16(modelPath);
  }
  model.save(opts.output);
  const r = model.sizeReport();
  console.log(`size: FP32 ${mb(r.fp32Bytes)} -> ${mode === 'fp16' ? 'FP16' : 'INT8'} ${mb(r.quantizedBytes)} (${r.ratio.toFixed(2)}x smaller)`);
  console.log(`wrote ${opts.output}`);
}
