import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: one worker per core keeps timing-sensitive checks (event loop liveness) meaningful.
    maxWorkers: 2,
  },
});
