/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
 * following PyTorch's `torch.optim.SGD` exactly:
 *
 *   d ← g + wd·p                           (when weightDecay ≠ 0)
 *   b ← d                                  (a parameter's first step)
 *   b ← μ·b + (1 − τ)·d                    (later steps; τ = dampening)
 *   d ← d + μ·b  (Nesterov)   or   d ← b    (when μ ≠ 0)
 *   p ← p − lr·d
 *
 * Composed from the backend's axpy/scale/copy kernels; `p.grad` is never modified.
 */
import { z } from 'zod';
import type { Ref } from '../kernels/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { BaseOptimizer } from './optimizer.js';
import { flag, nonNegative, parseConfig, unitInterval } from './validate.js';

export const sgdConfigSchema = z
  .strictObject({
    kind: z.literal('sgd').default('sgd'),
    /** Learning rate (PyTorch's default). */
    lr: nonNegative().default(1e-3),
    /** Momentum factor μ in [0, 1); 0 is plain SGD. */
    momentum: unitInterval().default(0),
    /** Dampening τ of the gradient entering the momentum buffer. */
    dampening: z
      .number({ error: 'must be a finite number' })
      .min(0, 'must be in [0, 1]')
      .max(1, 'must be in [0, 1]')
      .default(0),
    /** Nesterov momentum (needs momentum > 0 and dampening 0). */
    nesterov: flag().default(false),
    /** L2 penalty coefficient added to the gradient. */
    weightDecay: nonNegative().default(0),
  })
  .superRefine((c, ctx) => {
    if (c.nesterov && (c.momentum <= 0 || c.dampening !== 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['nesterov'],
        input: c.nesterov,
        message: `needs momentum > 0 and dampening 0 (momentum is ${c.momentum}, dampening ${c.dampening})`,
      });
    }
  });

/** SGD options as written (defaults omitted). */
export type SgdConfig = z.input<typeof sgdConfigSchema>;
/** SGD options with every default filled in. */
export type ResolvedSgdConfig = z.output<typeof sgdConfigSchema>;

export class SGD extends BaseOptimizer {
  readonly config: Readonly<ResolvedSgdConfig>;
  private readonly buffers: Tensor[] | null;
  private readonly scratch: Tensor | null;

  constructor(params: readonly Tensor[], config: SgdConfig = {}) {
    super(params, 'sgd');
    this.config = Object.freeze(parseConfig(sgdConfigSchema, config, 'optimizer sgd'));
    const { momentum, nesterov, weightDecay } = this.config;
    this.buffers = momentum !== 0 ? this.addSlot('momentum_buffer') : null;
    this.scratch = weightDecay !== 0 || nesterov ? this.addScratch() : null;
  }

  protected update(i: number, p: Tensor, g: Tensor, lr: number, t: number): void {
    const be = this.backend,
      n = p.size,
      s = this.scratch;
    const { momentum, dampening, nesterov, weightDecay } = this.config;
    let d: Ref = g;
    if (weightDecay !== 0 && s !== null) {
      be.copy(n, g, s);
      be.axpy(n, weightDecay, p, s);
      d = s;
    }
    if (this.buffers !== null) {
      const b = this.buffers[i];
      if (t === 1) be.copy(n, d, b);
      else {
        be.scale(n, momentum, b, b);
        be.axpy(n, 1 - dampening, d, b);
      }
      if (nesterov && s !== null) {
        if (d !== s) be.copy(n, d, s);
        be.axpy(n, momentum, b, s);
        d = s;
      } else d = b;
    }
    be.axpy(n, -lr, d, p);
  }
}
