/** The ONNX conformance data of Debian's libonnx-testdata: model.onnx plus test_data_set_N/{input,output}_N.pb. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OnnxModel, OnnxValueInfo } from '../../src/onnx';

export const CONFORMANCE_ROOT = '/usr/share/libonnx-testdata/data';
export const SUITES = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'] as const;

export interface ConformanceCase {
  suite: string;
  name: string;
  dir: string;
  model: string;
  /** test_data_set_N directories, each with its input_N.pb and output_N.pb files in index order. */
  dataSets: { inputs: string[]; outputs: string[] }[];
}

const byIndex = (files: string[], prefix: string) =>
  files.filter((f) => f.startsWith(prefix) && f.endsWith('.pb')).sort((a, b) => parseInt(a.slice(prefix.length)) - parseInt(b.slice(prefix.length)));

export function conformanceCases(): ConformanceCase[] {
  if (!existsSync(CONFORMANCE_ROOT)) return [];
  const cases: ConformanceCase[] = [];
  for (const suite of SUITES) {
    const root = join(CONFORMANCE_ROOT, suite);
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root).sort()) {
      const dir = join(root, name);
      const model = join(dir, 'model.onnx');
      if (!existsSync(model)) continue;
      const dataSets = readdirSync(dir)
        .filter((d) => d.startsWith('test_data_set_'))
        .sort()
        .map((d) => {
          const files = readdirSync(join(dir, d));
          return { inputs: byIndex(files, 'input_').map((f) => join(dir, d, f)), outputs: byIndex(files, 'output_').map((f) => join(dir, d, f)) };
        });
      cases.push({ suite, name, dir, model, dataSets });
    }
  }
  return cases;
}

/** The graph inputs a caller feeds (initializers listed as inputs are defaults, not fed by the data sets). */
export function fedInputs(model: OnnxModel): OnnxValueInfo[] {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  return model.graph.inputs.filter((v) => !inits.has(v.name));
}

/** input_N.pb / output_N.pb hold a TensorProto only when the value is a tensor (else a SequenceProto or OptionalProto). */
export const isTensor = (v: OnnxValueInfo | undefined) => v?.type?.kind === 'tensor';
