/**
 * Linear Recurrent Unit (Orvieto et al. 2023, "Resurrecting Recurrent Neural Networks for Long Sequences"):
 * a linear, complex, diagonal recurrence, with the only non-linearity in a per-step MLP after it.
 *
 *   h_t = λ⊙h_{t−1} + γ⊙(B·x_t)              h ∈ ℂ^N, λ ∈ ℂ^N diagonal, B = B_re + i·B_im ∈ ℂ^{N×I}
 *   λ   = exp(−exp(ν) + i·exp(θ))             |λ| = e^{−e^ν} ∈ (0, 1) for every real ν: always stable
 *   γ   = sqrt(1 − |λ|²)                      normalisation, a function of λ (not a free parameter)
 *   o_t = Re(C·h_t) + D·x_t                   C = C_re + i·C_im ∈ ℂ^{H×N}, D ∈ ℝ^{H×I}
 *   y_t = W_2·relu(W_1·o_t + b_1) + b_2       per-step MLP, hidden size mlpHidden (default H)
 *
 * The recurrence is linear, so the depth of the map x → y is all in that MLP (and in the readout g).
 * γ: the paper's reference code keeps γ as a separate trained parameter (γ_log), initialised to
 * sqrt(1 − |λ|²); here it is tied to λ, so the normalisation — unit stationary variance of h for white
 * input — holds throughout training, and ∂L/∂ν also flows through γ.
 *
 * Real arithmetic. The state is two components [re, im], each [B, N]; with λ = a + i·b,
 *   a = e^{−e^ν}·cos(e^θ),  b = e^{−e^ν}·sin(e^θ),  u_t = γ⊙(B·x_t)
 *   re' = a⊙re − b⊙im + u_re,   im' = a⊙im + b⊙re + u_im
 *   o   = re·C_reᵀ − im·C_imᵀ + x·Dᵀ
 * `project` computes a, b, γ and u for all T at once, as [T, 2, B, N] (u_re block then u_im block per step,
 * so xp[t][0], xp[t][1] are contiguous views); `step` is four mulRow and four add/sub, no GEMM.
 * `emit` reads both components (emitComponents = [0, 1]) and forms o and y for all T with GEMMs.
 *
 * Layout: nu_log [N], theta_log [N] (ν, θ: the log-parametrisation of the paper); B_re, B_im [N, I];
 * C_re, C_im [H, N]; D [H, I]; mlp.0.weight [M, H], mlp.0.bias [M], mlp.1.weight [H, M], mlp.1.bias [H].
 *
 * Init (as the paper's reference code, except D, which is diagonal there and a full matrix here):
 *   |λ|² ~ U[rMin², rMax²] (uniform on the ring's area), ν = log(−½·log |λ|²); θ = log(maxPhase·U(0, 1]);
 *   B_re, B_im ~ N(0, 1/(2I)) (so B·x has the variance of a Glorot real projection); C_re, C_im ~ N(0, 1/N);
 *   D ~ N(0, 1/I); the MLP as the readout (Glorot weights, U(±1/√fan_in) biases).
 * Defaults: rMin = 0.9, rMax = 0.999 — the paper's ring for its long-range tasks: memory time scales
 * 1/(1 − |λ|) from 10 to 1000 steps, the range of recur's tasks (adding, copy, temporal order at
 * T ≈ 10²–10³); the paper moves the ring closer to 1 (0.999–0.9999) only for PathX (T = 16k).
 * maxPhase = 2π: phases uniform over the whole circle (the paper's default); π/10 (low frequencies only)
 * helped the paper on its longest tasks and is one option away.
 * Numerics: γ's derivative ∝ 1/γ grows as |λ| → 1; rMax < 1 is enforced and 1 − 0.999² ≈ 2e−3 is safe.
 */
