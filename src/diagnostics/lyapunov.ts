/**
 * Lyapunov exponents by the QR (Benettin) method.
 *
 * For a driven map S_{n+1} = F_n(S_n) with Jacobians J_n, carry an orthonormal frame Q_n (D×k) along:
 *   Z = J_n·Q_n,  Z = Q_{n+1}·R_n  (QR, diag R_n ≥ 0),  and  λ_i ≈ (1/N)·Σ_{n=N₀}^{N₀+N−1} log R_n[i, i].
 * The first N₀ steps (burn-in) let Q align with the most expanding directions and are not counted.
 * λ_1 ≥ … ≥ λ_k (asymptotically; finite averages are reported in frame order) are the top k exponents,
 * in nats per step: λ_1 < 0 contracting (gradients vanish at that rate), > 0 chaotic. For h ↦ A·h they
 * are log|μ_i| of A's eigenvalues; for the logistic map at r = 4, ln 2.
 *
 * Model version: J_n is the step Jacobian of one cell along the trajectory a batch drives (probe.ts: the
 * whole carried state, e.g. [h | c] for the LSTM), each sample with its own frame; Z = J·Q takes k JVPs
 * per step for the whole batch. Reported: the batch mean, its standard error over samples (std/√B), and a
 * batch-means standard error over `blocks` consecutive blocks of the (sample-averaged) per-step terms;
 * the running estimate after every counted step shows convergence.
 *
 * QR here is modified Gram–Schmidt applied twice ("twice is enough": orthogonal to working precision);
 * a column that collapses to 0 (a rank-deficient J) contributes log 0 = −∞ and is replaced by a fresh
 * random direction orthogonal to the others.
 */
import type { Matrix } from '../linalg/index.js';
import { Rng } from '../tensor/rng.js';
import type { StepProbe } from './probe.js';
import { summarize } from './stats.js';

export interface LyapunovOptions {
  /** Number of exponents (frame columns), 1 ≤ k ≤ D (default 1: the largest). */
  k?: number;
  /** Steps not counted at the start (default: a tenth of the steps). */
  burnIn?: number;
  /** Blocks for the batch-means standard error (default 10). */
  blocks?: number;
  /** Seed of the initial frame (default 0). */
  seed?: number;
}

export interface LyapunovResult {
  /** λ_1 … λ_k in nats per step (batch mean for a model). */
  exponents: Float64Array;
  /** Standard error per exponent: over samples when B > 1, else over blocks. */
  stderr: Float64Array;
  /** Batch-means standard error over blocks of consecutive steps. */
  stderrBlocks: Float64Array;
  /** Standard error over samples (null for a single orbit). */
  stderrSamples: Float64Array | null;
  /** Per sample (model version): perSample[b][i] = λ_i of sample b. */
  perSample: Float64Array[] | null;
  /** running[i][n]: the estimate of λ_i after n + 1 counted steps. */
  running: Float64Array[];
  /** Counted steps and burn-in. */
  steps: number;
  burnIn: number;
}

/** A map x ↦ step(x) on ℝ^dim with its Jacobian (a Matrix or a row-major dim×dim array). */
export interface DynamicalMap {
  dim: number;
  step(x: Float64Array): Float64Array;
  jacobian(x: Float64Array): Matrix | ArrayLike<number>;
}

/**
 * Re-orthonormalise the k vectors of length D stored consecutively in `frame` (vector j at j·D), writing
 * log‖·‖ of each after its projection (log R_jj) into logDiag.
 */
export function orthonormalize(frame: Float64Array, D: number, k: number, logDiag: Float64Array, rng: Rng): void {
  for (let j = 0; j < k; j++) {
    const vj = frame.subarray(j * D, (j + 1) * D);
    let norm = 0;
    for (let pass = 0; pass < 2; pass++) {
      // modified Gram–Schmidt, twice
      for (let i = 0; i < j; i++) {
        const vi = frame.subarray(i * D, (i + 1) * D);
        let p = 0;
        for (let d = 0; d < D; d++) p += vi[d] * vj[d];
        for (let d = 0; d < D; d++) vj[d] -= p * vi[d];
      }
      if (pass === 0) norm = normOf(vj); // R_jj: the norm after the first projection
    }
    logDiag[j] = Math.log(norm);
    const n2 = normOf(vj);
    if (!(n2 > 0) || !Number.isFinite(n2)) {
      // collapsed: a fresh random direction, orthogonal to the rest
      rng.fillNormal(vj);
      const dummy = new Float64Array(k);
      orthonormalize(frame.subarray(0, (j + 1) * D), D, j + 1, dummy, rng);
      continue;
    }
    for (let d = 0; d < D; d++) vj[d] /= n2;
  }
}

function normOf(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  if (m === 0 || !Number.isFinite(m)) return m;
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += (v[i] / m) ** 2;
  return m * Math.sqrt(ss);
}

/** Accumulates per-step log R_ii (averaged over samples) into running means and block means. */
class Accumulator {
  readonly running: Float64Array[];
  private readonly sums: Float64Array;
  constructor(
    readonly k: number,
    readonly steps: number,
  ) {
    this.running = Array.from({ length: k }, () => new Float64Array(steps));
    this.sums = new Float64Array(k);
  }
  add(n: number, terms: Float64Array): void {
    for (let i = 0; i < this.k; i++) {
      this.sums[i] += terms[i];
      this.running[i][n] = this.sums[i] / (n + 1);
    }
  }
  /** Batch means over `blocks` blocks: std(block means)/√blocks per exponent. */
  blockStderr(blocks: number): Float64Array {
    const nb = Math.max(2, Math.min(blocks, this.steps)),
      size = Math.floor(this.steps / nb);
    return Float64Array.from(this.running, (run) => {
      const means: number[] = [];
      let prev = 0;
      for (let j = 1; j <= nb; j++) {
        const end = j * size,
          total = run[end - 1] * end; // Σ of the first `end` terms
        means.push((total - prev) / size);
        prev = total;
      }
      return summarize(means).std / Math.sqrt(nb);
    });
  }
}

