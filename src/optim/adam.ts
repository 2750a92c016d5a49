/**
 * Adam and AdamW through the backend's fused `adam` kernel, following PyTorch's `torch.optim.Adam` and
 * `torch.optim.AdamW` (amsgrad not supported). With t the parameter's step count:
 *
 *   Adam:   g ← g + wd·p   (L2 penalty, into a scratch copy; `p.grad` is not modified)
 *   m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
 *   p ← p − lr·( (m/(1 − β1ᵗ)) / (√(v/(1 − β2ᵗ)) + eps) + wdₓ·p )
 *
 * where wdₓ = wd for AdamW (decoupled decay, PyTorch's p ← p − lr·wd·p) and 0 for Adam.
 */
import { z } from 'zod';
import type { AdamStep, Ref } from '../kernels/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { BaseOptimizer } from './optimizer.js';
import { nonNegative, parseConfig, unitInterval } from './validate.js';

const adamFields = {
  /** Learning rate (PyTorch's default). */
  lr: nonNegative().default(1e-3),
  /** Decay of the first-moment (mean) estimate. */
  beta1: unitInterval().default(0.9),
  /** Decay of the second-moment (uncentred variance) estimate. */
  beta2: unitInterval().default(0.999),
  /** Added to √v̂ in the denominator. */
  eps: nonNegative().default(1e-8),
};

/** Adam: weightDecay is an L2 penalty added to the gradient (PyTorch `Adam(weight_decay=…)`). */
export const adamConfigSchema = z.strictObject({
  kind: z.literal('adam').default('adam'),
  ...adamFields,
  weightDecay: nonNegative().default(0),
});

/** AdamW: weightDecay is decoupled, p ← p − lr·wd·p (PyTorch `AdamW`, default 0.01). */
export const adamwConfigSchema = z.strictObject({
  kind: z.literal('adamw').default('adamw'),
  ...adamFields,
  weightDecay: nonNegative().default(1e-2),
});

export type AdamConfig = z.input<typeof adamConfigSchema>;
export type ResolvedAdamConfig = z.output<typeof adamConfigSchema>;
export type AdamWConfig = z.input<typeof adamwConfigSchema>;
export type ResolvedAdamWConfig = z.output<typeof adamwConfigSchema>;

/** Adam (and, with `decoupled`, AdamW); use the `Adam` and `AdamW` classes below. */
abstract class AdamBase extends BaseOptimizer {
  abstract override readonly config: Readonly<ResolvedAdamConfig | ResolvedAdamWConfig>;
  private readonly m: Tensor[];
  private readonly v: Tensor[];
  private readonly scratch: Tensor | null;
  /** The kernel's hyper-parameter record, mutated in place each update. */
  private readonly hp: AdamStep;
  /** L2 coefficient added to the gradient (Adam only). */
  private readonly l2: number;

  protected constructor(params: readonly Tensor[], cfg: ResolvedAdamConfig | ResolvedAdamWConfig) {
    super(params, cfg.kind);
    const decoupled = cfg.kind === 'adamw';
    this.m = this.addSlot('exp_avg');
    this.v = this.addSlot('exp_avg_sq');
    this.l2 = decoupled ? 0 : cfg.weightDecay;
    this.scratch = this.l2 !== 0 ? this.addScratch() : null;
    this.hp = {
      lr: cfg.lr,
      beta1: cfg.beta1,
      beta2: cfg.beta2,
      eps: cfg.eps,
      weightDecay: decoupled ? cfg.weightDecay : 0,
      bias1: 1,
      bias2: 1,
    };
  }

  protected update(i: number, p: Tensor, g: Tensor, lr: number, t: number): void {
    const be = this.backend,
      n = p.size,
      hp = this.hp,
      s = this.scratch;
    hp.lr = lr;
    hp.bias1 = 1 - hp.beta1 ** t;
    hp.bias2 = 1 - hp.beta2 ** t;
    let grad: Ref = g;
    if (s !== null) {
      be.copy(n, g, s);
      be.axpy(n, this.l2, p, s);
      grad = s;
    }
    be.adam(n, hp, p, grad, this.m[i], this.v[i]);
  }
}

export class Adam extends AdamBase {
  readonly config: Readonly<ResolvedAdamConfig>;
  constructor(params: readonly Tensor[], config: AdamConfig = {}) {
    const cfg = Object.freeze(parseConfig(adamConfigSchema, config, 'optimizer adam'));
    super(params, cfg);
    this.config = cfg;
  }
}

export class AdamW extends AdamBase {
  readonly config: Readonly<ResolvedAdamWConfig>;
  constructor(params: readonly Tensor[], config: AdamWConfig = {}) {
    const cfg = Object.freeze(parseConfig(adamwConfigSchema, config, 'optimizer adamw'));
    super(params, cfg);
    this.config = cfg;
  }
}
