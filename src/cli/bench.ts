// int8kit bench MODEL [--quantize [--mode static|dynamic] [--calib DATA]] [--int8 QMODEL] ...: flags
// checked up front (one clear error each), then src/bench/bench.ts.
import { existsSync, statSync } from 'node:fs';
import { InvalidArgumentError, invalid } from '../errors';
import { bench, BUILTIN_MODELS, SESSION_BACKENDS } from '../bench/bench';
import type { Int8Request, QuantizeMode } from '../bench/int8-model';
import { parseProbe, probe } from '../bench/memory-probe';
import { formatTable, toJson } from '../bench/report';

export interface BenchCliOptions {
  backends: string;
  threads: string;
  peers?: string;
  rounds: string;
  roundMs: string;
  json?: boolean;
  inputShape: string[];
  quantize?: boolean;
  mode?: string;
  calib?: string;
  samples?: string;
  int8?: string;
  /** Hidden: measure one row's memory in this (fresh) process and print it as JSON (memory-probe.ts). */
  probe?: string;
}

const PEERS = ['onnxruntime'];

function list(flag: string, value: string, allowed: readonly string[]): string[] {
  const items = value.split(',').map((s) => s.trim());
  for (const item of items) if (!allowed.includes(item)) throw invalid(flag, `a comma-separated list of ${allowed.join(', ')}`, item);
  return items;
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

function int8Request(o: BenchCliOptions): Int8Request | undefined {
  if (o.quantize && o.int8 !== undefined) throw new InvalidArgumentError('Expected either --quantize or --int8 QMODEL but received both');
  if (!o.quantize)
    for (const [flag, v] of [['--mode', o.mode], ['--calib', o.calib], ['--samples', o.samples]] as const)
      if (v !== undefined) throw new InvalidArgumentError(`Expected --quantize with ${flag} but received ${flag} without --quantize`);
  if (o.int8 !== undefined) {
    if (!isFile(o.int8)) throw invalid('--int8', 'an existing quantized ONNX file', o.int8);
    return { file: o.int8 };
  }
  if (!o.quantize) return undefined;
  if (o.mode !== undefined && o.mode !== 'static' && o.mode !== 'dynamic') throw invalid('--mode', 'static or dynamic', o.mode);
  const samples = o.samples === undefined ? undefined : Number(o.samples);
  if (samples !== undefined && !(Number.isSafeInteger(samples) && samples >= 1)) throw invalid('--samples', 'an integer >= 1', o.samples);
  return { quantize: { mode: o.mode as QuantizeMode | undefined, calib: o.calib, samples } };
}

export async function benchCommand(model: string, o: BenchCliOptions): Promise<void> {
  if (!BUILTIN_MODELS[model] && !isFile(model)) throw invalid('MODEL', `an ONNX file or one of ${Object.keys(BUILTIN_MODELS).join(', ')}`, model);
  const threads = o.threads.split(',').map(Number);
  if (!threads.every((t) => Number.isInteger(t) && t >= 1 && t <= 256)) throw invalid('--threads', 'a list of integers in [1, 256] such as 1,2', o.threads);
  const rounds = Number(o.rounds);
  if (!(Number.isSafeInteger(rounds) && rounds >= 1)) throw invalid('--rounds', 'an integer >= 1', o.rounds);
  const roundMs = Number(o.roundMs);
  if (!(Number.isFinite(roundMs) && roundMs >= 0)) throw invalid('--round-ms', 'a number of milliseconds >= 0', o.roundMs);
  const backends = list('--backends', o.backends, SESSION_BACKENDS);
  const peers = o.peers ? list('--peers', o.peers, PEERS) : [];
  const inputShapes = Object.fromEntries(o.inputShape.map((spec) => {
    const [name, dims] = spec.split('=');
    if (!name || !dims || !/^\d+(x\d+)*$/.test(dims)) throw invalid('--input-shape', 'NAME=1x3x224x224', spec);
    return [name, dims.split('x').map(Number)];
  }));
  if (o.probe !== undefined) {
    if (!isFile(model)) throw invalid('MODEL', 'an ONNX file for --probe', model);
    console.log(JSON.stringify(await probe(model, parseProbe(o.probe), inputShapes)));
    return;
  }
  const report = await bench(model, { backends, threads, peers, rounds, roundMs, inputShapes, int8: int8Request(o), memoryProbe: { cli: process.argv[1] } });
  console.log(o.json ? toJson(report) : formatTable(report));
}
