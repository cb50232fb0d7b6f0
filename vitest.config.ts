import { defineConfig } from 'vitest/config';

// Two tiers: `unit` is the fast default run (loopback only, no browser);
// `e2e` drives a real browser and the Teams client simulator.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**'],
          // Each file in its own child process (forks, isolated), as many at once as vitest's default
          // (one per core but one: a single worker on 2 cores). On a busy 2-core machine a second worker
          // or threads gained under 10% and made tests with time budgets (lab sources, faults) time out;
          // sharing modules across files (isolate: false) leaks vi.mock between files; vmForks breaks ESM imports.
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
