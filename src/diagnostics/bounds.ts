/**
 * Upper bounds on how fast the state Jacobian products can grow, from the weights alone
 * (Pascanu, Mikolov & Bengio 2013), and their comparison with measured products.
 *
 * Vanilla, h_t = σ(A·h_{t−1} + B·x_t + v):  J_t = diag(σ′(a_t))·A, ‖diag σ′‖ ≤ γ = sup|σ′|, so
 *   ‖∂h_T/∂h_t‖ = ‖J_T⋯J_{t+1}‖ ≤ Π‖J_s‖ ≤ (γ‖A‖₂)^(T−t)                              [rigorous]
 *   γ‖A‖ < 1 is sufficient for vanishing; ρ(A) (reported too) decides for the linear RNN, where γ = 1 and
 *   ‖A^n‖^(1/n) → ρ(A).
 * Deep transition of depth L (plain): J_t = D_L W_L ⋯ D_1 W_1, so per step β = Π_l γ‖W_l‖ and the bound is
 *   β^(T−t)  — the seed's ‖A‖^(L·T) made precise (equal norms: (γ‖W‖)^(L(T−t)))                 [rigorous]
 * Shortcut DT(S), h' = σ(W_L z_{L−1} + S·h + b): J = D_L(W_L·∂z_{L−1}/∂h + S), so
 *   β = γ^L·Π_l‖W_l‖ + γ‖S‖   (the shortcut path adds to the chain's)                          [rigorous]
 * Residual, h' = h + z_L: J = I + (chain), β = 1 + Π_l γ‖W_l‖ — rigorous, but never below 1: a residual
 *   transition cannot be proved to vanish this way.
 * Highway (gated carry), layer-normalised transitions, GRU, LSTM: the Jacobian's size depends on gate and
 *   normalisation values along the trajectory, not on weights alone: bound null, with the reason; use the
 *   measured products. LRU: the recurrence is linear and diagonal, J = diag(λ) (as a real 2N map: rotations
 *   scaled by |λ_j|), so ‖∂S_T/∂S_t‖ = (max_j|λ_j|)^(T−t) exactly                            [rigorous, tight]
 * All bounds are for unmasked steps (a masked step is the identity).
 */
import type { Cell } from '../cells/cell.js';
import { lruEigenvalues } from '../cells/index.js';
import { create, spectralNorm, spectralRadius, type Matrix } from '../linalg/index.js';
import type { Tensor } from '../tensor/tensor.js';

/** The weight-only bound of one transition. */
export interface TransitionBound {
  kind: string;
  /** γ = sup|σ′| (null when the cell has no theory block). */
  gamma: number | null;
  /** ‖W_l‖₂ of each recurrent matrix (vanilla: [‖A‖]). */
  norms: number[];
  /** ρ(W_1) (vanilla: ρ(A)); null when there is no single recurrent matrix. */
  spectralRadius: number | null;
  /** ‖S‖₂ of a shortcut matrix, when there is one. */
  shortcutNorm: number | null;
  /** β: the per-step bound on ‖J_t‖ (null: no weight-only bound). */
  perStep: number | null;
  /** The bound on ‖∂S_T/∂S_t‖ for a span of T − t steps: β^span (null as perStep). */
  bound(span: number): number | null;
  /** Whether the bound holds for every input and state (false only together with perStep = null). */
  rigorous: boolean;
  /** How the bound was formed, or why there is none. */
  note: string;
}

const toMatrix = (t: Tensor): Matrix => create(t.shape[0], t.shape[1], t.toArray());

