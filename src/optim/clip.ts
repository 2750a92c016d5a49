/**
 * Gradient clipping and gradient norms over a parameter list. Parameters whose `.grad` is null are
 * skipped (they contribute 0), as in PyTorch. None of these allocate except `paramGroupNorms`.
 */
import type { Tensor } from '../tensor/tensor.js';

/** Global L2 norm of all gradients: √(Σ_params Σ_i g_i²). */
export function gradNorm(params: readonly Tensor[]): number {
  let ss = 0;
  for (let i = 0; i < params.length; i++) {
    const g = params[i].grad;
    if (g !== null) ss += g.backend.sumSquares(g.size, g);
  }
  return Math.sqrt(ss);
}

/**
 * PyTorch's `clip_grad_norm_`: computes the global L2 norm of all gradients and, when
 * c = maxNorm/(norm + 1e-6) is below 1, multiplies every gradient by c (so the result has norm just under
 * maxNorm). Returns the norm before clipping. A non-finite norm (NaN/Inf gradients) is returned with the
 * gradients left untouched: the caller decides (typically: skip the step and report it).
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  if (!(maxNorm > 0 && maxNorm < Infinity))
    throw new Error(`clipGradNorm: maxNorm must be a finite number > 0, got ${maxNorm}`);
  const norm = gradNorm(params);
  if (!Number.isFinite(norm)) return norm;
  const coef = maxNorm / (norm + 1e-6); // the 1e-6 keeps the division safe for zero gradients (PyTorch's choice)
  if (coef < 1) {
    for (let i = 0; i < params.length; i++) {
      const g = params[i].grad;
      if (g !== null) g.backend.scale(g.size, coef, g, g);
    }
  }
  return norm;
}

/** PyTorch's `clip_grad_value_`: clamps every gradient element into [−limit, limit]. */
export function clipGradValue(params: readonly Tensor[], limit: number): void {
  if (!(limit > 0 && limit < Infinity))
    throw new Error(`clipGradValue: limit must be a finite number > 0, got ${limit}`);
  for (let i = 0; i < params.length; i++) {
    const g = params[i].grad;
    if (g !== null) g.backend.clamp(g.size, -limit, limit, g, g);
  }
}

/**
 * Gradient L2 norms per named group: `names[i]` names `params[i]` (default: the tensor's name, else
 * `param<i>`); parameters sharing a name are pooled into one norm (√ of their summed squares), so unique
 * names give per-parameter norms and names like `layer0` give per-layer norms. Keys keep first-seen order;
 * a parameter without a gradient counts as 0.
 */
export function paramGroupNorms(params: readonly Tensor[], names?: readonly string[]): Record<string, number> {
  if (names !== undefined && names.length !== params.length) {
    throw new Error(`paramGroupNorms: got ${names.length} names for ${params.length} parameters`);
  }
  const ss = new Map<string, number>();
  params.forEach((p, i) => {
    const name = names !== undefined ? names[i] : p.name || `param${i}`;
    const g = p.grad;
    ss.set(name, (ss.get(name) ?? 0) + (g !== null ? g.backend.sumSquares(g.size, g) : 0));
  });
  const out: Record<string, number> = {};
  for (const [name, s] of ss) out[name] = Math.sqrt(s);
  return out;
}
