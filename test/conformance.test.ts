// The ONNX conformance tests (libonnx-testdata) on both backends: every test in the committed
// baseline must still pass (CI fails on a regression); tests that newly pass are reported so the
// baseline can grow (`npm run conformance -- --write-baseline`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA, runConformance, summarize } from '../src/tools/conformance';

const baseline: Record<string, string[]> = JSON.parse(readFileSync(join(__dirname, 'conformance-baseline.json'), 'utf8'));

describe.skipIf(!existsSync(DEFAULT_DATA))('ONNX conformance (needs libonnx-testdata)', () => {
  it.each(['native', 'wasm'])('%s passes every baseline test', async (backend) => {
    const results = await runConformance(backend);
    const passed = new Set(results.filter((r) => r.outcome === 'pass').map((r) => `${r.suite}/${r.name}`));
    const regressions = baseline[backend].filter((name) => !passed.has(name)).map((name) => {
      const r = results.find((x) => `${x.suite}/${x.name}` === name);
      return `${name}: ${r?.outcome ?? 'missing'} ${r?.detail ?? ''}`;
    });
    const gained = [...passed].filter((name) => !baseline[backend].includes(name));
    if (gained.length) console.log(`${backend}: ${gained.length} tests pass that the baseline does not list`);
    console.log(`${backend}\n${summarize(results).split('\n').slice(-2).join('\n')}`);
    expect(regressions).toEqual([]);
    expect(passed.size).toBeGreaterThanOrEqual(baseline[backend].length);
  }, 300_000);
});
