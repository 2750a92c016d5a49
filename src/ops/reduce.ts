/** Reductions to a scalar: sum, mean, and the mean over the rows a mask selects. */
import type { Tape } from '../autodiff/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { noop } from './elementwise.js';
import { gradOf } from './grad.js';

/** Σ x → scalar []. */
export function sum(tape: Tape, x: Tensor): Tensor {
  return scaledSum(tape, x, 'sum', () => 1);
}

/** (1/n)·Σ x → scalar []. */
export function mean(tape: Tape, x: Tensor): Tensor {
  return scaledSum(tape, x, 'mean', () => 1 / x.size);
}

function scaledSum(tape: Tape, x: Tensor, op: string, factor: () => number): Tensor {
  const be = tape.backend,
    n = x.size;
  const y = tape.tensor([], tape.needsGrad(x));
  const forward = (): void => be.fill(1, be.sum(n, x) * factor(), y);
  forward();
  const gy = y.grad,
    gx = gradOf(x, gy);
  const backward = gy && gx ? () => be.scale(n, 1, gx, gx, gy.item() * factor()) : noop;
  tape.record({ op, forward, backward }, [x]);
  return y;
}

/**
 * Σ_i mask_i·x_i / max(1, Σ_i mask_i) → scalar: the mean over the entries a 0/1 mask selects
 * (padding of variable-length batches is excluded from a loss this way). x, mask [m].
 */
export function maskedMean(tape: Tape, x: Tensor, mask: Tensor): Tensor {
  if (x.size !== mask.size)
    throw new Error(`maskedMean: mask ${formatShape(mask.shape)} does not match ${formatShape(x.shape)}`);
  const be = tape.backend,
    n = x.size;
  const y = tape.tensor([], tape.needsGrad(x));
  let count = 1;
  const forward = (): void => {
    count = Math.max(1, be.sum(n, mask));
    be.fill(1, be.dot(n, x, mask) / count, y);
  };
  forward();
  const gy = y.grad,
    gx = gradOf(x, gy);
  const backward = gy && gx ? () => be.axpy(n, gy.item() / count, mask, gx) : noop;
  tape.record({ op: 'maskedMean', forward, backward }, [x, mask]);
  return y;
}
