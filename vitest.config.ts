import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // 2-core machines: a worker per core; CLI end-to-end tests spawn their own processes.
    maxWorkers: 2,
  },
});
