import { defineConfig } from 'vitest/config';

// One process, no module isolation between files: integration tests share one
// migrated database per dialect (src/db is opened once in test/support/db.ts) and
// isolate themselves by organisation, because opening a PGlite costs seconds and
// ~450 MB (issue 2, "practicalities").
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    isolate: false,
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
