/**
 * Fuzz: corrupted model files (truncations, byte flips, lying header lengths, deep-nested headers, edited
 * configs — hidden 12000, layers 1e6, bogus activations, unknown keys, other versions — and edited tensor
 * entries), each loaded (and, when accepted, run on a small batch) in a child process with capped memory
 * and time. Every case must load or fail with an Error naming the file.
 * Larger runs: RECUR_FUZZ_COUNT=1000 [RECUR_FUZZ_SEED=n] npx vitest run test/fuzz
 */
import { describe, expect, it } from 'vitest';
import { fuzzCount, fuzzSeed, runFuzz } from './harness.js';

describe('fuzz: model files', () => {
  const count = fuzzCount(300);
  it(
    `${count} corrupted model files: each loads or is refused cleanly, bounded in time and memory`,
    async () => {
      const run = await runFuzz('model', { seed: fuzzSeed(), count, heapMb: 256, rssCapMb: 768 });
      console.log(
        `model fuzz: ${count} cases in ${run.seconds.toFixed(1)} s: ${run.counts.ok} loaded, ${run.counts.error} refused, ${run.counts.bad} unclean; peak RSS ${run.maxRss.toFixed(0)} MB`,
      );
      expect(run.failures).toEqual([]);
      expect(run.counts.error).toBeGreaterThan(count / 2);
      expect(run.counts.ok).toBeGreaterThan(0);
    },
    30_000 + 500 * count,
  );
});
