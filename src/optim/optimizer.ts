/**
 * The Optimizer interface and the bookkeeping every optimizer shares: the parameter list, per-parameter
 * step counts, state tensors ("slots": momentum buffers, moments) allocated once on the parameters'
 * backend, zeroGrad, and state()/loadState() for checkpoints.
 *
 * Semantics follow PyTorch's single-tensor implementations: a parameter whose `.grad` is null is skipped
 * by a step and its step count does not advance (PyTorch keeps `state['step']` per parameter too).
 * A step allocates no JavaScript objects: hyper-parameter records are mutated in place and the loops
 * index plain arrays.
 *
 * ```ts
 * const opt = createOptimizer({ kind: 'adamw', lr: 3e-4, weightDecay: 0.1 }, model.params);
 * for (let t = 0; t < steps; t++) { opt.zeroGrad(); lossAndBackward(); opt.step(schedule(t)); }
 * ```
 */
import type { Backend } from '../kernels/backend.js';
import { Tensor } from '../tensor/tensor.js';

export interface Optimizer {
  /** The resolved config (every default filled in), e.g. for the run record. */
  readonly config: { readonly kind: 'sgd' | 'adam' | 'adamw' | 'rmsprop'; readonly lr: number };
  readonly params: readonly Tensor[];
  /** One update of every parameter that has a gradient. `lr` overrides the configured rate (schedules feed it). */
  step(lr?: number): void;
  /** Set every existing gradient to zero. */
  zeroGrad(): void;
  /**
   * A copy of the optimizer state as float64 arrays, for checkpoints: `step` (per-parameter step counts)
   * and one `<slot>.<i>` entry per state tensor, with PyTorch's slot names (`exp_avg.0`, `momentum_buffer.3`).
   */
  state(): Record<string, Float64Array>;
  /** Restore a state() record (all keys, sizes and values checked before anything is written). */
  loadState(s: Readonly<Record<string, ArrayLike<number>>>): void;
  /** Release the state tensors (the parameters are left alone). */
  dispose(): void;
}

/** Shared machinery; subclasses declare their slots in the constructor and implement `update`. */
export abstract class BaseOptimizer implements Optimizer {
  abstract readonly config: Optimizer['config'];
  readonly params: readonly Tensor[];
  readonly backend: Backend;
  /** Steps taken by each parameter (float64 so it round-trips through state()). */
  protected readonly steps: Float64Array;
  /** Elements of the largest parameter (scratch tensors are this long). */
  protected readonly maxSize: number;
  private readonly slots = new Map<string, Tensor[]>();
  private readonly scratches: Tensor[] = [];

  constructor(
    params: readonly Tensor[],
    protected readonly who: string,
  ) {
    if (!Array.isArray(params) || params.length === 0) throw new Error(`${who}: got an empty parameter list`);
    const seen = new Set<Tensor>();
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new Error(`${who}: parameter ${i} is not a Tensor`);
      if (seen.has(p)) throw new Error(`${who}: parameter ${i}${p.name ? ` ("${p.name}")` : ''} appears twice`);
      if (p.backend !== params[0].backend) {
        throw new Error(
          `${who}: parameter ${i} lives on backend ${p.backend.name}, parameter 0 on ${params[0].backend.name}`,
        );
      }
      seen.add(p);
    });
    this.params = [...params];
    this.backend = params[0].backend;
    this.steps = new Float64Array(params.length);
    this.maxSize = Math.max(...params.map((p) => p.size));
  }

  /** Allocate one zero state tensor per parameter under a PyTorch slot name. */
  protected addSlot(name: string): Tensor[] {
    const ts = this.params.map((p) => Tensor.zeros(this.backend, p.shape));
    this.slots.set(name, ts);
    return ts;
  }

  /** A zero tensor as long as the largest parameter, for intermediate values. */
  protected addScratch(): Tensor {
    const t = Tensor.zeros(this.backend, [this.maxSize]);
    this.scratches.push(t);
    return t;
  }

  /** Update parameter `i` (its gradient `g`) with learning rate `lr`; `t` is its step count, already advanced. */
  protected abstract update(i: number, p: Tensor, g: Tensor, lr: number, t: number): void;

  step(lr: number = this.config.lr): void {
    if (!(lr >= 0 && lr < Infinity)) throw new Error(`${this.who}.step: lr must be a finite number ≥ 0, got ${lr}`);
    const params = this.params;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const g = p.grad;
      if (g === null) continue;
      const t = ++this.steps[i];
      this.update(i, p, g, lr, t);
    }
  }

  zeroGrad(): void {
    const params = this.params;
    for (let i = 0; i < params.length; i++) {
      const g = params[i].grad;
      if (g !== null) this.backend.fill(g.size, 0, g);
    }
  }

  state(): Record<string, Float64Array> {
    const out: Record<string, Float64Array> = { step: Float64Array.from(this.steps) };
    for (const [name, ts] of this.slots) ts.forEach((t, i) => (out[`${name}.${i}`] = t.toArray()));
    return out;
  }

  loadState(s: Readonly<Record<string, ArrayLike<number>>>): void {
    const where = `${this.who}.loadState`;
    const expected = new Map<string, number>([['step', this.params.length]]);
    for (const [name, ts] of this.slots) ts.forEach((t, i) => expected.set(`${name}.${i}`, t.size));
    const unknown = Object.keys(s).filter((k) => !expected.has(k));
    if (unknown.length > 0) {
      throw new Error(
        `${where}: unexpected entries ${unknown.join(', ')} (expected ${[...expected.keys()].join(', ')})`,
      );
    }
    for (const [key, n] of expected) {
      const v = s[key];
      if (v === undefined) throw new Error(`${where}: missing entry "${key}"`);
      if (v.length !== n) throw new Error(`${where}: entry "${key}" has ${v.length} values, expected ${n}`);
      for (let i = 0; i < n; i++) {
        const ok = key === 'step' ? Number.isInteger(v[i]) && v[i] >= 0 : Number.isFinite(v[i]);
        if (!ok)
          throw new Error(
            `${where}: entry "${key}" value ${v[i]} at index ${i} is not ${key === 'step' ? 'a step count' : 'finite'}`,
          );
      }
    }
    this.steps.set(s.step);
    for (const [name, ts] of this.slots) ts.forEach((t, i) => t.set(s[`${name}.${i}`]));
  }

  dispose(): void {
    for (const ts of this.slots.values()) for (const t of ts) t.dispose();
    for (const t of this.scratches) t.dispose();
    this.slots.clear();
    this.scratches.length = 0;
  }
}
