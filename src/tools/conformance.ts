// Runs the ONNX conformance tests of Debian's libonnx-testdata (model.onnx + test_data_set_*/
// input_N.pb, output_N.pb) on a backend and compares with the stored outputs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnsupportedOpError } from '../errors';
import { readTensor } from '../onnx';
import { Session } from '../runtime/session';
import { Tensor } from '../runtime/tensor';

export const DEFAULT_DATA = '/usr/share/libonnx-testdata/data';
export const SUITES = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'];

export type Outcome = 'pass' | 'fail' | 'unsupported';
export interface CaseResult {
  name: string;
  suite: string;
  outcome: Outcome;
  /** The op the test is named after (test_conv_with_strides -> conv), for per-op tables. */
  op: string;
  detail?: string;
}

/** ONNX's backend tests compare with rtol 1e-3, atol 1e-7; we allow atol 1e-5 for float32 summation order. */
function compare(name: string, got: Tensor, want: Tensor): string | undefined {
  if (got.type !== want.type) return `${name}: dtype ${got.type}, expected ${want.type}`;
  if (got.dims.join() !== want.dims.join()) return `${name}: dims [${got.dims}], expected [${want.dims}]`;
  const a = got.data as ArrayLike<number | bigint>, b = want.data as ArrayLike<number | bigint>;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]), y = Number(b[i]);
    const ok = got.type === 'float32' ? Math.abs(x - y) <= 1e-5 + 1e-3 * Math.abs(y) || (Number.isNaN(x) && Number.isNaN(y)) : x === y;
    if (!ok) return `${name}[${i}] = ${x}, expected ${y}`;
  }
  return undefined;
}

const pbTensor = (file: string): Tensor => {
  const t = readTensor(readFileSync(file));
  return new Tensor(t.dtype as never, t.data as never, t.dims);
};

export async function runCase(dir: string, suite: string, backend: string): Promise<CaseResult> {
  const name = dir.split('/').pop()!;
  const op = name.replace(/^test_/, '').split('_')[0];
  const base = { name, suite, op };
  let session: Session;
  try {
    session = await Session.create(join(dir, 'model.onnx'), { backend });
  } catch (e) {
    return { ...base, outcome: e instanceof UnsupportedOpError ? 'unsupported' : 'fail', detail: (e as Error).message };
  }
  try {
    for (const set of readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort()) {
      const files = (prefix: string) => readdirSync(join(dir, set)).filter((f) => f.startsWith(prefix)).sort((x, y) => parseInt(x.slice(prefix.length)) - parseInt(y.slice(prefix.length)));
      const feeds = Object.fromEntries(files('input_').map((f, i) => [session.inputNames[i], pbTensor(join(dir, set, f))]));
      const out = await session.run(feeds);
      for (const [i, f] of files('output_').entries()) {
        const wrong = compare(session.outputNames[i], out[session.outputNames[i]], pbTensor(join(dir, set, f)));
        if (wrong) return { ...base, outcome: 'fail', detail: `${set}: ${wrong}` };
      }
    }
    return { ...base, outcome: 'pass' };
  } catch (e) {
    return { ...base, outcome: e instanceof UnsupportedOpError ? 'unsupported' : 'fail', detail: (e as Error).message };
  } finally {
    session.release();
  }
}

/** Every test directory of the suites, with its suite name. */
export function listCases(data = DEFAULT_DATA, filter?: RegExp): { dir: string; suite: string }[] {
  if (!existsSync(data)) return [];
  return SUITES.flatMap((suite) =>
    existsSync(join(data, suite))
      ? readdirSync(join(data, suite))
          .filter((d) => existsSync(join(data, suite, d, 'model.onnx')) && (!filter || filter.test(d)))
          .sort()
          .map((d) => ({ dir: join(data, suite, d), suite }))
      : [],
  );
}

export async function runConformance(backend: string, data = DEFAULT_DATA, filter?: RegExp): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of listCases(data, filter)) results.push(await runCase(c.dir, c.suite, backend));
  return results;
}

/** pass/total per op, and the unsupported ops, as printable lines. */
export function summarize(results: CaseResult[]): string {
  const byOp = new Map<string, CaseResult[]>();
  for (const r of results) byOp.set(r.op, [...(byOp.get(r.op) ?? []), r]);
  const lines = [...byOp.entries()].sort().map(([op, rs]) => {
    const pass = rs.filter((r) => r.outcome === 'pass').length;
    const uns = rs.filter((r) => r.outcome === 'unsupported').length;
    return `${op.padEnd(28)} ${pass}/${rs.length}${uns ? ` (${uns} unsupported)` : ''}`;
  });
  const total = results.filter((r) => r.outcome === 'pass').length;
  const unsupported = [...new Set(results.filter((r) => r.outcome === 'unsupported').map((r) => /\((\w+)\)/.exec(r.detail ?? '')?.[1] ?? r.op))].sort();
  return [...lines, '', `passed ${total}/${results.length}`, `unsupported ops: ${unsupported.join(', ')}`].join('\n');
}
