/**
 * Eigen-decomposition of a real symmetric matrix by cyclic Jacobi rotations.
 *
 * Jacobi is O(n³) per sweep with a handful of sweeps (quadratic convergence), slower than tridiagonal QR
 * but short, and accurate: eigenvalues to about ε‖A‖ absolutely (often better relatively) and eigenvectors
 * orthonormal to working precision. Typical use in recur: JᵀJ of step Jacobians, Hessian-like blocks.
 */
import { checkSquare, create, identity, type Matrix } from './matrix.js';

/** A = V·diag(values)·Vᵀ with values ascending and V orthogonal (eigenvector j is column j of V). */
export type SymmetricEigen = { values: Float64Array; vectors: Matrix };

const EPS = 2.220446049250313e-16;

/**
 * Eigenvalues and orthonormal eigenvectors of a real symmetric n×n matrix A:
 *
 *   A vⱼ = λⱼ vⱼ,   VᵀV = I,   A = V·diag(λ)·Vᵀ,   λ₀ ≤ λ₁ ≤ … ≤ λₙ₋₁  (ascending, as LAPACK's syevd).
 *
 * Cyclic Jacobi: for each off-diagonal pair (p, q) the rotation J(p, q, θ) with
 *
 *   θ = (a_qq − a_pp) / 2a_pq,   t = tan φ = sign(θ) / (|θ| + √(θ² + 1)),   c = 1/√(1 + t²),   s = c·t
 *
 * zeroes a_pq in A ← JᵀAJ, while V ← VJ accumulates the eigenvectors. Sweeps repeat until the off-diagonal
 * Frobenius norm is ≤ ε‖A‖_F. The input must be symmetric up to rounding (|aᵢⱼ − aⱼᵢ| ≤ 1e-8·maxᵢⱼ|aᵢⱼ|,
 * else it throws); it is symmetrised as (A + Aᵀ)/2 first. Eigenvectors of repeated eigenvalues are some
 * orthonormal basis of the eigenspace; each vector's sign is fixed so that its largest-|·| entry is positive.
 *
 * @example
 *   const { values, vectors } = symmetricEigen(fromRows([[2, 1], [1, 2]]));   // values [1, 3]
 */
export function symmetricEigen(A: Matrix): SymmetricEigen {
  checkSquare(A, 'symmetricEigen');
  const n = A.rows;
  const a = new Float64Array(n * n);
  let amax = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(A.data[i]))
      throw new Error(`symmetricEigen: entry (${Math.floor(i / n)}, ${i % n}) is ${A.data[i]}`);
    amax = Math.max(amax, Math.abs(A.data[i]));
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = A.data[i * n + j],
        y = A.data[j * n + i];
      if (Math.abs(x - y) > 1e-8 * amax) {
        throw new Error(`symmetricEigen: matrix is not symmetric: A[${i}][${j}] = ${x} but A[${j}][${i}] = ${y}`);
      }
      a[i * n + j] = (x + y) / 2;
    }
  }
  const V = identity(n);
  const v = V.data;
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] * a[i];

  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * a[p * n + q] * a[p * n + q];
    if (off <= EPS * EPS * total) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        // for huge θ, θ² would overflow; t ≈ 1/(2θ) there
        const t =
          Math.abs(theta) > 1e150
            ? 1 / (2 * theta)
            : (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(1 + t * t),
          s = c * t;
        for (let k = 0; k < n; k++) {
          // columns p, q: A ← A J
          const akp = a[k * n + p],
            akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          // rows p, q: A ← Jᵀ A
          const apk = a[p * n + k],
            aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0; // zero by construction; drop the rounding residue
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          // V ← V J
          const vkp = v[k * n + p],
            vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[x * n + x] - a[y * n + y] || x - y);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = create(n, n);
  for (let j = 0; j < n; j++) {
    const src = order[j];
    let big = 0,
      sign = 1;
    for (let i = 0; i < n; i++) {
      const x = v[i * n + src];
      if (Math.abs(x) > big) {
        big = Math.abs(x);
        sign = x < 0 ? -1 : 1;
      }
    }
    for (let i = 0; i < n; i++) vectors.data[i * n + j] = sign * v[i * n + src];
  }
  return { values, vectors };
}
