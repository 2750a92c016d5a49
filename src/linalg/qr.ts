/**
 * Householder QR factorisation of a tall (or square) matrix, with the sign convention diag(R) ≥ 0.
 *
 * That convention makes the thin factorisation unique for full-rank A, which both of its users rely on:
 * the Benettin/QR method for Lyapunov exponents sums log Rₖₖ, and `randomOrthogonal` gets Haar-distributed
 * Q from a Gaussian matrix only when the signs are fixed this way.
 */
import { checkMatrix, create, type Matrix } from './matrix.js';

/** Thin QR factors: A = Q·R with Q m×n (orthonormal columns) and R n×n upper triangular, diag(R) ≥ 0. */
export type QR = { q: Matrix; r: Matrix };

/**
 * Thin QR of an m×n matrix A with m ≥ n, by Householder reflections:
 *
 *   Hₙ₋₁ ⋯ H₁ H₀ A = [R; 0],   Hₖ = I − 2 vₖvₖᵀ / (vₖᵀvₖ),   Q = (H₀ H₁ ⋯ Hₙ₋₁)[:, 0:n]
 *
 * where vₖ = x − α e₁ reflects x = A[k:m, k] onto α e₁ with α = −sign(x₀)‖x‖ (no cancellation).
 * Afterwards row k of R and column k of Q are negated wherever Rₖₖ < 0, so that
 *
 *   A = Q R,   QᵀQ = Iₙ,   Rᵢⱼ = 0 for i > j,   Rₖₖ ≥ 0.
 *
 * For full-rank A this is the unique such factorisation; a zero column gives Rₖₖ = 0 (and Q still has
 * orthonormal columns). Cost ≈ 4mn² − 4n³/3 flops.
 *
 * @example
 *   const { q, r } = qr(fromRows([[3, 1], [4, 2], [0, 5]]));   // r.data[0] === 5
 */
export function qr(A: Matrix): QR {
  checkMatrix(A, 'qr');
  const m = A.rows,
    n = A.cols;
  if (m < n) throw new Error(`qr: needs rows ≥ cols, got ${m}×${n} (factorise the transpose instead)`);
  const a = A.data.slice(); // working copy, becomes R in its upper triangle
  const vs: Float64Array[] = []; // Householder vectors vₖ (length m − k), null reflection ⇒ empty
  const betas = new Float64Array(n); // 2 / (vₖᵀvₖ)
  const w = new Float64Array(n);

  for (let k = 0; k < n; k++) {
    // ‖x‖ with scaling, x = A[k:m, k]
    let s = 0;
    for (let i = k; i < m; i++) s = Math.max(s, Math.abs(a[i * n + k]));
    if (s === 0 || m - k === 1) {
      // nothing to annihilate below the diagonal
      vs.push(new Float64Array(0));
      continue;
    }
    let ss = 0;
    for (let i = k; i < m; i++) {
      const t = a[i * n + k] / s;
      ss += t * t;
    }
    // v is built from x/s: Hₖ depends only on v's direction, and vᵀv can then neither under- nor overflow
    const x0 = a[k * n + k] / s;
    const alpha = -(x0 >= 0 ? 1 : -1) * Math.sqrt(ss);
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = a[i * n + k] / s;
    v[0] = x0 - alpha;
    let vtv = 0;
    for (let i = 0; i < v.length; i++) vtv += v[i] * v[i];
    const beta = 2 / vtv;
    vs.push(v);
    betas[k] = beta;
    // Apply Hₖ to columns k+1..n−1 (column k becomes α e₁ exactly).
    w.fill(0, k + 1, n);
    for (let i = k; i < m; i++) {
      const vi = v[i - k];
      if (vi === 0) continue;
      for (let j = k + 1; j < n; j++) w[j] += vi * a[i * n + j];
    }
    for (let i = k; i < m; i++) {
      const bv = beta * v[i - k];
      if (bv === 0) continue;
      for (let j = k + 1; j < n; j++) a[i * n + j] -= bv * w[j];
    }
    a[k * n + k] = s * alpha;
    for (let i = k + 1; i < m; i++) a[i * n + k] = 0;
  }

  // R: the upper triangle.
  const R = create(n, n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) R.data[i * n + j] = a[i * n + j];

  // Q = H₀ ⋯ Hₙ₋₁ applied to the first n columns of Iₘ, reflections applied last-first.
  const Q = create(m, n);
  const q = Q.data;
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    if (v.length === 0) continue;
    const beta = betas[k];
    w.fill(0, k, n); // columns < k of Q are still untouched by Hₖ (their rows k.. are zero)
    for (let i = k; i < m; i++) {
      const vi = v[i - k];
      if (vi === 0) continue;
      for (let j = k; j < n; j++) w[j] += vi * q[i * n + j];
    }
    for (let i = k; i < m; i++) {
      const bv = beta * v[i - k];
      if (bv === 0) continue;
      for (let j = k; j < n; j++) q[i * n + j] -= bv * w[j];
    }
  }

  // Sign convention diag(R) ≥ 0: A = Q R = (Q S)(S R) with S = diag(±1).
  for (let k = 0; k < n; k++) {
    if (R.data[k * n + k] >= 0) continue;
    for (let j = k; j < n; j++) R.data[k * n + j] = -R.data[k * n + j];
    for (let i = 0; i < m; i++) q[i * n + k] = -q[i * n + k];
  }
  return { q: Q, r: R };
}
