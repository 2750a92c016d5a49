/** Inverted dropout: y = x ⊙ m/(1 − p), with a fresh Bernoulli(1 − p) mask m drawn on every forward. */
import type { Tape } from '../autodiff/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Rng } from '../tensor/rng.js';
import { noop } from './elementwise.js';
import { gradOf } from './grad.js';

/** Dropout with probability p (0 ≤ p < 1); p = 0 returns x itself. The mask comes from `rng`. */
export function dropout(tape: Tape, x: Tensor, p: number, rng: Rng): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: probability must be in [0, 1), got ${p}`);
  if (p === 0) return x;
  const be = tape.backend,
    n = x.size;
  const y = tape.tensor(x.shape, tape.needsGrad(x));
  const mask = tape.tensor(x.shape);
  const keep = 1 / (1 - p);
  const forward = (): void => {
    const a = mask.storage.array,
      o = mask.storage.base + mask.offset;
    for (let i = 0; i < n; i++) a[o + i] = rng.uniform() < p ? 0 : keep;
    be.mul(n, x, mask, y);
  };
  forward();
  const gy = y.grad,
    gx = gradOf(x, gy);
  tape.record({ op: 'dropout', forward, backward: gy && gx ? () => be.mulAcc(n, gy, mask, gx) : noop }, [x]);
  return y;
}
