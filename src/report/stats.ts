/**
 * The few statistics the report needs: median, mean with a Student-t 95% confidence interval, geometric
 * mean. Non-finite values are dropped before anything is computed (a diverged trial may store null/NaN).
 *
 *   mean x̄ = Σxᵢ/n; sd s = √(Σ(xᵢ − x̄)²/(n − 1)); 95% CI x̄ ± t_{0.975, n−1}·s/√n (n ≥ 2, else [x̄, x̄]).
 *   median: middle order statistic, mean of the two middle ones for even n.
 */

import { studentTQuantile } from '../diagnostics/stats.js';

const T975 = new Map<number, number>();
/** The two-sided 95% Student-t quantile t_{0.975, ν} (one implementation: diagnostics/stats; memoised). */
export function t975(df: number): number {
  let q = T975.get(df);
  if (q === undefined) T975.set(df, (q = studentTQuantile(0.975, df)));
  return q;
}

/** Mean and spread of a sample. */
export interface Estimate {
  n: number;
  mean: number;
  sd: number;
  /** 95% confidence interval of the mean (equal to the mean when n = 1). */
  lo: number;
  hi: number;
  min: number;
  max: number;
  median: number;
}

export function finite(values: readonly (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

export function median(values: readonly (number | null | undefined)[]): number | null {
  const v = finite(values).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Mean, sd and 95% CI of the finite values; null when there are none. */
export function estimate(values: readonly (number | null | undefined)[]): Estimate | null {
  const v = finite(values);
  const n = v.length;
  if (n === 0) return null;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? (t975(n - 1) * sd) / Math.sqrt(n) : 0;
  return {
    n,
    mean,
    sd,
    lo: mean - half,
    hi: mean + half,
    min: Math.min(...v),
    max: Math.max(...v),
    median: median(v)!,
  };
}

/** exp(mean(log x)) over the positive finite values (the right average for quantities plotted on log axes). */
export function geometricMean(values: readonly number[]): number | null {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  if (v.length === 0) return null;
  return Math.exp(v.reduce((a, b) => a + Math.log(b), 0) / v.length);
}

/** A number for people: 3 significant digits, a true minus sign, no exponent for ordinary magnitudes. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  const s = a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(digits))) : x.toExponential(digits - 1);
  return s.replace(/^-/, '−');
}

/** Seconds as "42 s", "3.5 min", "2.1 h". */
export function fmtDuration(seconds: number): string {
  if (seconds < 90) return `${fmt(seconds, 2)} s`;
  if (seconds < 5400) return `${fmt(seconds / 60, 2)} min`;
  return `${fmt(seconds / 3600, 2)} h`;
}

/** "p = 0.012, Holm-adjusted 0.23" for sentences. */
export function pText(p: number | null, pHolm: number | null): string {
  if (p === null) return 'not tested';
  const f = (x: number) => (x < 1e-4 ? '< 0.0001' : `= ${fmt(x, 2)}`);
  return `one-sided p ${f(p)}, Holm-adjusted ${pHolm === null ? '–' : f(pHolm).replace(/^= /, '')}`;
}

/** "[−0.12, −0.08]" */
export function ciText(lo: number, hi: number, digits = 3): string {
  const f = (x: number) => (x === Infinity ? '∞' : x === -Infinity ? '−∞' : fmt(x, digits));
  return `[${f(lo)}, ${f(hi)}]`;
}