import { z } from 'zod';
import type { Tape } from '../autodiff/tape.js';
import type { Backend } from '../kernels/backend.js';
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  add,
  cos,
  exp,
  linear,
  mul,
  mulRow,
  neg,
  oneMinus,
  relu,
  sin,
  sqrt,
  square,
  stack,
  sub,
} from '../ops/index.js';
import type { Cell } from './cell.js';
import { createParam } from './params.js';
import { checkSize, parseConfig, shown, size } from './schema.js';
import { initGlorot, initNormal, initUniform } from './init.js';

const ring = (field: string) =>
  z
    .number()
    .min(0)
    .lt(1, { error: (i) => `${field} must satisfy 0 ≤ rMin ≤ rMax < 1, got ${shown(i.input)}` });

export const lruConfigSchema = z
  .strictObject({
    kind: z.literal('lru'),
    /** Output size H (what the next layer or the readout sees). */
    hidden: size,
    /** Complex state size N (default hidden). */
    state: size.optional(),
    /** Smallest initial |λ|. */
    rMin: ring('rMin').default(0.9),
    /** Largest initial |λ| (must be < 1). */
    rMax: ring('rMax').default(0.999),
    /** Initial phases arg λ ~ U(0, maxPhase]. */
    maxPhase: z
      .number()
      .gt(0, { error: (i) => `must be a finite number > 0, got ${shown(i.input)}` })
      .default(2 * Math.PI),
    /** Hidden size of the per-step MLP (default hidden). */
    mlpHidden: size.optional(),
  })
  .refine((c) => c.rMin <= c.rMax, {
    error: (i) =>
      `need 0 ≤ rMin ≤ rMax < 1, got rMin = ${shown((i.input as { rMin: unknown }).rMin)}, rMax = ${shown((i.input as { rMax: unknown }).rMax)}`,
  });
export type LruConfig = z.input<typeof lruConfigSchema>;

/** The diagonal λ = a + i·b and γ, as tensors recorded on one tape. */
interface Decay {
  tape: Tape;
  a: Tensor;
  b: Tensor;
}

/** λ's modulus and phase per state unit, from the current parameters (for tests and diagnostics). */
export function lruEigenvalues(cell: Cell): { modulus: Float64Array; phase: Float64Array } {
  const nu = cell.params.nu_log?.toArray(),
    theta = cell.params.theta_log?.toArray();
  if (cell.kind !== 'lru' || !nu || !theta) throw new Error(`lruEigenvalues: not an LRU cell (kind '${cell.kind}')`);
  return { modulus: nu.map((v) => Math.exp(-Math.exp(v))), phase: theta.map((v) => Math.exp(v)) };
}

