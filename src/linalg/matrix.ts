/**
 * Small dense float64 matrices for recur's linear algebra (initialisers and gradient-flow diagnostics).
 *
 * A `Matrix` is a plain record: `rows × cols` entries stored row-major in `data`, so entry (i, j) is
 * `data[i * cols + j]`. Nothing here is differentiable and nothing is on a hot path; every function
 * returns a fresh matrix and leaves its arguments untouched.
 *
 * @example
 *   const A = fromRows([[2, 0], [1, 3]]);
 *   const x = matvec(A, [1, 1]);          // Float64Array [2, 4]
 *   const B = matmul(transpose(A), A);    // AᵀA
 */
import { singularValues } from './svd.js';

/** A dense row-major float64 matrix: entry (i, j) is `data[i * cols + j]`. */
export type Matrix = { rows: number; cols: number; data: Float64Array };

/** Throw unless `A` is a well-formed matrix (integer sizes, data of length rows·cols). */
export function checkMatrix(A: Matrix, where: string, name = 'matrix'): void {
  const ok = Number.isInteger(A.rows) && Number.isInteger(A.cols) && A.rows >= 0 && A.cols >= 0;
  if (!ok || !(A.data instanceof Float64Array) || A.data.length !== A.rows * A.cols) {
    const len = A.data instanceof Float64Array ? A.data.length : typeof A.data;
    throw new Error(`${where}: ${name} is malformed (rows ${A.rows}, cols ${A.cols}, data length ${len})`);
  }
}

/** Throw unless `A` is square (n × n). */
export function checkSquare(A: Matrix, where: string, name = 'matrix'): void {
  checkMatrix(A, where, name);
  if (A.rows !== A.cols) throw new Error(`${where}: ${name} must be square, got ${A.rows}×${A.cols}`);
}

/**
 * A `rows × cols` matrix: zeros, or a copy of `data` (row-major, length rows·cols).
 * Aᵢⱼ = data[i·cols + j].
 */
export function create(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`create: sizes must be non-negative integers, got ${rows}×${cols}`);
  }
  const out = new Float64Array(rows * cols);
  if (data !== undefined) {
    if (data.length !== rows * cols) {
      throw new Error(`create: ${rows}×${cols} needs ${rows * cols} values, got ${data.length}`);
    }
    out.set(data);
  }
  return { rows, cols, data: out };
}

/** The n × n identity: Iᵢⱼ = δᵢⱼ. */
export function identity(n: number): Matrix {
  const I = create(n, n);
  for (let i = 0; i < n; i++) I.data[i * n + i] = 1;
  return I;
}

/** The square diagonal matrix D with Dᵢᵢ = values[i]. */
export function diag(values: ArrayLike<number>): Matrix {
  const n = values.length;
  const D = create(n, n);
  for (let i = 0; i < n; i++) D.data[i * n + i] = values[i];
  return D;
}

/** A matrix from an array of equally long rows: Aᵢⱼ = rows[i][j]. */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const m = rows.length;
  const n = m === 0 ? 0 : rows[0].length;
  const A = create(m, n);
  for (let i = 0; i < m; i++) {
    if (rows[i].length !== n) throw new Error(`fromRows: row ${i} has ${rows[i].length} entries, row 0 has ${n}`);
    for (let j = 0; j < n; j++) A.data[i * n + j] = rows[i][j];
  }
  return A;
}

/** The rows of A as plain arrays (for printing and tests). */
export function toRows(A: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < A.rows; i++) out.push(Array.from(A.data.subarray(i * A.cols, (i + 1) * A.cols)));
  return out;
}

/** An independent copy of A. */
export function copy(A: Matrix): Matrix {
  return { rows: A.rows, cols: A.cols, data: A.data.slice() };
}

/** The transpose: (Aᵀ)ᵢⱼ = Aⱼᵢ. */
export function transpose(A: Matrix): Matrix {
  const { rows: m, cols: n, data: a } = A;
  const T = create(n, m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T.data[j * m + i] = a[i * n + j];
  return T;
}

/** The product C = A·B: Cᵢⱼ = Σₖ Aᵢₖ Bₖⱼ  (A is m×k, B is k×n, C is m×n). */
export function matmul(A: Matrix, B: Matrix): Matrix {
  if (A.cols !== B.rows) throw new Error(`matmul: inner sizes differ: ${A.rows}×${A.cols} · ${B.rows}×${B.cols}`);
  const m = A.rows,
    K = A.cols,
    n = B.cols;
  const C = create(m, n);
  const a = A.data,
    b = B.data,
    c = C.data;
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let k = 0; k < K; k++) {
      const aik = a[i * K + k];
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) c[ci + j] += aik * b[bk + j];
    }
  }
  return C;
}

/** The matrix-vector product y = A·x: yᵢ = Σⱼ Aᵢⱼ xⱼ. */
export function matvec(A: Matrix, x: ArrayLike<number>): Float64Array {
  if (x.length !== A.cols) throw new Error(`matvec: ${A.rows}×${A.cols} matrix times vector of length ${x.length}`);
  const y = new Float64Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    let s = 0;
    for (let j = 0; j < A.cols; j++) s += A.data[i * A.cols + j] * x[j];
    y[i] = s;
  }
  return y;
}

/** The multiple s·A. */
export function scale(A: Matrix, s: number): Matrix {
  const B = copy(A);
  for (let i = 0; i < B.data.length; i++) B.data[i] *= s;
  return B;
}

/** The sum A + B (same sizes). */
export function add(A: Matrix, B: Matrix): Matrix {
  sameSize(A, B, 'add');
  const C = copy(A);
  for (let i = 0; i < C.data.length; i++) C.data[i] += B.data[i];
  return C;
}

/** The difference A − B (same sizes). */
export function sub(A: Matrix, B: Matrix): Matrix {
  sameSize(A, B, 'sub');
  const C = copy(A);
  for (let i = 0; i < C.data.length; i++) C.data[i] -= B.data[i];
  return C;
}

/** The largest absolute entry, maxᵢⱼ |Aᵢⱼ| (0 for an empty matrix). */
export function maxAbs(A: Matrix): number {
  let m = 0;
  for (let i = 0; i < A.data.length; i++) {
    const v = Math.abs(A.data[i]);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}

/**
 * The Frobenius norm ‖A‖_F = √(Σᵢⱼ Aᵢⱼ²), computed with scaling by maxᵢⱼ|Aᵢⱼ| so that
 * entries near the overflow or underflow threshold do not spoil it.
 */
export function frobeniusNorm(A: Matrix): number {
  const s = maxAbs(A);
  if (s === 0 || !Number.isFinite(s)) return s;
  let sum = 0;
  for (let i = 0; i < A.data.length; i++) {
    const v = A.data[i] / s;
    sum += v * v;
  }
  return s * Math.sqrt(sum);
}

/**
 * The spectral norm (operator 2-norm) ‖A‖₂ = max‖x‖=1 ‖Ax‖ = σ₁(A), the largest singular value,
 * computed by one-sided Jacobi SVD (see `svd.ts`; same as `spectralNorm`).
 */
export function norm2(A: Matrix): number {
  const s = singularValues(A);
  return s.length === 0 ? 0 : s[0];
}

function sameSize(A: Matrix, B: Matrix, op: string): void {
  if (A.rows !== B.rows || A.cols !== B.cols) {
    throw new Error(`${op}: sizes differ: ${A.rows}×${A.cols} vs ${B.rows}×${B.cols}`);
  }
}
