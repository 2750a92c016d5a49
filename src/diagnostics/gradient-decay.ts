/**
 * Gradient decay through time in the log domain: the per-step rate at which backpropagation through the
 * step Jacobians shrinks (or grows) a gradient, measured without overflow or underflow at any T.
 *
 *   u_T ∈ ℝ^{B×D}   one random unit row per sample (seeded): the gradient of a random linear read-out of S_T
 *   u_k = J_kᵀ·u_{k+1}   for k = T−1 … 0   (J_k = ∂S_{k+1}/∂S_k, the probe's step Jacobian)
 *   ℓ_b(m) = log‖u_{T−m,b}‖, lag m = 0 … T, accumulated with renormalisation at every step:
 *            ℓ(m + 1) = ℓ(m) + log‖J_{T−m−1}ᵀ·û‖, û = u/‖u‖ — so nothing is ever stored but unit vectors.
 *   s_b = least-squares slope of ℓ_b(m) against m over the window; s = mean_b s_b (= the slope of the mean
 *   curve), with a Student-t confidence interval over the B samples (each sample is an independent input
 *   sequence; the OLS interval of one curve would ignore that ℓ is a running sum and be far too narrow).
 *
 * For a many-to-one loss, ∂L/∂S_k = J_kᵀ⋯J_{T−1}ᵀ·∂L/∂S_T, so s is the per-step growth rate of the gradient
 * through time — of a random direction at S_T instead of the loss's own, which changes the curve's offset and
 * its first few steps, not its rate. s < 0 vanishing, s > 0 exploding (reported, never dropped). For a
 * linear transition whose L layers are orthogonal matrices scaled to a, every step multiplies norms by a^L
 * exactly and s = L·log a; for long T, s tends to the top Lyapunov exponent of the linearised dynamics.
 * The transition's forward pass may overflow (identity activation, a > 1) without harm where J does not
 * depend on the state (linear layers); for saturating activations the states are bounded.
 */
import { Rng } from '../tensor/rng.js';
import type { StepProbe } from './probe.js';
import { normalizeRows } from './jacobian.js';
import { fitLine, studentTQuantile } from './stats.js';

export interface GradientDecayOptions {
  /** Seed of the random unit rows u_T (default 1). */
  seed?: number | string;
  /** Lags [from, to] of the fit (default [0, T]). */
  window?: [number, number];
  /** Confidence level of the interval on s (default 0.95). */
  confidence?: number;
}

export interface GradientDecay {
  T: number;
  B: number;
  /** mean_b ℓ_b(m) for m = 0 … T (ℓ(0) = 0: the curve is relative to the unit vector at S_T). */
  meanLog: Float64Array;
  /** Standard deviation over the batch of ℓ_b(m). */
  stdLog: Float64Array;
  /** Per-step rate s (mean of the per-sample slopes) and its confidence interval over samples. */
  slope: number;
  ci: [number, number];
  /** Per-sample slopes s_b. */
  perSample: Float64Array;
  /** R² of the line through the mean curve. */
  r2: number;
  window: [number, number];
}

/**
 * Measure the per-step log-rate of backpropagated gradients along the probe's trajectory (see the header).
 * Costs T replays of the step and T VJPs on the probe's batch.
 *
 * @example
 *   const probe = createStepProbe(model, task.sample(new Rng(1), 16));
 *   const d = gradientDecay(probe);   // d.slope ≈ L·log a for a linear deep transition of orthogonal a·Q layers
 *   probe.dispose();
 */
export function gradientDecay(probe: StepProbe, options: GradientDecayOptions = {}): GradientDecay {
  const { T, B, D } = probe;
  const [m0, m1] = options.window ?? [0, T];
  if (!(Number.isInteger(m0) && Number.isInteger(m1) && m0 >= 0 && m1 <= T && m1 - m0 >= 2)) {
    throw new Error(
      `gradientDecay: window [${m0}, ${m1}] must be integer lags with 0 ≤ from, from + 2 ≤ to ≤ T = ${T}`,
    );
  }
  const rng = new Rng(options.seed ?? 1);
  const u = new Float64Array(B * D),
    next = new Float64Array(B * D);
  rng.fillNormal(u, 0, 1);
  const logs = new Float64Array((T + 1) * B); // ℓ_b(m) at [m·B + b]
  const acc = new Float64Array(B); // running ℓ_b: normalizeRows adds each step's log-norm
  normalizeRows(u, B, D, new Float64Array(B)); // unit rows: ℓ(0) = 0
  for (let m = 0; m < T; m++) {
    probe.at(T - 1 - m);
    probe.vjp(u, next);
    normalizeRows(next, B, D, acc);
    logs.set(acc, (m + 1) * B);
    u.set(next);
  }
  const meanLog = new Float64Array(T + 1),
    stdLog = new Float64Array(T + 1);
  for (let m = 0; m <= T; m++) {
    let s = 0,
      ss = 0;
    for (let b = 0; b < B; b++) s += logs[m * B + b];
    const mean = s / B;
    for (let b = 0; b < B; b++) ss += (logs[m * B + b] - mean) ** 2;
    meanLog[m] = mean;
    stdLog[m] = B > 1 ? Math.sqrt(ss / (B - 1)) : 0;
  }
  const ms = Array.from({ length: m1 - m0 + 1 }, (_, i) => m0 + i);
  const perSample = new Float64Array(B);
  for (let b = 0; b < B; b++)
    perSample[b] = fitLine(
      ms,
      ms.map((m) => logs[m * B + b]),
    ).slope;
  const slope = perSample.reduce((a, x) => a + x, 0) / B;
  let ci: [number, number] = [NaN, NaN];
  if (B > 1) {
    const sd = Math.sqrt(perSample.reduce((a, x) => a + (x - slope) ** 2, 0) / (B - 1));
    const half = (studentTQuantile((1 + (options.confidence ?? 0.95)) / 2, B - 1) * sd) / Math.sqrt(B);
    ci = [slope - half, slope + half];
  }
  const r2 = fitLine(
    ms,
    ms.map((m) => meanLog[m]),
  ).r2;
  return { T, B, meanLog, stdLog, slope, ci, perSample, r2, window: [m0, m1] };
}

/** Growth per step below which a rate is float32 rounding, not growth (1e-6/step: e^0.001 over T = 1,000). */
export const EXPLODING_FLOOR = 1e-6;

/**
 * 1 when the gradient grows backwards beyond noise: the interval's lower end (else the slope, when there is
 * no interval) is above EXPLODING_FLOOR.
 */
export function explodingOf(slope: number, lo: number): 0 | 1 {
  return (Number.isFinite(lo) ? lo : slope) > EXPLODING_FLOOR ? 1 : 0;
}
