/**
 * The hypothesis tests behind the findings, each exact or stated with its assumption:
 *
 *   binomial tail     P(X ≥ k), X ~ Bin(n, p), summed in log space (exact)
 *   exact McNemar     paired successes: of the d = b + c discordant pairs, b favour A; under H₀ (no
 *                     difference) b ~ Bin(d, ½); one-sided p = P(X ≥ b). The 95% Clopper–Pearson interval
 *                     of π = P(A wins a discordant pair) is its CI (π > ½ ⇔ A succeeds more often).
 *   Fisher exact      unpaired 2×2 table, one-sided P(X ≥ a) under the hypergeometric law
 *   paired t          differences dᵢ = aᵢ − bᵢ over shared seeds: mean ± t_{0.975, n−1}·sd/√n; one-sided
 *                     p = P(T_{n−1} ≥ d̄/(sd/√n)) (Gaussian differences assumed)
 *   Holm              step-down adjustment of m p-values: p̃₍ᵢ₎ = max_{j≤i} min(1, (m − j + 1)·p₍ⱼ₎),
 *                     controlling the family-wise error rate at α for any dependence between the tests
 */
import { incompleteBeta, studentTCdf, studentTQuantile } from '../diagnostics/stats.js';

function lnFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}
const lnChoose = (n: number, k: number): number => lnFactorial(n) - lnFactorial(k) - lnFactorial(n - k);

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialUpper(k: number, n: number, p = 0.5): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let s = 0;
  for (let x = k; x <= n; x++) s += Math.exp(lnChoose(n, x) + x * Math.log(p) + (n - x) * Math.log(1 - p));
  return Math.min(1, s);
}

/** Two-sided (1 − alpha) Clopper–Pearson interval of a binomial proportion k/n (exact, conservative). */
export function clopperPearson(k: number, n: number, alpha = 0.05): [number, number] {
  if (n <= 0) return [0, 1];
  // lower: I_p(k, n−k+1) = α/2; upper: I_p(k+1, n−k) = 1 − α/2 (the beta quantiles), by bisection.
  const solve = (a: number, b: number, target: number): number => {
    let lo = 0,
      hi = 1;
    for (let i = 0; i < 80; i++) {
      const mid = (lo + hi) / 2;
      if (incompleteBeta(mid, a, b) < target) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  return [k === 0 ? 0 : solve(k, n - k + 1, alpha / 2), k === n ? 1 : solve(k + 1, n - k, 1 - alpha / 2)];
}

export interface McNemar {
  /** Pairs where only A succeeded, only B succeeded, both, neither. */
  onlyA: number;
  onlyB: number;
  both: number;
  neither: number;
  /** One-sided exact p of "A succeeds more often" (1 without discordant pairs). */
  p: number;
  /** 95% Clopper–Pearson CI of P(A wins a discordant pair); [0, 1] without discordant pairs. */
  ci: [number, number];
}

/** Exact McNemar test on paired binary outcomes (A's and B's success on the same seeds). */
export function mcnemar(pairs: readonly (readonly [boolean, boolean])[]): McNemar {
  let onlyA = 0,
    onlyB = 0,
    both = 0,
    neither = 0;
  for (const [a, b] of pairs) {
    if (a && b) both++;
    else if (a) onlyA++;
    else if (b) onlyB++;
    else neither++;
  }
  const d = onlyA + onlyB;
  return { onlyA, onlyB, both, neither, p: binomialUpper(onlyA, d), ci: clopperPearson(onlyA, d) };
}

/** One-sided Fisher exact test: P(X ≥ a) for a successes of n1 in group 1, c of n2 in group 2. */
export function fisherGreater(a: number, n1: number, c: number, n2: number): number {
  const K = a + c,
    N = n1 + n2;
  let p = 0;
  for (let x = a; x <= Math.min(K, n1); x++) p += Math.exp(lnChoose(K, x) + lnChoose(N - K, n1 - x) - lnChoose(N, n1));
  return Math.min(1, p);
}

export interface MeanTest {
  n: number;
  mean: number;
  sd: number;
  /** 95% t confidence interval of the mean. */
  lo: number;
  hi: number;
  /** One-sided p of "the mean is greater than `null`" (t test with n − 1 degrees of freedom). */
  p: number;
}

/** One-sample t test and 95% CI of the mean of `values` (null with fewer than 2 finite values). */
export function meanTest(values: readonly number[], nullValue = 0): MeanTest | null {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  if (n < 2) return null;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const se = sd / Math.sqrt(n);
  const half = studentTQuantile(0.975, n - 1) * se;
  // Identical differences: no spread to estimate; the sign of the mean decides with certainty.
  const p = se > 0 ? 1 - studentTCdf((mean - nullValue) / se, n - 1) : mean > nullValue ? 0 : 1;
  return { n, mean, sd, lo: mean - half, hi: mean + half, p };
}

/** Paired t test of "A's value exceeds B's", over the seeds both have (null with fewer than 2 pairs). */
export function pairedTest(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): MeanTest | null {
  const d: number[] = [];
  for (const [seed, x] of a) {
    const y = b.get(seed);
    if (y !== undefined && Number.isFinite(x) && Number.isFinite(y)) d.push(x - y);
  }
  return meanTest(d);
}

/** Holm's step-down adjustment; returns adjusted p-values in the input order. */
export function holm(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], j) => {
    running = Math.max(running, Math.min(1, (m - j) * p));
    out[i] = running;
  });
  return out;
}