/** The Pascanu-style bound of a cell's transition (see the file header for each kind). */
export function transitionBound(cell: Cell): TransitionBound {
  const none = (note: string, gamma: number | null = null): TransitionBound => ({
    kind: cell.kind,
    gamma,
    norms: [],
    spectralRadius: null,
    shortcutNorm: null,
    perStep: null,
    bound: () => null,
    rigorous: false,
    note,
  });
  const make = (
    perStep: number,
    gamma: number | null,
    norms: number[],
    rho: number | null,
    shortcutNorm: number | null,
    note: string,
  ): TransitionBound => ({
    kind: cell.kind,
    gamma,
    norms,
    spectralRadius: rho,
    shortcutNorm,
    perStep,
    bound: (span) => perStep ** span,
    rigorous: true,
    note,
  });

  if (cell.kind === 'lru') {
    const r = Math.max(...lruEigenvalues(cell).modulus);
    return make(
      r,
      null,
      [],
      r,
      null,
      'linear diagonal recurrence: ‖J_t‖ = max|λ| exactly, bound (max|λ|)^span is tight',
    );
  }
  const th = cell.theory;
  if (!th)
    return none(`${cell.kind}: gated transition; ‖J_t‖ depends on the gate values along the trajectory (measure it)`);
  if (Object.keys(cell.params).some((n) => n.startsWith('ln_gain'))) {
    return none(
      `${cell.kind}: layer normalisation; its Jacobian (∝ 1/std of the pre-activation) is not bounded by the weights`,
      th.gamma,
    );
  }
  if (th.shortcut === 'gated')
    return none(`${cell.kind}: gated carry (highway); the gates' values decide ‖J_t‖`, th.gamma);
  const mats = th.recurrentMatrices.map(toMatrix);
  const norms = mats.map(spectralNorm),
    g = th.gamma;
  const rho = mats.length === 1 ? spectralRadius(mats[0]) : null;
  const chain = norms.reduce((p, n) => p * g * n, 1);
  const L = norms.length;
  if (th.shortcut === 'none') {
    return make(
      chain,
      g,
      norms,
      rho,
      null,
      L === 1 ? 'γ‖A‖ per step (Pascanu et al. 2013)' : `Π_l γ‖W_l‖ over L = ${L} layers per step`,
    );
  }
  if (th.shortcut === 'identity')
    return make(1 + chain, g, norms, rho, null, `residual: 1 + Π_l γ‖W_l‖ per step (never below 1)`);
  const skip = cell.params.weight_skip;
  if (!skip) return none(`${cell.kind}: shortcut matrix not found (params.weight_skip)`, g);
  const s = spectralNorm(toMatrix(skip));
  return make(chain + g * s, g, norms, rho, s, `shortcut: γ^L·Π_l‖W_l‖ + γ‖S‖ per step`);
}

/** One span of the comparison. */
export interface BoundComparison {
  span: [number, number];
  /** Measured ‖∂S_{t1}/∂S_{t0}‖ (e.g. the largest over the batch). */
  measured: number;
  bound: number | null;
  /** measured / bound: ≤ 1 inside; small = loose bound (null without a bound). */
  ratio: number | null;
  inside: boolean | null;
}

export interface BoundComparisonSummary {
  rows: BoundComparison[];
  /** Every measurement inside its bound (null without a bound). */
  allInside: boolean | null;
  /** Largest measured/bound ratio (the tightest span). */
  maxRatio: number | null;
  /** Per step: mean over spans of log(measured/bound)/span (0 = tight; very negative = loose). */
  logSlackPerStep: number | null;
}

/**
 * Compare measured product norms (one value per span [t0, t1], e.g. the batch maximum from
 * jacobianProductNorms) with a transition's bound β^(t1−t0). `relTol` (default 1e-9; use ~1e-5 for
 * float32 measurements) forgives rounding when deciding `inside`.
 */
export function compareWithBound(
  bound: TransitionBound,
  spans: readonly [number, number][],
  measured: ArrayLike<number>,
  relTol = 1e-9,
): BoundComparisonSummary {
  if (spans.length !== measured.length)
    throw new Error(`compareWithBound: ${spans.length} spans but ${measured.length} measurements`);
  const rows = spans.map(([t0, t1], i): BoundComparison => {
    const b = bound.bound(t1 - t0);
    if (b === null) return { span: [t0, t1], measured: measured[i], bound: null, ratio: null, inside: null };
    return {
      span: [t0, t1],
      measured: measured[i],
      bound: b,
      ratio: measured[i] / b,
      inside: measured[i] <= b * (1 + relTol),
    };
  });
  if (bound.perStep === null) return { rows, allInside: null, maxRatio: null, logSlackPerStep: null };
  let slack = 0;
  for (const r of rows) slack += Math.log(r.ratio as number) / (r.span[1] - r.span[0]);
  return {
    rows,
    allInside: rows.every((r) => r.inside),
    maxRatio: Math.max(...rows.map((r) => r.ratio as number)),
    logSlackPerStep: rows.length ? slack / rows.length : null,
  };
}
