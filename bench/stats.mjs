/**
 * The benchmark's statistics: medians, and a bootstrap confidence interval on a speed ratio measured in
 * interleaved rounds (bench/rounds.mjs).
 *
 * A ratio is peer's median ms / recur's median ms over all timed steps. Its 95% interval comes from a paired
 * bootstrap over rounds: draw R of the rounds both took part in, with replacement, pool each side's steps of
 * the drawn rounds, take the ratio of the two medians; the 2.5% and 97.5% quantiles of 2,000 such ratios
 * bound it. Resampling whole rounds keeps the pairing: a round in which the machine was busy is drawn (or
 * not) for both frameworks together, so load that drifts during the run widens the interval instead of
 * biasing one side. The resampling is seeded: the same samples give the same interval.
 */

/** Median of a list of numbers (NaN when empty). */
export function median(xs) {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  return n === 0 ? Number.NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Deterministic uniform [0, 1) generator (mulberry32). */
export function uniform(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** q-quantile of sorted values (linear interpolation). */
function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q,
    lo = Math.floor(pos),
    hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Speed ratio peer/recur with a paired bootstrap 95% interval over rounds. `recur` and `peer` are per-round
 * lists of step times in ms (index = round; an empty or missing round did not include that side).
 * Returns { speedup, lo, hi, rounds } (lo = hi = speedup when fewer than 2 shared rounds).
 */
export function ratioCI(recur, peer, { resamples = 2000, seed = 1, level = 0.95 } = {}) {
  const speedup = median(peer.flat()) / median(recur.flat());
  const shared = [];
  for (let r = 0; r < Math.min(recur.length, peer.length); r++) if (recur[r]?.length && peer[r]?.length) shared.push(r);
  if (shared.length < 2) return { speedup, lo: speedup, hi: speedup, rounds: shared.length };
  const rand = uniform(seed);
  const draws = new Float64Array(resamples);
  const a = [],
    b = [];
  for (let i = 0; i < resamples; i++) {
    a.length = 0;
    b.length = 0;
    for (let j = 0; j < shared.length; j++) {
      const r = shared[Math.floor(rand() * shared.length)];
      for (const x of recur[r]) a.push(x);
      for (const x of peer[r]) b.push(x);
    }
    draws[i] = median(b) / median(a);
  }
  draws.sort();
  const tail = (1 - level) / 2;
  return { speedup, lo: quantile(draws, tail), hi: quantile(draws, 1 - tail), rounds: shared.length };
}

/**
 * A target on a speed ratio, decided by its interval: 'met' when the whole interval is at or above the
 * target, 'not met' when it is all below, else 'undecided' (the run cannot tell).
 */
export function verdict(ci, target) {
  if (ci.lo >= target) return 'met';
  if (ci.hi < target) return 'not met';
  return 'undecided';
}
