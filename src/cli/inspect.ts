// int8kit inspect MODEL [--int8 QMODEL | quantize options] --calib DATA: per-layer numerics of the
// INT8 model against FP32 on calibration data, as a terminal table, JSON or an HTML report.
import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError, invalid } from '../errors';
import { calibrationFeeds, type Feeds } from '../data/calibration';
import { PREPROCESS_NAMES, type PreprocessName } from '../data/preprocess';
import { formatInspect, inspect, inspectReportDoc } from '../debug';
import { graphFromOnnx } from '../graph/from-onnx';
import { readModel } from '../onnx';
import { quantizeStatic } from '../quant/api';
import { OBSERVER_NAMES, QCONFIG_NAMES } from '../quant/qconfig';
import { renderReport } from '../report/render';
import { calibrationProgress, exclusions, oneOf } from './quantize';

export interface InspectCommandOptions {
  int8?: string;
  calib: string;
  limit: string;
  backend?: string;
  json?: boolean;
  report?: string;
  top: string;
  qconfig?: string;
  observer?: string;
  perChannel?: boolean;
  exclude?: string;
  preprocess?: string;
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!(Number.isSafeInteger(n) && n >= 1)) throw invalid(flag, 'an integer >= 1', v);
  return n;
}

/** JSON has no Infinity: an exact match (SQNR +inf) is written as the string "Infinity". */
const jsonNumbers = (_: string, v: unknown) => (v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v);

export async function inspectCommand(modelPath: string, opts: InspectCommandOptions): Promise<void> {
  const limit = positiveInt('--limit', opts.limit), top = positiveInt('--top', opts.top);
  const qconfig = oneOf('--qconfig', opts.qconfig, QCONFIG_NAMES);
  const observer = oneOf('--observer', opts.observer, OBSERVER_NAMES);
  const preprocess = oneOf('--preprocess', opts.preprocess, PREPROCESS_NAMES) as PreprocessName | undefined;
  if (!existsSync(modelPath)) throw invalid('MODEL', 'an existing ONNX file', modelPath);
  if (opts.int8 !== undefined) {
    if (!existsSync(opts.int8)) throw invalid('--int8', 'an existing ONNX file', opts.int8);
    for (const [flag, v] of [['--qconfig', qconfig], ['--observer', observer], ['--per-channel', opts.perChannel], ['--exclude', opts.exclude]] as const)
      if (v !== undefined) throw new InvalidArgumentError(`Expected no quantize option with --int8 (the model is already quantized) but received ${flag}`);
  }
  const graph = graphFromOnnx(readModel(modelPath));
  // Inspect holds every sample's activations: the samples are read once, into memory.
  const samples: Feeds[] = [];
  for await (const f of calibrationFeeds(opts.calib, graph, { samples: limit, preprocess })) samples.push(f);

  let int8: string | Uint8Array;
  if (opts.int8 !== undefined) int8 = opts.int8;
  else {
    // The same quantization as `int8kit quantize --mode static` with these options.
    const bar = calibrationProgress(samples.length);
    try {
      const q = await quantizeStatic(modelPath, { calibration: samples, qconfig, observer, perChannel: opts.perChannel, exclude: exclusions(opts.exclude, graph), onProgress: (n) => bar.update(n) });
      int8 = q.toBytes();
    } finally {
      bar.stop();
    }
  }
  let shown = 0;
  const result = await inspect(modelPath, int8, samples, {
    backend: opts.backend,
    onProgress: (done, total) => {
      // A line per quarter of the model runs (FP32, simulated, INT8 and two per layer, on each sample).
      const quarter = Math.floor((4 * done) / total);
      if (quarter > shown) process.stderr.write(`inspecting: ${(shown = quarter) * 25}% (${done}/${total} runs)\n`);
    },
  });
  if (opts.json) console.log(JSON.stringify(result, jsonNumbers));
  else console.log(formatInspect(result, top));
  if (opts.report !== undefined) {
    writeFileSync(opts.report, renderReport(inspectReportDoc(result, `int8kit inspect: ${basename(modelPath)}`, top)));
    if (!opts.json) console.log(`wrote ${opts.report}`);
  }
}