function checkOptions(
  D: number,
  total: number,
  options: LyapunovOptions,
): { k: number; burnIn: number; steps: number } {
  const k = options.k ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > D) throw new Error(`lyapunov: k must be an integer in [1, ${D}], got ${k}`);
  const burnIn = options.burnIn ?? Math.floor(total / 10);
  if (!Number.isInteger(burnIn) || burnIn < 0 || burnIn >= total - 1) {
    throw new Error(`lyapunov: burnIn must be an integer in [0, ${total - 2}] (for ${total} steps), got ${burnIn}`);
  }
  return { k, burnIn, steps: total - burnIn };
}

/**
 * Lyapunov exponents of a user map along the orbit of x0, over `steps` steps in total (burn-in included).
 * @example
 *   lyapunovOfMap({ dim: 1, step: (x) => Float64Array.of(4 * x[0] * (1 - x[0])), jacobian: (x) => [4 - 8 * x[0]] },
 *     Float64Array.of(0.3), 200_000).exponents[0]   // ≈ ln 2
 */
export function lyapunovOfMap(
  map: DynamicalMap,
  x0: ArrayLike<number>,
  steps: number,
  options: LyapunovOptions = {},
): LyapunovResult {
  const D = map.dim;
  if (x0.length !== D) throw new Error(`lyapunovOfMap: x0 has ${x0.length} entries, the map's dimension is ${D}`);
  const { k, burnIn, steps: counted } = checkOptions(D, steps, options);
  const rng = new Rng(options.seed ?? 0);
  const frame = new Float64Array(k * D),
    next = new Float64Array(k * D),
    logDiag = new Float64Array(k);
  rng.fillNormal(frame);
  orthonormalize(frame, D, k, logDiag, rng);
  const acc = new Accumulator(k, counted);
  let x: Float64Array = Float64Array.from(x0);
  for (let n = 0; n < steps; n++) {
    const J = map.jacobian(x);
    const a = 'data' in J ? J.data : J;
    if (a.length !== D * D)
      throw new Error(`lyapunovOfMap: the Jacobian at step ${n} has ${a.length} entries, expected ${D * D}`);
    for (let j = 0; j < k; j++) {
      // next_j = J·frame_j
      for (let r = 0; r < D; r++) {
        let s = 0;
        for (let c = 0; c < D; c++) s += a[r * D + c] * frame[j * D + c];
        next[j * D + r] = s;
      }
    }
    frame.set(next);
    orthonormalize(frame, D, k, logDiag, rng);
    if (n >= burnIn) acc.add(n - burnIn, logDiag);
    x = map.step(x);
  }
  const exponents = Float64Array.from(acc.running, (r) => r[counted - 1]);
  const stderrBlocks = acc.blockStderr(options.blocks ?? 10);
  return {
    exponents,
    stderr: stderrBlocks,
    stderrBlocks,
    stderrSamples: null,
    perSample: null,
    running: acc.running,
    steps: counted,
    burnIn,
  };
}

/**
 * Lyapunov exponents of one cell's hidden dynamics driven by the batch's input sequences (the probe's
 * trajectory: T steps, of which `burnIn` are not counted), per sample and averaged over the batch.
 */
export function lyapunovSpectrum(probe: StepProbe, options: LyapunovOptions = {}): LyapunovResult {
  const { B, D, T } = probe;
  const { k, burnIn, steps: counted } = checkOptions(D, T, options);
  const rng = new Rng(options.seed ?? 0);
  const frames = Array.from({ length: B }, () => {
    const f = new Float64Array(k * D);
    rng.fillNormal(f);
    orthonormalize(f, D, k, new Float64Array(k), rng);
    return f;
  });
  const v = new Float64Array(B * D),
    z = new Float64Array(B * D),
    logDiag = new Float64Array(k);
  const sums = Array.from({ length: B }, () => new Float64Array(k)),
    mean = new Float64Array(k);
  const acc = new Accumulator(k, counted);
  for (let n = 0; n < T; n++) {
    probe.at(n);
    for (let j = 0; j < k; j++) {
      for (let b = 0; b < B; b++) v.set(frames[b].subarray(j * D, (j + 1) * D), b * D);
      probe.jvp(v, z);
      for (let b = 0; b < B; b++) frames[b].set(z.subarray(b * D, (b + 1) * D), j * D);
    }
    mean.fill(0);
    for (let b = 0; b < B; b++) {
      orthonormalize(frames[b], D, k, logDiag, rng);
      if (n < burnIn) continue;
      for (let i = 0; i < k; i++) {
        sums[b][i] += logDiag[i];
        mean[i] += logDiag[i] / B;
      }
    }
    if (n >= burnIn) acc.add(n - burnIn, mean);
  }
  const perSample = sums.map((s) => s.map((x) => x / counted));
  const exponents = Float64Array.from(acc.running, (r) => r[counted - 1]);
  const stderrBlocks = acc.blockStderr(options.blocks ?? 10);
  const stderrSamples =
    B > 1 ? Float64Array.from({ length: k }, (_, i) => summarize(perSample.map((p) => p[i])).std / Math.sqrt(B)) : null;
  return {
    exponents,
    stderr: stderrSamples ?? stderrBlocks,
    stderrBlocks,
    stderrSamples,
    perSample,
    running: acc.running,
    steps: counted,
    burnIn,
  };
}
