/**
 * Elementwise differentiable ops. Each records {forward, backward} on the tape; backward accumulates (+=)
 * into the gradients of the inputs that need them and reuses saved outputs (1 − y² for tanh, y(1 − y) for σ).
 * Each also has a forward-mode `jvp` (ẏ from the inputs' tangents; see Tape.jvp).
 */
import type { Activation, UnaryKind } from '../kernels/backend.js';
import type { Tape } from '../autodiff/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { expectSameShape, formatShape } from '../tensor/shape.js';
import { gradOf } from './grad.js';

export const noop = (): void => undefined;

/** y = f(x) for a pointwise function f (tanh, sigmoid, relu, identity, exp, sqrt, …); same shape as x. */
export function unary(tape: Tape, kind: UnaryKind, x: Tensor): Tensor {
  const b = tape.backend,
    n = x.size;
  const y = tape.tensor(x.shape, tape.needsGrad(x));
  const forward = (): void => b.unary(kind, n, x, y);
  forward();
  const gx = y.requiresGrad ? x.ensureGrad() : null;
  const gy = y.grad;
  const backward = gx && gy ? (): void => b.unaryBackward(kind, n, x, y, gy, gx) : noop;
  const jvp = (): void => {
    // ẏ = f′(x)·ẋ (unaryBackward into a zeroed ẏ)
    const tx = x.tangent;
    if (!tx) return;
    const ty = y.ensureTangent();
    b.fill(n, 0, ty);
    b.unaryBackward(kind, n, x, y, tx, ty);
  };
  tape.record({ op: kind, forward, backward, jvp }, [x]);
  return y;
}

/** σ(x) for one of the transition activations. */
export const activation = (tape: Tape, kind: Activation, x: Tensor): Tensor => unary(tape, kind, x);
export const tanh = (tape: Tape, x: Tensor): Tensor => unary(tape, 'tanh', x);
export const sigmoid = (tape: Tape, x: Tensor): Tensor => unary(tape, 'sigmoid', x);
export const relu = (tape: Tape, x: Tensor): Tensor => unary(tape, 'relu', x);
export const exp = (tape: Tape, x: Tensor): Tensor => unary(tape, 'exp', x);
export const neg = (tape: Tape, x: Tensor): Tensor => unary(tape, 'neg', x);
export const square = (tape: Tape, x: Tensor): Tensor => unary(tape, 'square', x);
export const sqrt = (tape: Tape, x: Tensor): Tensor => unary(tape, 'sqrt', x);
export const sin = (tape: Tape, x: Tensor): Tensor => unary(tape, 'sin', x);
export const cos = (tape: Tape, x: Tensor): Tensor => unary(tape, 'cos', x);
/** 1 − x (the carry of a coupled gate). */
export const oneMinus = (tape: Tape, x: Tensor): Tensor => unary(tape, 'oneMinus', x);

type BinaryKind = 'add' | 'sub' | 'mul';

function binary(tape: Tape, kind: BinaryKind, a: Tensor, c: Tensor): Tensor {
  expectSameShape(kind, a.shape, c.shape);
  const b = tape.backend,
    n = a.size;
  const y = tape.tensor(a.shape, tape.needsGrad(a, c));
  const forward = (): void => b[kind](n, a, c, y);
  forward();
  const ga = gradOf(a, y.grad);
  const gc = gradOf(c, y.grad);
  const gy = y.grad;
  let backward = noop;
  if (gy && (ga || gc)) {
    if (kind === 'add')
      backward = () => {
        if (ga) b.axpy(n, 1, gy, ga);
        if (gc) b.axpy(n, 1, gy, gc);
      };
    else if (kind === 'sub')
      backward = () => {
        if (ga) b.axpy(n, 1, gy, ga);
        if (gc) b.axpy(n, -1, gy, gc);
      };
    else
      backward = () => {
        if (ga) b.mulAcc(n, gy, c, ga);
        if (gc) b.mulAcc(n, gy, a, gc);
      };
  }
  const jvp = (): void => {
    // ẏ = ȧ ± ċ, or ȧ⊙c + a⊙ċ
    const ta = a.tangent,
      tc = c.tangent;
    if (!ta && !tc) return;
    const ty = y.ensureTangent();
    if (kind === 'mul') {
      if (ta) b.mul(n, ta, c, ty);
      else b.fill(n, 0, ty);
      if (tc) b.mulAcc(n, a, tc, ty);
    } else if (ta && tc) b[kind](n, ta, tc, ty);
    else if (ta) b.copy(n, ta, ty);
    else b.scale(n, kind === 'add' ? 1 : -1, tc as Tensor, ty);
  };
  tape.record({ op: kind, forward, backward, jvp }, [a, c]);
  return y;
}

/** a + b (same shapes) */
export const add = (tape: Tape, a: Tensor, b: Tensor): Tensor => binary(tape, 'add', a, b);
/** a − b (same shapes) */
export const sub = (tape: Tape, a: Tensor, b: Tensor): Tensor => binary(tape, 'sub', a, b);
/** a ⊙ b (same shapes) */
export const mul = (tape: Tape, a: Tensor, b: Tensor): Tensor => binary(tape, 'mul', a, b);

/** Sum of any number of same-shape tensors. */
export function addN(tape: Tape, ...xs: Tensor[]): Tensor {
  if (xs.length === 0) throw new Error('addN: no tensors');
  let acc = xs[0];
  for (let i = 1; i < xs.length; i++) acc = add(tape, acc, xs[i]);
  return acc;
}

