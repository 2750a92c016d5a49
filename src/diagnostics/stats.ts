/**
 * Small statistics for the instruments: summaries of a sample, least-squares lines with confidence
 * intervals, and Student's t quantiles.
 *
 *   mean x̄ = Σxᵢ/n; std s = √(Σ(xᵢ − x̄)²/(n − 1)) (0 for n = 1); quantile q: linear interpolation between
 *   order statistics at position q·(n − 1) (NumPy's default, "type 7").
 *
 *   Line y = a + b·x by least squares over n points:
 *     b = Sxy/Sxx, a = ȳ − b·x̄,  Sxx = Σ(xᵢ − x̄)², Sxy = Σ(xᵢ − x̄)(yᵢ − ȳ)
 *     residual variance s² = Σ(yᵢ − a − b·xᵢ)²/(n − 2),  se(b) = s/√Sxx
 *     c-confidence interval: b ± t_{(1+c)/2, n−2}·se(b)  (exact for Gaussian residuals)
 *
 *   Student's t CDF via the regularised incomplete beta function:
 *     P(T ≤ t) = 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0,
 *   with I_x(a, b) by its continued fraction (Lentz's method) and ln Γ by Lanczos' approximation;
 *   the quantile is found by bisection on the CDF (monotone; 200 halvings reach double precision).
 */

/** Mean, standard deviation, extremes and quantiles of a sample. */
export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator; 0 for a single value). */
  std: number;
  min: number;
  max: number;
  /** The requested quantiles, in the order asked for. */
  quantiles: number[];
}

/** Summary of `values` (NaN entries are skipped). Quantiles at each level in `levels` (default median). */
export function summarize(values: ArrayLike<number>, levels: readonly number[] = [0.5]): Summary {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) xs.push(values[i]);
  const n = xs.length;
  if (n === 0) return { n: 0, mean: NaN, std: NaN, min: NaN, max: NaN, quantiles: levels.map(() => NaN) };
  xs.sort((a, b) => a - b);
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  return {
    n,
    mean,
    std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
    min: xs[0],
    max: xs[n - 1],
    quantiles: levels.map((q) => quantileSorted(xs, q)),
  };
}

/** Quantile q ∈ [0, 1] of ascending `sorted` by linear interpolation (NumPy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: level must be in [0, 1], got ${q}`);
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1),
    lo = Math.floor(pos),
    hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** A least-squares line y = intercept + slope·x with the slope's standard error and confidence interval. */
export interface LineFit {
  slope: number;
  intercept: number;
  /** Standard error of the slope (NaN with fewer than 3 points). */
  stderr: number;
  /** Confidence interval of the slope at `confidence` (t-distribution with n − 2 degrees of freedom). */
  ci: [number, number];
  confidence: number;
  /** Number of points used. */
  n: number;
  /** Coefficient of determination (1 for a perfect line). */
  r2: number;
}

/** Least-squares line through (xs[i], ys[i]); points with a non-finite y are skipped. */
export function fitLine(xs: ArrayLike<number>, ys: ArrayLike<number>, confidence = 0.95): LineFit {
  if (xs.length !== ys.length) throw new Error(`fitLine: ${xs.length} x values but ${ys.length} y values`);
  const px: number[] = [],
    py: number[] = [];
  for (let i = 0; i < xs.length; i++)
    if (Number.isFinite(ys[i]) && Number.isFinite(xs[i])) {
      px.push(xs[i]);
      py.push(ys[i]);
    }
  const n = px.length;
  if (n < 2) return { slope: NaN, intercept: NaN, stderr: NaN, ci: [NaN, NaN], confidence, n, r2: NaN };
  let mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) {
    mx += px[i];
    my += py[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0,
    sxy = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = px[i] - mx,
      dy = py[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxy / sxx,
    intercept = my - slope * mx;
  let ssr = 0;
  for (let i = 0; i < n; i++) ssr += (py[i] - intercept - slope * px[i]) ** 2;
  const stderr = n > 2 ? Math.sqrt(ssr / (n - 2) / sxx) : NaN;
  const half = n > 2 ? studentTQuantile((1 + confidence) / 2, n - 2) * stderr : NaN;
  return { slope, intercept, stderr, ci: [slope - half, slope + half], confidence, n, r2: syy > 0 ? 1 - ssr / syy : 1 };
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error ~1e-15). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x); // reflection
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised incomplete beta I_x(a, b), x ∈ [0, 1]. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1)/(a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1,
    d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/** P(T ≤ t) for Student's t with ν degrees of freedom. */
export function studentTCdf(t: number, nu: number): number {
  const tail = 0.5 * incompleteBeta(nu / (nu + t * t), nu / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with ν > 0 degrees of freedom (e.g. p = 0.975, ν = 10 → 2.228). */
export function studentTQuantile(p: number, nu: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (!(nu > 0)) throw new Error(`studentTQuantile: degrees of freedom must be > 0, got ${nu}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, nu);
  let lo = 0,
    hi = 1;
  while (studentTCdf(hi, nu) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCdf(mid, nu) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
