/**
 * T₅₀, the sequence length at which training success falls to 50%, from a logistic fit of success
 * against log T, with a bootstrap confidence interval.
 *
 *   model      P(success | T) = σ(β₀ + β₁·log T),  T₅₀ = exp(−β₀/β₁)
 *   fit        maximum likelihood over the levels (T, n trials, k successes) by Newton's method with step
 *              halving (the log-likelihood is concave, so this converges whenever the maximum exists)
 *   separation the maximum does not exist when the outcomes are separated by T: every level below some
 *              length always succeeded and every level above always failed, with at most one mixed level
 *              between (quasi-complete separation; the fitted slope runs to −∞). Then no number is
 *              reported, only what the data bound: "T₅₀ > max T" (all solved), "T₅₀ < min T" (none solved),
 *              or "T₅₀ between T_a and T_b" (the last level that always succeeded and the first that always
 *              failed around the step).
 *   bootstrap  B replicates resampling seeds within each T (k* ~ the level's own outcomes drawn n times with
 *              replacement), from a fixed RNG seed so the report is reproducible; each replicate's T₅₀ is its
 *              estimate or, when separated, its limit (+∞ above, 0 below, the step's geometric midpoint);
 *              the CI is the 2.5% and 97.5% percentiles (possibly 0 or +∞: an open side).
 */
import { Rng } from '../tensor/rng.js';
import { fmt } from './stats.js';

export interface Level {
  T: number;
  /** Trials at this length (implied failures included). */
  n: number;
  /** Successes. */
  k: number;
}

export interface T50Fit {
  kind: 'estimate' | 'above' | 'below' | 'between';
  /** The estimate ('estimate'), else null. */
  t50: number | null;
  /** 'estimate': bootstrap 95% CI (0 or +∞ where open); 'between': the bounds; 'above': [max T, +∞]; 'below': [0, min T]. */
  lo: number;
  hi: number;
  /** Fitted β₁ (per unit log T) and β₀ ('estimate' only). */
  slope: number | null;
  intercept: number | null;
  /** Success rises with T (β₁ > 0): T₅₀ is then where it rises through 50%. */
  rising: boolean;
  levels: Level[];
  /** "T₅₀ = 61 [40, 95]", "T₅₀ > 256", "T₅₀ < 16", "T₅₀ between 32 and 128". */
  text: string;
}

export const BOOTSTRAP = 2000;

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

function logLik(levels: readonly Level[], b0: number, b1: number): number {
  let s = 0;
  for (const l of levels) {
    const z = b0 + b1 * Math.log(l.T);
    // log σ(z) = −log(1 + e^−z), written to stay finite for large |z|
    const logP = -(Math.max(0, -z) + Math.log1p(Math.exp(-Math.abs(z))));
    const logQ = -(Math.max(0, z) + Math.log1p(Math.exp(-Math.abs(z))));
    s += l.k * logP + (l.n - l.k) * logQ;
  }
  return s;
}

/** Maximum-likelihood (β₀, β₁) when it exists (no separation); null if Newton fails to converge. */
export function fitLogistic(levels: readonly Level[]): { b0: number; b1: number } | null {
  const x = levels.map((l) => Math.log(l.T));
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  let b0 = 0,
    b1 = 0; // in centred coordinates z = b0 + b1·(x − mx), better conditioned
  const centred = levels.map((l, i) => ({ ...l, T: Math.exp(x[i] - mx) }));
  let ll = logLik(centred, b0, b1);
  for (let it = 0; it < 100; it++) {
    let g0 = 0,
      g1 = 0,
      h00 = 0,
      h01 = 0,
      h11 = 0;
    centred.forEach((l, i) => {
      const xi = x[i] - mx,
        p = sigmoid(b0 + b1 * xi),
        w = l.n * p * (1 - p),
        r = l.k - l.n * p;
      g0 += r;
      g1 += r * xi;
      h00 += w;
      h01 += w * xi;
      h11 += w * xi * xi;
    });
    const det = h00 * h11 - h01 * h01;
    if (!(det > 1e-300)) return null;
    const d0 = (h11 * g0 - h01 * g1) / det,
      d1 = (h00 * g1 - h01 * g0) / det;
    let step = 1,
      next = logLik(centred, b0 + d0, b1 + d1);
    while (next < ll - 1e-12 && step > 1e-6) {
      step /= 2;
      next = logLik(centred, b0 + step * d0, b1 + step * d1);
    }
    b0 += step * d0;
    b1 += step * d1;
    const done = Math.abs(next - ll) < 1e-12 && Math.abs(step * d1) < 1e-10;
    ll = next;
    if (done) break;
  }
  return Number.isFinite(b0) && Number.isFinite(b1) ? { b0: b0 - b1 * mx, b1 } : null;
}

type Separated = { kind: 'above' | 'below' | 'between'; lo: number; hi: number; rising: boolean; limit: number };

