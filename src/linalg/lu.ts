/**
 * LU factorisation with partial pivoting, and what it gives: linear solves, the inverse, the determinant.
 * (Used e.g. to build test matrices A = P·D·P⁻¹ with a known spectrum, and for small Newton-type solves.)
 */
import { checkSquare, create, identity, type Matrix } from './matrix.js';

/** P·A = L·U packed in one matrix: L unit lower (below the diagonal), U upper; perm[i] = source row of row i. */
export type LU = { lu: Matrix; perm: Int32Array; sign: number; singular: boolean };

/**
 * Doolittle LU with partial (row) pivoting of a square A: P·A = L·U, choosing at step k the row with the
 * largest |a_ik| (i ≥ k) as pivot so that all |Lᵢₖ| ≤ 1. `sign` = det P = ±1; `singular` is true when
 * some pivot is exactly zero (then U is singular and `solve` throws).
 */
export function lu(A: Matrix): LU {
  checkSquare(A, 'lu');
  const n = A.rows;
  const a = A.data.slice();
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  let sign = 1,
    singular = false;
  for (let k = 0; k < n; k++) {
    let piv = k,
      big = Math.abs(a[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]);
      if (v > big) {
        big = v;
        piv = i;
      }
    }
    if (piv !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j];
        a[k * n + j] = a[piv * n + j];
        a[piv * n + j] = t;
      }
      const t = perm[k];
      perm[k] = perm[piv];
      perm[piv] = t;
      sign = -sign;
    }
    const d = a[k * n + k];
    if (d === 0) {
      singular = true;
      continue;
    }
    for (let i = k + 1; i < n; i++) {
      const l = (a[i * n + k] /= d);
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) a[i * n + j] -= l * a[k * n + j];
    }
  }
  return { lu: { rows: n, cols: n, data: a }, perm, sign, singular };
}

/**
 * The solution X of A·X = B (A n×n nonsingular, B n×k), by P·A = L·U: forward substitution L·Y = P·B,
 * then back substitution U·X = Y. Throws when A is exactly singular.
 */
export function solve(A: Matrix, B: Matrix): Matrix {
  if (B.rows !== A.rows) throw new Error(`solve: A is ${A.rows}×${A.cols} but B has ${B.rows} rows`);
  const { lu: F, perm, singular } = lu(A);
  if (singular) throw new Error(`solve: matrix (${A.rows}×${A.cols}) is singular`);
  const n = A.rows,
    k = B.cols,
    f = F.data;
  const X = create(n, k);
  const x = X.data;
  for (let i = 0; i < n; i++) x.set(B.data.subarray(perm[i] * k, perm[i] * k + k), i * k);
  for (let i = 0; i < n; i++) {
    // L·Y = P·B (unit diagonal)
    for (let j = 0; j < i; j++) {
      const l = f[i * n + j];
      if (l !== 0) for (let c = 0; c < k; c++) x[i * k + c] -= l * x[j * k + c];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    // U·X = Y
    for (let j = i + 1; j < n; j++) {
      const u = f[i * n + j];
      if (u !== 0) for (let c = 0; c < k; c++) x[i * k + c] -= u * x[j * k + c];
    }
    const d = f[i * n + i];
    for (let c = 0; c < k; c++) x[i * k + c] /= d;
  }
  return X;
}

/** The inverse A⁻¹, the solution of A·X = I. Throws when A is exactly singular. */
export function inverse(A: Matrix): Matrix {
  checkSquare(A, 'inverse');
  return solve(A, identity(A.rows));
}

/** The determinant det A = det(P)·Πᵢ Uᵢᵢ (may overflow for large, badly scaled matrices). */
export function determinant(A: Matrix): number {
  const { lu: F, sign } = lu(A);
  let d = sign;
  for (let i = 0; i < F.rows; i++) d *= F.data[i * F.rows + i];
  return d;
}
