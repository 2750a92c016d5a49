/**
 * Step Jacobians along a trajectory, without forming them (and densely, for small states).
 *
 *   J_t = ∂S_t/∂S_{t−1}, t = 1..T     S_t: the whole carried state after step t (see probe.ts: [h] for
 *                                    vanilla/GRU/deep, [h | c] for the LSTM — D = 2H, so J_t also carries
 *                                    the cell path c_{t−1} → c_t — and [Re h | Im h] for the LRU)
 *   P_{t0→t1} = J_{t1}·⋯·J_{t0+1} = ∂S_{t1}/∂S_{t0}   (‖P_{t→T}‖ is the quantity Pascanu et al. bound)
 *
 * Spectral norm σ₁ per sample, matrix-free, with one JVP and one VJP per iteration. Two methods: Lanczos on
 * JᵀJ (the default; lanczos.ts: the Krylov-accelerated power iteration, robust to clustered top singular
 * values) and plain power iteration on JᵀJ:
 *   u = J·v/‖J·v‖,  w = Jᵀ·u/‖Jᵀ·u‖,  σ̂ = ‖J·v‖ (v a unit vector),  v ← w.
 * σ̂ is the square root of the Rayleigh quotient vᵀJᵀJv, a lower bound on σ₁ whose error is of order
 * r²·σ₁/relgap where r = ‖w − (v·w)v‖ (the part of the next iterate orthogonal to the current one; 0 exactly
 * at a singular vector) and relgap = 1 − σ₂²/σ₁². A sample has converged when r ≤ tol, or when σ̂ changed
 * by less than valueTol (relative) in one iteration: near-tied top singular values make the vector
 * converge slowly (rate (σ₂/σ₁)² per iteration) but σ̂ fast, since the competing directions cost it little
 * (σ₁² − σ̂² = Σ_{i>1} c_i²(σ₁² − σ_i²) for v = Σ c_i·v_i). For a product the
 * vector is renormalised after every factor and the log-scales summed, so spans of hundreds of steps
 * neither underflow nor overflow (log norms are reported alongside).
 *
 * Dense: row i of J_t is Jᵀ·e_i, so D VJPs (each for the whole batch at once) give every sample's J_t;
 * all singular values then come from the one-sided Jacobi SVD of src/linalg.
 */
import { create, singularValues, type Matrix } from '../linalg/index.js';
import { Rng } from '../tensor/rng.js';
import type { StepProbe } from './probe.js';
import { lanczos } from './lanczos.js';

export interface PowerIterationOptions {
  /** 'lanczos' (default: Krylov-accelerated, see lanczos.ts) or 'power' (plain power iteration). */
  method?: 'lanczos' | 'power';
  /**
   * Convergence threshold on the residual: power, r = ‖w − (v·w)v‖; Lanczos, the relative Ritz residual
   * β_j|y_j|/θ_j (default 1e-6 on float64 backends, 1e-4 on float32).
   */
  tol?: number;
  /** … or on the relative change of σ̂ in one iteration (default 1e-10 on float64, 1e-6 on float32). */
  valueTol?: number;
  /** Iteration cap (default 500). */
  maxIter?: number;
  /** Seed of the random start vectors (default 0). */
  seed?: number;
}

/** σ₁ of one linear map per sample, by Lanczos or power iteration. */
export interface SpectralNormEstimate {
  /** σ̂₁ per sample [B]. */
  norm: Float64Array;
  /** log σ̂₁ per sample (finite even where σ̂₁ under- or overflows). */
  logNorm: Float64Array;
  /** Iterations (JVP + VJP pairs) until convergence, per sample (maxIter when it never got there). */
  iterations: Int32Array;
  /** Final residual per sample (see `tol`). */
  residual: Float64Array;
  /** Whether every sample converged. */
  converged: boolean;
}

/** A linear map per sample, applied to unit rows: out = unit(M·v) per row, logScale = log‖M·v‖. */
export interface BatchedLinearMap {
  readonly B: number;
  readonly D: number;
  apply(v: Float64Array, out: Float64Array, logScale: Float64Array): void;
  applyTranspose(u: Float64Array, out: Float64Array, logScale: Float64Array): void;
}