/** Whether the outcomes are (quasi-)completely separated by T, and what they bound. */
export function separation(levels: readonly Level[]): Separated | null {
  const ls = levels.filter((l) => l.n > 0);
  const Ts = ls.map((l) => l.T);
  if (ls.every((l) => l.k === l.n))
    return { kind: 'above', lo: Math.max(...Ts), hi: Infinity, rising: false, limit: Infinity };
  if (ls.every((l) => l.k === 0)) return { kind: 'below', lo: 0, hi: Math.min(...Ts), rising: false, limit: 0 };
  for (const rising of [false, true]) {
    const seq = rising ? [...ls].reverse() : ls; // successes first, failures after
    const mixed = seq.map((l, i) => (l.k > 0 && l.k < l.n ? i : -1)).filter((i) => i >= 0);
    if (mixed.length > 1) continue;
    const firstFail = seq.findIndex((l) => l.k < l.n);
    const lastSuccess = seq.length - 1 - [...seq].reverse().findIndex((l) => l.k > 0);
    if (lastSuccess > firstFail) continue; // a success after a failure: overlap, the maximum exists
    const m = mixed.length ? mixed[0] : -1;
    const a = m >= 0 ? seq[m - 1] : seq[lastSuccess],
      b = m >= 0 ? seq[m + 1] : seq[firstFail];
    const bound = (l: Level | undefined, open: number) => (l ? l.T : open);
    const [lo, hi] = rising ? [bound(b, 0), bound(a, Infinity)] : [bound(a, 0), bound(b, Infinity)];
    const limit = m >= 0 ? seq[m].T : Math.sqrt(seq[lastSuccess].T * seq[firstFail].T);
    return { kind: 'between', lo, hi, rising, limit };
  }
  return null;
}

function describe(f: Omit<T50Fit, 'text'>): string {
  const n = (x: number) => fmt(x, 3);
  if (f.kind === 'above') return `T₅₀ > ${n(f.lo)}`;
  if (f.kind === 'below') return `T₅₀ < ${n(f.hi)}`;
  if (f.kind === 'between' && f.lo === 0 && f.hi === Infinity) return 'T₅₀ not bounded by the data (one length tested)';
  if (f.kind === 'between')
    return f.lo === 0
      ? `T₅₀ < ${n(f.hi)}`
      : f.hi === Infinity
        ? `T₅₀ > ${n(f.lo)}`
        : `T₅₀ between ${n(f.lo)} and ${n(f.hi)}`;
  const side = (x: number, open: string) => (x === 0 || x === Infinity ? open : n(x));
  return `T₅₀ = ${n(f.t50!)} [${side(f.lo, '0')}, ${side(f.hi, '∞')}]${f.rising ? ' (success rises with T)' : ''}`;
}

/** A replicate's T₅₀: its estimate, or its separation limit. */
function pointOf(levels: readonly Level[]): number {
  const s = separation(levels);
  if (s) return s.limit;
  const f = fitLogistic(levels);
  return f && f.b1 !== 0 ? Math.exp(-f.b0 / f.b1) : NaN;
}

/** T₅₀ of one model from its success counts per T, with a bootstrap CI from RNG seed `seed`. */
export function fitT50(levels: readonly Level[], seed: string, replicates = BOOTSTRAP): T50Fit {
  const ls = levels
    .filter((l) => l.n > 0)
    .slice()
    .sort((a, b) => a.T - b.T);
  if (ls.length === 0) throw new Error('fitT50: no trials at any T');
  const sep = separation(ls);
  if (sep) {
    const f = {
      kind: sep.kind,
      t50: null,
      lo: sep.lo,
      hi: sep.hi,
      slope: null,
      intercept: null,
      rising: sep.rising,
      levels: ls,
    };
    return { ...f, text: describe(f) };
  }
  const fit = fitLogistic(ls);
  if (!fit)
    throw new Error(
      `fitT50: the logistic fit did not converge (${ls.map((l) => `T=${l.T}: ${l.k}/${l.n}`).join(', ')})`,
    );
  const rng = new Rng(`t50:${seed}`);
  const reps: number[] = [];
  for (let r = 0; r < replicates; r++) {
    const sample = ls.map((l) => {
      let k = 0;
      for (let i = 0; i < l.n; i++) if (rng.uniform() * l.n < l.k) k++;
      return { T: l.T, n: l.n, k };
    });
    const p = pointOf(sample);
    if (!Number.isNaN(p)) reps.push(p);
  }
  reps.sort((a, b) => a - b);
  const q = (p: number) => reps[Math.min(reps.length - 1, Math.max(0, Math.floor(p * reps.length)))];
  const f = {
    kind: 'estimate' as const,
    t50: Math.exp(-fit.b0 / fit.b1),
    lo: q(0.025),
    hi: q(0.975),
    slope: fit.b1,
    intercept: fit.b0,
    rising: fit.b1 > 0,
    levels: ls,
  };
  return { ...f, text: describe(f) };
}
