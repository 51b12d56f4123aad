// npm run conformance [-- --backend native,wasm] [--filter REGEX] [--json] [--failures]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { runConformance, summarize } from './conformance';

const opts = new Command()
  .option('--backend <list>', 'backends to run', 'native,wasm')
  .option('--filter <regex>', 'only tests whose directory name matches')
  .option('--data <dir>', 'libonnx-testdata data directory')
  .option('--failures', 'list failing tests with the reason')
  .option('--json', 'print results as JSON')
  .option('--write-baseline', 'record the passing tests in test/conformance-baseline.json')
  .parse()
  .opts();

(async () => {
  const baseline: Record<string, string[]> = {};
  for (const backend of String(opts.backend).split(',')) {
    const results = await runConformance(backend, opts.data, opts.filter ? new RegExp(opts.filter) : undefined);
    baseline[backend] = results.filter((r) => r.outcome === 'pass').map((r) => `${r.suite}/${r.name}`).sort();
    if (opts.json) {
      console.log(JSON.stringify({ backend, results }));
      continue;
    }
    console.log(`\n# ${backend}\n${summarize(results)}`);
    if (opts.failures) for (const r of results.filter((x) => x.outcome === 'fail')) console.log(`FAIL ${r.suite}/${r.name}: ${r.detail}`);
  }
  if (opts.writeBaseline) {
    const file = join(__dirname, '..', 'test', 'conformance-baseline.json');
    writeFileSync(file, `${JSON.stringify(baseline, null, 1)}\n`);
    console.log(`wrote ${file}`);
  }
})();
