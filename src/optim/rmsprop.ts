/**
 * RMSprop, following PyTorch's `torch.optim.RMSprop` (defaults lr 0.01, α 0.99, eps 1e-8):
 *
 *   g ← g + wd·p                                   (when weightDecay ≠ 0; `p.grad` is not modified)
 *   v ← α·v + (1 − α)·g²
 *   ḡ ← ḡ + (1 − α)·(g − ḡ);  a ← √(v − ḡ²) + eps   (centered)      a ← √v + eps   (otherwise)
 *   b ← μ·b + g/a;  p ← p − lr·b                    (momentum μ > 0)  p ← p − lr·g/a (otherwise)
 *
 * The backend interface has no division kernel and no fused RMSprop kernel, so the update is one loop
 * over the storages' typed arrays (index = storage.base + offset + i). That works for both backends (the
 * wasm storages expose a Float32Array view of the heap, re-read at every step in case the heap grew);
 * on wasm it runs as JavaScript rather than SIMD. A `rmsprop` kernel beside `adam` would remove it.
 */
import { z } from 'zod';
import type { Tensor } from '../tensor/tensor.js';
import { BaseOptimizer } from './optimizer.js';
import { flag, nonNegative, parseConfig, unitInterval } from './validate.js';

export const rmspropConfigSchema = z.strictObject({
  kind: z.literal('rmsprop').default('rmsprop'),
  /** Learning rate (PyTorch's default). */
  lr: nonNegative().default(1e-2),
  /** Smoothing constant of the squared-gradient average. */
  alpha: unitInterval().default(0.99),
  /** Added to the root in the denominator. */
  eps: nonNegative().default(1e-8),
  /** L2 penalty coefficient added to the gradient. */
  weightDecay: nonNegative().default(0),
  /** Momentum factor μ in [0, 1). */
  momentum: unitInterval().default(0),
  /** Normalise by the estimated variance (v − ḡ²) instead of the raw second moment. */
  centered: flag().default(false),
});

export type RmspropConfig = z.input<typeof rmspropConfigSchema>;
export type ResolvedRmspropConfig = z.output<typeof rmspropConfigSchema>;

export class RMSprop extends BaseOptimizer {
  readonly config: Readonly<ResolvedRmspropConfig>;
  private readonly squareAvg: Tensor[];
  private readonly gradAvg: Tensor[] | null;
  private readonly buffers: Tensor[] | null;

  constructor(params: readonly Tensor[], config: RmspropConfig = {}) {
    super(params, 'rmsprop');
    this.config = Object.freeze(parseConfig(rmspropConfigSchema, config, 'optimizer rmsprop'));
    this.squareAvg = this.addSlot('square_avg');
    this.buffers = this.config.momentum > 0 ? this.addSlot('momentum_buffer') : null;
    this.gradAvg = this.config.centered ? this.addSlot('grad_avg') : null;
  }

  protected update(i: number, p: Tensor, g: Tensor, lr: number): void {
    const { alpha, eps, weightDecay: wd, momentum: mu } = this.config;
    const n = p.size;
    const P = p.storage.array,
      G = g.storage.array;
    const po = p.storage.base + p.offset,
      go = g.storage.base + g.offset;
    const sq = this.squareAvg[i],
      V = sq.storage.array,
      vo = sq.storage.base + sq.offset;
    const ga = this.gradAvg !== null ? this.gradAvg[i] : sq; // sq is a placeholder, never read when not centered
    const A = ga.storage.array,
      ao = ga.storage.base + ga.offset;
    const bf = this.buffers !== null ? this.buffers[i] : sq; // likewise when μ = 0
    const B = bf.storage.array,
      bo = bf.storage.base + bf.offset;
    const centered = this.gradAvg !== null,
      momentum = this.buffers !== null;
    for (let k = 0; k < n; k++) {
      const gk = wd !== 0 ? G[go + k] + wd * P[po + k] : G[go + k];
      V[vo + k] = alpha * V[vo + k] + (1 - alpha) * gk * gk;
      let avg: number;
      if (centered) {
        A[ao + k] = A[ao + k] + (1 - alpha) * (gk - A[ao + k]); // PyTorch's lerp_(g, 1 − α)
        const a = A[ao + k]; // read back: the stored (possibly float32) values are the state
        // v ≥ ḡ² in exact arithmetic; rounding can make the difference slightly negative (√ → NaN), so clamp.
        avg = Math.sqrt(Math.max(0, V[vo + k] - a * a)) + eps;
      } else {
        avg = Math.sqrt(V[vo + k]) + eps;
      }
      if (momentum) {
        B[bo + k] = mu * B[bo + k] + gk / avg;
        P[po + k] = P[po + k] + -lr * B[bo + k];
      } else {
        P[po + k] = P[po + k] + -lr * (gk / avg);
      }
    }
  }
}
