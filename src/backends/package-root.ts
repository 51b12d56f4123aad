import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The int8kit package directory, found from this file whether it runs from src/ or dist/. */
export function packageRoot(): string {
  if (root) return root;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'int8kit') return (root = dir);
    if (dirname(dir) === dir) throw new Error(`int8kit: cannot find the package root above ${__dirname}`);
  }
}
