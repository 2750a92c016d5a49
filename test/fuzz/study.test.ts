/**
 * Fuzz: generated mutations of study files (grid bombs, huge seeds, models and tasks past every limit,
 * hostile names, broken YAML, alias bombs, deep nesting, FIFOs, devices, oversized files), run through
 * loading, expansion and validation in a child process with capped memory and time. Every case must end in
 * success or a StudyError naming the file — never a crash, a hang or a blow-up.
 * Larger runs: RECUR_FUZZ_COUNT=1000 [RECUR_FUZZ_SEED=n] npx vitest run test/fuzz
 */
import { describe, expect, it } from 'vitest';
import { fuzzCount, fuzzSeed, runFuzz } from './harness.js';

describe('fuzz: study files', () => {
  const count = fuzzCount(200);
  it(
    `${count} mutated study files: each accepted or refused cleanly, bounded in time and memory`,
    async () => {
      const run = await runFuzz('study', { seed: fuzzSeed(), count });
      console.log(
        `study fuzz: ${count} cases in ${run.seconds.toFixed(1)} s: ${run.counts.ok} accepted, ${run.counts.error} refused, ${run.counts.bad} unclean; peak RSS ${run.maxRss.toFixed(0)} MB`,
      );
      expect(run.failures).toEqual([]);
      expect(run.counts.error).toBeGreaterThan(count / 2);
      expect(run.counts.ok).toBeGreaterThan(0);
    },
    30_000 + 1_500 * count,
  );
});
