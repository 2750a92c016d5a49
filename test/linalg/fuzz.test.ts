/**
 * Randomised checks over many small matrices of varied structure (dense, small integers with repeats,
 * sparse, badly scaled, low rank, Hessenberg with zero subdiagonals): every factorisation reconstructs its
 * input with orthonormal factors, and every computed eigenvalue λ makes A − λI numerically singular.
 */
import { expect, it } from 'vitest';
import {
  create,
  diag,
  eigenvalues,
  frobeniusNorm,
  matmul,
  qr,
  singularValues,
  svd,
  symmetricEigen,
  transpose,
  type Matrix,
} from '../../src/linalg/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { maxDiff, orthoError } from './helpers.js';

function generate(rng: Rng, m: number, n: number): Matrix {
  const kind = rng.int(6);
  if (kind === 4) {
    // low rank
    const r = 1 + rng.int(Math.min(m, n));
    const B = create(m, r),
      C = create(r, n);
    rng.fillNormal(B.data);
    rng.fillNormal(C.data);
    return matmul(B, C);
  }
  const A = create(m, n);
  for (let i = 0; i < A.data.length; i++) {
    if (kind === 1) A.data[i] = rng.int(3) - 1;
    else if (kind === 2) A.data[i] = rng.uniform() < 0.2 ? rng.normal() : 0;
    else if (kind === 3) A.data[i] = rng.normal() * 10 ** (rng.int(12) - 6);
    else A.data[i] = rng.normal();
  }
  if (kind === 5 && m === n) {
    for (let i = 0; i < n; i++) for (let j = 0; j < i - 1; j++) A.data[i * n + j] = 0;
    for (let i = 1; i < n; i++) if (rng.uniform() < 0.3) A.data[i * n + i - 1] = 0;
  }
  return A;
}

it('eigenvalues: σ_min(A − λI) ≤ 1e-12·‖A‖_F for every computed λ (300 matrices up to 14×14)', () => {
  const rng = new Rng(77);
  for (let t = 0; t < 300; t++) {
    const n = 1 + rng.int(14);
    const A = generate(rng, n, n);
    const nrm = frobeniusNorm(A) || 1;
    const { re, im } = eigenvalues(A);
    for (let k = 0; k < n; k++) {
      // A − (a + ib)I is singular iff the real 2n×2n matrix [[A − aI, bI], [−bI, A − aI]] is
      const M = create(2 * n, 2 * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const v = A.data[i * n + j] - (i === j ? re[k] : 0);
          M.data[i * 2 * n + j] = v;
          M.data[(i + n) * 2 * n + j + n] = v;
        }
        M.data[i * 2 * n + i + n] = im[k];
        M.data[(i + n) * 2 * n + i] = -im[k];
      }
      const s = singularValues(M);
      expect(s[2 * n - 1] / nrm, `trial ${t}, n = ${n}, λ = ${re[k]} + ${im[k]}i`).toBeLessThan(1e-12);
    }
  }
});

it('svd, qr and symmetricEigen reconstruct with orthonormal factors (300 matrices up to 20×20)', () => {
  const rng = new Rng(78);
  for (let t = 0; t < 300; t++) {
    const m = 1 + rng.int(20),
      n = 1 + rng.int(20);
    const A = generate(rng, m, n);
    const nrm = frobeniusNorm(A) || 1;
    const { u, s, v } = svd(A);
    expect(Math.max(orthoError(u), orthoError(v)), `svd trial ${t}`).toBeLessThan(1e-13);
    expect(maxDiff(matmul(matmul(u, diag(s)), transpose(v)), A) / nrm, `svd trial ${t}`).toBeLessThan(1e-13);
    if (m >= n) {
      const { q, r } = qr(A);
      expect(orthoError(q), `qr trial ${t}`).toBeLessThan(1e-13);
      expect(maxDiff(matmul(q, r), A) / nrm, `qr trial ${t}`).toBeLessThan(1e-13);
    }
    const S = matmul(transpose(A), A);
    const e = symmetricEigen(S);
    expect(orthoError(e.vectors), `symmetricEigen trial ${t}`).toBeLessThan(1e-13);
    const rec = matmul(matmul(e.vectors, diag(e.values)), transpose(e.vectors));
    expect(maxDiff(rec, S) / (frobeniusNorm(S) || 1), `symmetricEigen trial ${t}`).toBeLessThan(1e-13);
  }
});
