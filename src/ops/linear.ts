/**
 * Matrix products: matmul with either operand transposed, and the dense layer y = x·Wᵀ + b. Forward mode
 * (jvp) by the product rule: ẏ = op(ȧ)·op(b) + op(a)·op(ḃ); ẏ = ẋ·Wᵀ + x·Ẇᵀ + ḃias + ȧddend.
 */
import type { Tape } from '../autodiff/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { noop } from './elementwise.js';
import { gradOf } from './grad.js';

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

/**
 * y = op(a)·op(b), op(X) = X or Xᵀ; a, b rank 2. Shapes: op(a) [m, k], op(b) [k, n] → y [m, n].
 * Backward: ∂a += ∂y·op(b)ᵀ (laid out as a), ∂b += op(a)ᵀ·∂y (laid out as b).
 */
export function matmul(tape: Tape, a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const tA = opts.transA ?? false,
    tB = opts.transB ?? false;
  if (a.rank !== 2 || b.rank !== 2) {
    throw new Error(`matmul: operands must be matrices, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const m = tA ? a.shape[1] : a.shape[0],
    k = tA ? a.shape[0] : a.shape[1];
  const k2 = tB ? b.shape[1] : b.shape[0],
    n = tB ? b.shape[0] : b.shape[1];
  if (k !== k2) {
    throw new Error(
      `matmul: inner dimensions differ: a${tA ? 'ᵀ' : ''} ${formatShape(a.shape)} · b${tB ? 'ᵀ' : ''} ${formatShape(b.shape)}`,
    );
  }
  const be = tape.backend;
  const y = tape.tensor([m, n], tape.needsGrad(a, b));
  const forward = (): void => be.gemm(tA, tB, m, n, k, 1, a, b, 0, y);
  forward();
  const gy = y.grad;
  const ga = gradOf(a, gy);
  const gb = gradOf(b, gy);
  let backward = noop;
  if (gy && (ga || gb)) {
    backward = () => {
      if (ga) {
        if (!tA) be.gemm(false, !tB, m, k, n, 1, gy, b, 1, ga);
        else be.gemm(tB, true, k, m, n, 1, b, gy, 1, ga);
      }
      if (gb) {
        if (!tB) be.gemm(!tA, false, k, n, m, 1, a, gy, 1, gb);
        else be.gemm(true, tA, n, k, m, 1, gy, a, 1, gb);
      }
    };
  }
  const jvp = (): void => {
    const ta = a.tangent,
      tb = b.tangent;
    if (!ta && !tb) return;
    const ty = y.ensureTangent();
    if (ta) be.gemm(tA, tB, m, n, k, 1, ta, b, 0, ty);
    if (tb) be.gemm(tA, tB, m, n, k, 1, a, tb, ta ? 1 : 0, ty);
  };
  tape.record({ op: 'matmul', forward, backward, jvp }, [a, b]);
  return y;
}

/**
 * Dense layer in PyTorch's layout: y = x·Wᵀ + bias (+ addend). x [..., in] (any leading dims, flattened to
 * m rows), W [out, in], bias [out] or null, addend [..., out] or null → y [..., out]. One GEMM over all rows:
 * applied to a whole [T, B, I] sequence it hoists the input projection out of the time loop; with an
 * addend it is a recurrent step's pre-activation x_t-part + h·W_hhᵀ + b_hh in one node.
 */
export function linear(
  tape: Tape,
  x: Tensor,
  w: Tensor,
  bias: Tensor | null = null,
  addend: Tensor | null = null,
): Tensor {
  if (w.rank !== 2) throw new Error(`linear: weight must be [out, in], got ${formatShape(w.shape)}`);
  const [out, inp] = w.shape;
  if (x.rank < 1 || x.shape[x.rank - 1] !== inp) {
    throw new Error(
      `linear: expected input size ${inp} (weight ${formatShape(w.shape)}), got input ${formatShape(x.shape)}`,
    );
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== out)) {
    throw new Error(`linear: bias ${formatShape(bias.shape)} does not match weight ${formatShape(w.shape)}`);
  }
  const m = x.size / inp,
    be = tape.backend;
  if (addend && addend.size !== m * out) {
    throw new Error(
      `linear: addend ${formatShape(addend.shape)} does not match output [${[...x.shape.slice(0, -1), out].join(',')}]`,
    );
  }
  const y = tape.tensor([...x.shape.slice(0, -1), out], tape.needsGrad(x, w, bias, addend));
  const forward = (): void => {
    if (addend) be.copy(m * out, addend, y);
    be.gemm(false, true, m, out, inp, 1, x, w, addend ? 1 : 0, y);
    if (bias) be.addRow(m, out, y, bias, y);
  };
  forward();
  const gy = y.grad;
  const gx = gradOf(x, gy);
  const gw = gradOf(w, gy);
  const gbias = gradOf(bias, gy);
  const gadd = gradOf(addend, gy);
  let backward = noop;
  if (gy && (gx || gw || gbias || gadd)) {
    backward = () => {
      if (gadd) be.axpy(m * out, 1, gy, gadd);
      if (gx) be.gemm(false, false, m, inp, out, 1, gy, w, 1, gx); // ∂x += ∂y·W
      if (gw) be.gemm(true, false, out, inp, m, 1, gy, x, 1, gw); //  ∂W += ∂yᵀ·x
      if (gbias) be.sumRows(m, out, gy, 1, gbias); //                  ∂b += Σ_rows ∂y
    };
  }
  const jvp = (): void => {
    const tx = x.tangent,
      tw = w.tangent,
      tb = bias?.tangent ?? null,
      ta = addend?.tangent ?? null;
    if (!tx && !tw && !tb && !ta) return;
    const ty = y.ensureTangent();
    if (ta) be.copy(m * out, ta, ty);
    let beta = ta ? 1 : 0;
    if (tx) {
      be.gemm(false, true, m, out, inp, 1, tx, w, beta, ty);
      beta = 1;
    } // ẋ·Wᵀ
    if (tw) {
      be.gemm(false, true, m, out, inp, 1, x, tw, beta, ty);
      beta = 1;
    } // x·Ẇᵀ
    if (beta === 0) be.fill(m * out, 0, ty);
    if (tb) be.addRow(m, out, ty, tb, ty);
  };
  const inputs = [x, w];
  if (bias) inputs.push(bias);
  if (addend) inputs.push(addend);
  tape.record({ op: 'linear', forward, backward, jvp }, inputs);
  return y;
}
