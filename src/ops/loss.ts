/** Losses: mean squared error and fused softmax cross-entropy, each optionally masked per row. */
import type { Tape } from '../autodiff/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { expectSameShape, formatShape } from '../tensor/shape.js';
import { noop } from './elementwise.js';
import { gradOf } from './grad.js';

/**
 * Mean squared error (1/N)·Σ (pred − target)² over all elements; with a 0/1 row mask [m] (rows = first
 * axis of pred), the mean over the elements of selected rows only. Returns a scalar [].
 */
export function mse(tape: Tape, pred: Tensor, target: Tensor, mask: Tensor | null = null): Tensor {
  expectSameShape('mse', pred.shape, target.shape, 'prediction and target shapes differ');
  const be = tape.backend,
    n = pred.size,
    m = pred.shape[0] ?? 1,
    width = n / m;
  if (mask && mask.size !== m)
    throw new Error(`mse: mask ${formatShape(mask.shape)} needs one entry per row of ${formatShape(pred.shape)}`);
  const y = tape.tensor([], tape.needsGrad(pred, target));
  const diff = tape.tensor(pred.shape);
  const zeros = mask ? tape.tensor(pred.shape) : null;
  let count = n;
  const forward = (): void => {
    be.sub(n, pred, target, diff);
    if (mask && zeros) {
      be.blend(m, width, mask, diff, zeros, diff); // zero the rows the mask drops
      count = Math.max(1, be.sum(m, mask)) * width;
    }
    be.fill(1, be.sumSquares(n, diff) / count, y);
  };
  forward();
  const gy = y.grad;
  const gp = gradOf(pred, gy);
  const gt = gradOf(target, gy);
  const backward =
    gy && (gp || gt)
      ? () => {
          const s = (2 * gy.item()) / count;
          if (gp) be.axpy(n, s, diff, gp);
          if (gt) be.axpy(n, -s, diff, gt);
        }
      : noop;
  tape.record({ op: 'mse', forward, backward }, mask ? [pred, target, mask] : [pred, target]);
  return y;
}

/**
 * Softmax cross-entropy, fused and stable (log-sum-exp with the row max subtracted; the gradient is
 * p − onehot, never formed through log p). logits [m, c]; labels [m] class indices (as floats);
 * optional 0/1 mask [m]. Returns the mean over (selected) rows, a scalar [].
 */
export function softmaxCrossEntropy(tape: Tape, logits: Tensor, labels: Tensor, mask: Tensor | null = null): Tensor {
  if (logits.rank !== 2)
    throw new Error(`softmaxCrossEntropy: logits must be [rows, classes], got ${formatShape(logits.shape)}`);
  const [m, c] = logits.shape;
  if (labels.size !== m)
    throw new Error(
      `softmaxCrossEntropy: labels ${formatShape(labels.shape)} need one entry per row of logits ${formatShape(logits.shape)}`,
    );
  if (mask && mask.size !== m)
    throw new Error(
      `softmaxCrossEntropy: mask ${formatShape(mask.shape)} needs one entry per row of ${formatShape(logits.shape)}`,
    );
  const be = tape.backend;
  const y = tape.tensor([], tape.needsGrad(logits));
  const probs = tape.tensor([m, c]);
  const rowLoss = tape.tensor([m]);
  const rowGrad = tape.tensor([m]);
  let count = m;
  const forward = (): void => {
    checkLabels(labels, c);
    be.softmaxXent(m, c, logits, labels, probs, rowLoss);
    if (mask) {
      count = Math.max(1, be.sum(m, mask));
      be.fill(1, be.dot(m, rowLoss, mask) / count, y);
    } else {
      be.fill(1, be.sum(m, rowLoss) / m, y);
    }
  };
  forward();
  const gy = y.grad,
    gl = gradOf(logits, gy);
  const backward =
    gy && gl
      ? () => {
          const s = gy.item() / count;
          if (mask) be.scale(m, s, mask, rowGrad);
          else be.fill(m, s, rowGrad);
          be.softmaxXentBackward(m, c, probs, labels, rowGrad, gl);
        }
      : noop;
  tape.record({ op: 'softmaxCrossEntropy', forward, backward }, mask ? [logits, labels, mask] : [logits, labels]);
  return y;
}

/** Labels must be integer class indices in [0, c); a bad one is a user error, named with its row. */
function checkLabels(labels: Tensor, c: number): void {
  const a = labels.storage.array,
    o = labels.storage.base + labels.offset;
  for (let i = 0; i < labels.size; i++) {
    const v = a[o + i];
    if (!(v >= 0 && v < c && Number.isInteger(v))) {
      throw new Error(`softmaxCrossEntropy: label ${v} at row ${i} is not a class index in [0, ${c})`);
    }
  }
}
