/**
 * Timing of one step function: `warmup` untimed steps, then timed steps — at least `minRepeats`, and more
 * until `budgetMs` of timed work or `maxRepeats` — each step timed on its own. Reports the median and the
 * minimum (the median is the headline: robust to a noisy shared machine; the min shows the floor).
 */

/** Repeat policies: `full` for a real run, `quick` for a smoke run; slow peers get fewer repeats. */
export const POLICIES = {
  full: {
    default: { warmup: 5, minRepeats: 15, maxRepeats: 200, budgetMs: 6000 },
    slow: { warmup: 1, minRepeats: 3, maxRepeats: 10, budgetMs: 6000 },
  },
  quick: {
    default: { warmup: 2, minRepeats: 3, maxRepeats: 20, budgetMs: 1000 },
    slow: { warmup: 1, minRepeats: 1, maxRepeats: 2, budgetMs: 1000 },
  },
};

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Time `step` under `policy`. `step` completes its work before it returns (or before its Promise resolves:
 * TF.js's trainOnBatch is async); awaiting a plain value costs a microtask, well under a microsecond.
 */
export async function timeSteps(step, policy) {
  for (let i = 0; i < policy.warmup; i++) await step();
  globalThis.gc?.(); // start the timed run from a clean JS heap (node --expose-gc)
  const samples = [];
  let total = 0;
  while (samples.length < policy.minRepeats || (total < policy.budgetMs && samples.length < policy.maxRepeats)) {
    const t0 = performance.now();
    await step();
    const ms = performance.now() - t0;
    samples.push(ms);
    total += ms;
  }
  return {
    medianMs: median(samples),
    minMs: Math.min(...samples),
    repeats: samples.length,
    warmup: policy.warmup,
    samples,
  };
}

/** Peak resident set size of this process so far, in bytes. */
export function peakRss() {
  return process.resourceUsage().maxRSS * 1024;
}