/** y = α·x + β */
export function scale(tape: Tape, x: Tensor, alpha: number, beta = 0): Tensor {
  const b = tape.backend,
    n = x.size;
  const y = tape.tensor(x.shape, tape.needsGrad(x));
  const forward = (): void => b.scale(n, alpha, x, y, beta);
  forward();
  const gx = y.requiresGrad ? x.ensureGrad() : null,
    gy = y.grad;
  const jvp = (): void => {
    const tx = x.tangent;
    if (tx) b.scale(n, alpha, tx, y.ensureTangent(), 0);
  }; // ẏ = α·ẋ
  tape.record({ op: 'scale', forward, backward: gx && gy ? () => b.axpy(n, alpha, gy, gx) : noop, jvp }, [x]);
  return y;
}

function checkRow(op: string, x: Tensor, row: Tensor): number {
  const n = x.shape[x.rank - 1];
  if (row.rank !== 1 || row.shape[0] !== n) {
    throw new Error(
      `${op}: row vector ${formatShape(row.shape)} does not match the last axis of ${formatShape(x.shape)}`,
    );
  }
  return n;
}

/** What addRow and mulRow share: the sizes, the output (computed now), its forward, the gradient buffers. */
function rowOp(tape: Tape, op: 'addRow' | 'mulRow', x: Tensor, row: Tensor) {
  const n = checkRow(op, x, row),
    m = x.size / n,
    b = tape.backend;
  const y = tape.tensor(x.shape, tape.needsGrad(x, row));
  const forward = (): void => b[op](m, n, x, row, y);
  forward();
  const gy = y.grad;
  return { n, m, b, y, forward, gy, gx: gradOf(x, gy), gr: gradOf(row, gy) };
}

/** y[i, j] = x[i, j] + row[j] (a bias added to every row; x may have any leading dims). */
export function addRow(tape: Tape, x: Tensor, row: Tensor): Tensor {
  const { n, m, b, y, forward, gy, gx, gr } = rowOp(tape, 'addRow', x, row);
  const backward = gy
    ? () => {
        if (gx) b.axpy(m * n, 1, gy, gx);
        if (gr) b.sumRows(m, n, gy, 1, gr);
      }
    : noop;
  const jvp = (): void => {
    // ẏ = ẋ + ṙow
    const tx = x.tangent,
      tr = row.tangent;
    if (!tx && !tr) return;
    const ty = y.ensureTangent();
    if (tx) b.copy(m * n, tx, ty);
    else b.fill(m * n, 0, ty);
    if (tr) b.addRow(m, n, ty, tr, ty);
  };
  tape.record({ op: 'addRow', forward, backward, jvp }, [x, row]);
  return y;
}

/** y[i, j] = x[i, j] · row[j] (a per-unit scale, e.g. the LRU's diagonal λ). */
export function mulRow(tape: Tape, x: Tensor, row: Tensor): Tensor {
  const { n, m, b, y, forward, gy, gx, gr } = rowOp(tape, 'mulRow', x, row);
  let backward = noop;
  if (gy && (gx || gr)) {
    const tmp = tape.tensor(x.shape);
    backward = () => {
      if (gx) {
        b.mulRow(m, n, gy, row, tmp);
        b.axpy(m * n, 1, tmp, gx);
      }
      if (gr) {
        b.mul(m * n, gy, x, tmp);
        b.sumRows(m, n, tmp, 1, gr);
      }
    };
  }
  let jtmp: Tensor | null = null;
  const jvp = (): void => {
    // ẏ = ẋ⊙row + x⊙ṙow
    const tx = x.tangent,
      tr = row.tangent;
    if (!tx && !tr) return;
    const ty = y.ensureTangent();
    if (!tx) {
      b.mulRow(m, n, x, tr as Tensor, ty);
      return;
    }
    b.mulRow(m, n, tx, row, ty);
    if (tr) {
      jtmp ??= tape.tensor(x.shape);
      b.mulRow(m, n, x, tr, jtmp);
      b.axpy(m * n, 1, jtmp, ty);
    }
  };
  tape.record({ op: 'mulRow', forward, backward, jvp }, [x, row]);
  return y;
}

/**
 * Row blend for variable-length batches: y[i] = mask[i]·a[i] + (1 − mask[i])·b[i], mask [m] of 0/1 values,
 * a, b [m, n]. With a = f(h_{t−1}, x_t) and b = h_{t−1}, finished sequences keep their state.
 */
export function blend(tape: Tape, mask: Tensor, a: Tensor, c: Tensor): Tensor {
  expectSameShape('blend', a.shape, c.shape);
  const m = a.shape[0],
    n = a.size / m,
    b = tape.backend;
  if (mask.size !== m)
    throw new Error(
      `blend: mask ${formatShape(mask.shape)} needs ${m} entries (one per row of ${formatShape(a.shape)})`,
    );
  const y = tape.tensor(a.shape, tape.needsGrad(a, c));
  const forward = (): void => b.blend(m, n, mask, a, c, y);
  forward();
  const gy = y.grad;
  const ga = gradOf(a, gy);
  const gc = gradOf(c, gy);
  const backward = gy && (ga || gc) ? () => b.blendBackward(m, n, mask, gy, ga, gc) : noop;
  const jvp = (): void => {
    // ẏ = mask·ȧ + (1 − mask)·ċ (the mask is data: no tangent)
    const ta = a.tangent,
      tc = c.tangent;
    if (!ta && !tc) return;
    const ty = y.ensureTangent();
    if (ta && tc) {
      b.blend(m, n, mask, ta, tc, ty);
      return;
    }
    b.fill(m * n, 0, ty);
    if (ta) b.blendBackward(m, n, mask, ta, ty, null);
    else b.blendBackward(m, n, mask, tc as Tensor, null, ty);
  };
  tape.record({ op: 'blend', forward, backward, jvp }, [mask, a, c]);
  return y;
}
