import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { invalid } from '../errors';
import { readNpy, writeNpy } from '../io/npy';
import { Session } from '../runtime/session';
import type { Tensor } from '../runtime/tensor';

export interface RunOptions {
  input: string[];
  outputDir: string;
  backend?: string;
  threads?: string;
}

/** int8kit run MODEL --input NAME=FILE.npy ... --output-dir DIR: one DIR/<output>.npy per output. */
export async function runCommand(model: string, opts: RunOptions): Promise<void> {
  const threads = opts.threads === undefined ? undefined : Number(opts.threads);
  const session = await Session.create(model, { backend: opts.backend, threads });
  const feeds: Record<string, Tensor> = {};
  for (const spec of opts.input) {
    const eq = spec.indexOf('=');
    if (eq < 1) throw invalid('--input', 'NAME=FILE.npy', spec);
    const [name, file] = [spec.slice(0, eq), spec.slice(eq + 1)];
    feeds[name] = readNpy(readFileSync(file), file);
  }
  const outputs = await session.run(feeds);
  mkdirSync(opts.outputDir, { recursive: true });
  for (const [name, t] of Object.entries(outputs)) {
    // Output names may contain characters a file name cannot.
    const file = join(opts.outputDir, `${name.replace(/[^\w.-]/g, '_')}.npy`);
    writeFileSync(file, writeNpy(t));
    console.log(`${name}: ${t.type}[${t.dims}] -> ${file}`);
  }
  session.release();
}