/** Normalise each row of x [B·D] in place; add log of the old norms into logScale (−∞ for a zero row). */
export function normalizeRows(x: Float64Array, B: number, D: number, logScale: Float64Array): void {
  for (let b = 0; b < B; b++) {
    let m = 0;
    for (let j = 0; j < D; j++) m = Math.max(m, Math.abs(x[b * D + j]));
    if (m === 0 || !Number.isFinite(m)) {
      logScale[b] += m === 0 ? -Infinity : NaN;
      continue;
    }
    let ss = 0;
    for (let j = 0; j < D; j++) ss += (x[b * D + j] / m) ** 2; // scaled: no under/overflow
    const n = m * Math.sqrt(ss);
    for (let j = 0; j < D; j++) x[b * D + j] /= n;
    logScale[b] += Math.log(n);
  }
}

/** Power iteration on MᵀM for every sample of a batched map (see the file header). */
export function powerIteration(
  map: BatchedLinearMap,
  options: PowerIterationOptions & { float32?: boolean } = {},
): SpectralNormEstimate {
  const { B, D } = map;
  const tol = options.tol ?? (options.float32 ? 1e-4 : 1e-6),
    maxIter = options.maxIter ?? 500;
  const valueTol = options.valueTol ?? (options.float32 ? 1e-6 : 1e-10);
  const rng = new Rng(options.seed ?? 0);
  const v = new Float64Array(B * D),
    u = new Float64Array(B * D),
    w = new Float64Array(B * D);
  const a = new Float64Array(B),
    c = new Float64Array(B),
    scratch = new Float64Array(B);
  rng.fillNormal(v);
  normalizeRows(v, B, D, scratch);
  const logNorm = new Float64Array(B),
    residual = new Float64Array(B).fill(Infinity);
  const iterations = new Int32Array(B).fill(maxIter);
  const done = new Uint8Array(B);
  for (let it = 1; it <= maxIter; it++) {
    a.fill(0);
    c.fill(0);
    map.apply(v, u, a);
    map.applyTranspose(u, w, c);
    let all = true;
    for (let b = 0; b < B; b++) {
      const change = Math.abs(a[b] - logNorm[b]); // log-scale: a relative change
      logNorm[b] = a[b];
      let p = 0,
        r2 = 0;
      for (let j = 0; j < D; j++) p += v[b * D + j] * w[b * D + j];
      for (let j = 0; j < D; j++) r2 += (w[b * D + j] - p * v[b * D + j]) ** 2;
      residual[b] = a[b] === -Infinity ? 0 : Math.sqrt(r2); // M·v = 0: σ̂ = 0 (M = 0 unless v is unlucky)
      if (!done[b] && (residual[b] <= tol || (it > 1 && change <= valueTol))) {
        done[b] = 1;
        iterations[b] = it;
      }
      if (!done[b]) all = false;
    }
    if (all) break;
    v.set(w);
  }
  return { norm: logNorm.map(Math.exp), logNorm, iterations, residual, converged: done.every((x) => x === 1) };
}

/** The map J_{t1}·⋯·J_{t0+1} = ∂S_{t1}/∂S_{t0} of a probe (0 ≤ t0 < t1 ≤ T), applied factor by factor. */
export function productMap(probe: StepProbe, t0: number, t1: number): BatchedLinearMap {
  const { B, D, T } = probe;
  if (!Number.isInteger(t0) || !Number.isInteger(t1) || t0 < 0 || t1 > T || t0 >= t1) {
    throw new Error(`Jacobian product: span [${t0}, ${t1}] must satisfy 0 ≤ t0 < t1 ≤ T = ${T}`);
  }
  const tmp = new Float64Array(B * D);
  const chain = (x: Float64Array, out: Float64Array, log: Float64Array, transpose: boolean): void => {
    out.set(x);
    for (let i = 0; i < t1 - t0; i++) {
      const k = transpose ? t1 - 1 - i : t0 + i; // J_{k+1} maps S_k → S_{k+1}: probe step k
      probe.at(k);
      if (transpose) probe.vjp(out, tmp);
      else probe.jvp(out, tmp);
      out.set(tmp);
      normalizeRows(out, B, D, log);
    }
  };
  return {
    B,
    D,
    apply: (v, out, log) => chain(v, out, log, false),
    applyTranspose: (u, out, log) => chain(u, out, log, true),
  };
}

/** σ₁ per sample of a batched map by the chosen method (default Lanczos). */
export function spectralNormEstimate(
  map: BatchedLinearMap,
  options: PowerIterationOptions & { float32?: boolean } = {},
): SpectralNormEstimate {
  return (options.method ?? 'lanczos') === 'lanczos' ? lanczos(map, options) : powerIteration(map, options);
}

