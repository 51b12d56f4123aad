import { defineConfig } from 'tsup';

// One bundle per entry in both module systems; the CLI is CommonJS only (bin/int8kit.cjs).
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['cjs', 'esm'],
    dts: true,
    shims: true,
    clean: true,
    target: 'node20',
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.mjs' }),
  },
  {
    entry: { cli: 'src/cli/main.ts', conformance: 'src/tools/conformance-cli.ts' },
    format: ['cjs'],
    shims: true,
    target: 'node20',
    outExtension: () => ({ js: '.cjs' }),
  },
]);