export function createLruCell(cfg: LruConfig, inputSize: number, backend: Backend, rng: Rng): Cell {
  const c = parseConfig(lruConfigSchema, cfg, 'lru cell');
  const H = c.hidden,
    N = c.state ?? H,
    M = c.mlpHidden ?? H,
    I = inputSize;
  const { rMin, rMax, maxPhase } = c;
  checkSize('lru cell', 'input size', I);

  const params = {
    nu_log: createParam(backend, 'nu_log', [N]),
    theta_log: createParam(backend, 'theta_log', [N]),
    B_re: createParam(backend, 'B_re', [N, I]),
    B_im: createParam(backend, 'B_im', [N, I]),
    C_re: createParam(backend, 'C_re', [H, N]),
    C_im: createParam(backend, 'C_im', [H, N]),
    D: createParam(backend, 'D', [H, I]),
    'mlp.0.weight': createParam(backend, 'mlp.0.weight', [M, H]),
    'mlp.0.bias': createParam(backend, 'mlp.0.bias', [M]),
    'mlp.1.weight': createParam(backend, 'mlp.1.weight', [H, M]),
    'mlp.1.bias': createParam(backend, 'mlp.1.bias', [H]),
  };
  const nu = new Float64Array(N),
    theta = new Float64Array(N);
  for (let j = 0; j < N; j++) {
    // 1 − U[0, 1) ∈ (0, 1]: keeps the logs finite even for rMin = 0.
    const r2 = rMin * rMin + (rMax * rMax - rMin * rMin) * (1 - rng.uniform()); // |λ|² ∈ (rMin², rMax²]
    nu[j] = Math.log(-0.5 * Math.log(r2));
    theta[j] = Math.log(maxPhase * (1 - rng.uniform()));
  }
  params.nu_log.set(nu);
  params.theta_log.set(theta);
  initNormal(params.B_re, 1 / Math.sqrt(2 * I), rng);
  initNormal(params.B_im, 1 / Math.sqrt(2 * I), rng);
  initNormal(params.C_re, 1 / Math.sqrt(N), rng);
  initNormal(params.C_im, 1 / Math.sqrt(N), rng);
  initNormal(params.D, 1 / Math.sqrt(I), rng);
  initGlorot(params['mlp.0.weight'], rng);
  initUniform(params['mlp.0.bias'], 1 / Math.sqrt(H), rng);
  initGlorot(params['mlp.1.weight'], rng);
  initUniform(params['mlp.1.bias'], 1 / Math.sqrt(M), rng);

  // a, b of the current forward pass: recorded once by `project`, read by every `step` on the same tape.
  let decay: Decay | null = null;

  /** a = |λ|·cos φ, b = |λ|·sin φ, γ = sqrt(1 − |λ|²) with |λ| = e^{−e^ν}, φ = e^θ; all [N]. */
  const lambda = (tape: Tape): Decay & { gamma: Tensor } => {
    const modulus = exp(tape, neg(tape, exp(tape, params.nu_log)));
    const phase = exp(tape, params.theta_log);
    const gamma = sqrt(tape, oneMinus(tape, square(tape, modulus)));
    return { tape, a: mul(tape, modulus, cos(tape, phase)), b: mul(tape, modulus, sin(tape, phase)), gamma };
  };

  return {
    kind: 'lru',
    inputSize: I,
    outputSize: H,
    stateSizes: [N, N],
    params,
    emitComponents: [0, 1],
    project(tape, x) {
      const T = x.shape[0],
        B = x.shape[1];
      const { a, b, gamma } = lambda(tape);
      decay = { tape, a, b };
      const uRe = mulRow(tape, linear(tape, x, params.B_re), gamma); // [T, B, N]
      const uIm = mulRow(tape, linear(tape, x, params.B_im), gamma); // [T, B, N]
      const blocks: Tensor[] = [];
      for (let t = 0; t < T; t++) blocks.push(uRe.at(t), uIm.at(t));
      return stack(tape, blocks).reshape([T, 2, B, N]); // [T, 2, B, N]
    },
    step(tape, xpt, [re, im]) {
      // A step on another tape than the last `project` (e.g. a Jacobian probe) records its own λ.
      if (decay?.tape !== tape) decay = lambda(tape);
      const { a, b } = decay;
      const reNext = add(tape, sub(tape, mulRow(tape, re, a), mulRow(tape, im, b)), xpt.at(0)); // [B, N]
      const imNext = add(tape, add(tape, mulRow(tape, im, a), mulRow(tape, re, b)), xpt.at(1)); // [B, N]
      return [reNext, imNext];
    },
    emit(tape, [reAll, imAll], x) {
      // o = Re(C·h) + D·x = re·C_reᵀ − im·C_imᵀ + x·Dᵀ: [T, B, H]
      const o = sub(
        tape,
        linear(tape, reAll, params.C_re, null, linear(tape, x, params.D)),
        linear(tape, imAll, params.C_im),
      );
      const z = relu(tape, linear(tape, o, params['mlp.0.weight'], params['mlp.0.bias'])); // [T, B, M]
      return linear(tape, z, params['mlp.1.weight'], params['mlp.1.bias']); // [T, B, H]
    },
  };
}