/** σ₁(J_t) per sample and step. */
export interface StepJacobianNorms {
  /** The steps t (J_t = ∂S_t/∂S_{t−1}, 1 ≤ t ≤ T). */
  steps: number[];
  /** One estimate per step. */
  estimates: SpectralNormEstimate[];
  /** Mean over the batch of log σ₁(J_t), per step. */
  meanLogNorm: Float64Array;
}

const isFloat32 = (probe: StepProbe): boolean => probe.dtype === 'float32';

/** Spectral norms of the step Jacobians J_t at `steps` (default every t = 1..T), per sample (iteration counts included). */
export function stepJacobianNorms(
  probe: StepProbe,
  options: PowerIterationOptions & { steps?: number[] } = {},
): StepJacobianNorms {
  const steps = options.steps ?? Array.from({ length: probe.T }, (_, i) => i + 1);
  const estimates = steps.map((t, i) => {
    const map = productMap(probe, t - 1, t);
    return spectralNormEstimate(map, { ...options, seed: (options.seed ?? 0) + i, float32: isFloat32(probe) });
  });
  const meanLogNorm = Float64Array.from(estimates, (e) => e.logNorm.reduce((s, x) => s + x, 0) / probe.B);
  return { steps, estimates, meanLogNorm };
}

/** ‖J_{t1}·⋯·J_{t0+1}‖₂ per sample for each span. */
export interface ProductNorms {
  spans: [number, number][];
  estimates: SpectralNormEstimate[];
  /** Mean over the batch of log ‖P‖ per span. */
  meanLogNorm: Float64Array;
}

/**
 * Norms of Jacobian products ‖∂S_{t1}/∂S_{t0}‖ for each span [t0, t1] (default: t1 = T and t0 = T − ℓ for
 * ℓ = 1, 2, 4, …, and t0 = 0). Each iteration runs the span forward with JVPs and back with VJPs.
 */
export function jacobianProductNorms(
  probe: StepProbe,
  options: PowerIterationOptions & { spans?: [number, number][] } = {},
): ProductNorms {
  const T = probe.T;
  const spans = options.spans ?? defaultSpans(T);
  const estimates = spans.map(([t0, t1], i) =>
    spectralNormEstimate(productMap(probe, t0, t1), {
      ...options,
      seed: (options.seed ?? 0) + i,
      float32: isFloat32(probe),
    }),
  );
  const meanLogNorm = Float64Array.from(estimates, (e) => e.logNorm.reduce((s, x) => s + x, 0) / probe.B);
  return { spans, estimates, meanLogNorm };
}

/** Spans ending at T with lengths 1, 2, 4, … and T. */
export function defaultSpans(T: number): [number, number][] {
  const spans: [number, number][] = [];
  for (let l = 1; l < T; l *= 2) spans.push([T - l, T]);
  spans.push([0, T]);
  return spans;
}

/** Every sample's dense J_t and its singular values. */
export interface DenseStepJacobian {
  t: number;
  /** One D×D matrix per sample: (J_t)_{ij} = ∂S_t[i]/∂S_{t−1}[j]. */
  matrices: Matrix[];
  /** Singular values per sample, descending. */
  singularValues: Float64Array[];
}

/** Dense step Jacobians at `steps` (default every step) by D VJPs each; refuses D > maxDim (default 512). */
export function denseStepJacobians(
  probe: StepProbe,
  options: { steps?: number[]; maxDim?: number } = {},
): DenseStepJacobian[] {
  const { B, D, T } = probe;
  const maxDim = options.maxDim ?? 512;
  if (D > maxDim)
    throw new Error(`dense Jacobian: state dimension ${D} exceeds maxDim ${maxDim} (use stepJacobianNorms)`);
  const steps = options.steps ?? Array.from({ length: T }, (_, i) => i + 1);
  const e = new Float64Array(B * D),
    row = new Float64Array(B * D);
  return steps.map((t) => {
    if (!Number.isInteger(t) || t < 1 || t > T) throw new Error(`dense Jacobian: step ${t} out of range [1, ${T}]`);
    probe.at(t - 1);
    const matrices = Array.from({ length: B }, () => create(D, D));
    for (let i = 0; i < D; i++) {
      e.fill(0);
      for (let b = 0; b < B; b++) e[b * D + i] = 1;
      probe.vjp(e, row); // row b = e_iᵀ·J_t of sample b
      for (let b = 0; b < B; b++) matrices[b].data.set(row.subarray(b * D, (b + 1) * D), i * D);
    }
    return { t, matrices, singularValues: matrices.map((m) => singularValues(m)) };
  });
}
