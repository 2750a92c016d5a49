/** Types of bench/stats.mjs (for the tests under test/bench/). */
export interface Interval {
  speedup: number;
  lo: number;
  hi: number;
  rounds: number;
}
export function median(xs: ArrayLike<number>): number;
export function uniform(seed: number): () => number;
export function ratioCI(
  recur: number[][],
  peer: number[][],
  opts?: { resamples?: number; seed?: number; level?: number },
): Interval;
export function verdict(ci: { lo: number; hi: number }, target: number): 'met' | 'not met' | 'undecided';
