import { describe, expect, it } from 'vitest';
import {
  create,
  diag,
  fromRows,
  identity,
  matmul,
  randomOrthogonal,
  scaleToSpectralNorm,
  singularValues,
  spectralNorm,
  svd,
  transpose,
  type Matrix,
} from '../../src/linalg/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { maxDiff, orthoError, randomMatrix } from './helpers.js';

function rotation(theta: number): Matrix {
  return fromRows([
    [Math.cos(theta), -Math.sin(theta)],
    [Math.sin(theta), Math.cos(theta)],
  ]);
}

/** A = U diag(s) Vᵀ, U, V orthonormal, s descending and ≥ 0. */
function checkSvd(A: Matrix, tol = 1e-12): Float64Array {
  const { u, s, v } = svd(A);
  const k = Math.min(A.rows, A.cols);
  expect([u.rows, u.cols, v.rows, v.cols, s.length]).toEqual([A.rows, k, A.cols, k, k]);
  const scale = Math.max(1e-300, s[0] ?? 0);
  expect(orthoError(u)).toBeLessThan(tol);
  expect(orthoError(v)).toBeLessThan(tol);
  expect(maxDiff(matmul(matmul(u, diag(s)), transpose(v)), A) / Math.max(scale, 1e-300)).toBeLessThan(tol);
  for (let i = 1; i < k; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
  if (k > 0) expect(s[k - 1]).toBeGreaterThanOrEqual(0);
  expect(Array.from(singularValues(A))).toEqual(Array.from(s));
  return s;
}

describe('svd (one-sided Jacobi)', () => {
  it('reconstructs random tall, wide and square matrices', () => {
    const rng = new Rng(21);
    for (const [m, n] of [
      [1, 1],
      [1, 5],
      [5, 1],
      [2, 2],
      [4, 3],
      [3, 4],
      [10, 10],
      [17, 5],
      [5, 17],
      [40, 40],
    ]) {
      checkSvd(randomMatrix(rng, m, n));
    }
  });

  it('diagonal matrices: |dᵢ| sorted descending', () => {
    const s = checkSvd(diag([3, -7, 0.5, 0, 2]));
    expect(Array.from(s)).toEqual([7, 3, 2, 0.5, 0]);
  });

  it('rank one: u vᵀ has the single singular value ‖u‖‖v‖', () => {
    const u = [1, 2, 2],
      v = [3, 0, 4, 0];
    const A = create(3, 4);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) A.data[i * 4 + j] = u[i] * v[j];
    const s = checkSvd(A);
    expect(Math.abs(s[0] - 15)).toBeLessThan(1e-13);
    expect(s[1]).toBeLessThan(1e-14);
    expect(s[2]).toBeLessThan(1e-14);
  });

  it('rotation · diag · rotation has exactly the diagonal as singular values', () => {
    const A = matmul(matmul(rotation(0.7), diag([5, 1e-3])), rotation(-2.1));
    const s = checkSvd(A);
    expect(Math.abs(s[0] - 5) / 5).toBeLessThan(1e-14);
    expect(Math.abs(s[1] - 1e-3) / 1e-3).toBeLessThan(1e-12); // small ones to high relative accuracy
  });

  it('Q₁ · diag(σ) · Q₂ᵀ with random orthogonal factors (n = 30), graded σ', () => {
    const rng = new Rng(8);
    const sigma = Array.from({ length: 30 }, (_, i) => 10 ** (-i / 5)); // 1 … 1e-5.8
    const A = matmul(matmul(randomOrthogonal(30, rng), diag(sigma)), transpose(randomOrthogonal(30, rng)));
    const s = checkSvd(A);
    for (let i = 0; i < 30; i++) expect(Math.abs(s[i] - sigma[i]) / sigma[i]).toBeLessThan(1e-9);
    for (let i = 0; i < 30; i++) expect(Math.abs(s[i] - sigma[i])).toBeLessThan(1e-14);
  });

  it('orthogonal matrices have all singular values 1', () => {
    const s = checkSvd(randomOrthogonal(12, new Rng(4)));
    for (const x of s) expect(Math.abs(x - 1)).toBeLessThan(1e-13);
  });

  it('repeated singular values', () => {
    const rng = new Rng(6);
    const Q = randomOrthogonal(6, rng);
    const A = matmul(matmul(Q, diag([2, 2, 2, 1, 1, 0])), transpose(randomOrthogonal(6, rng)));
    const s = checkSvd(A);
    const want = [2, 2, 2, 1, 1, 0];
    for (let i = 0; i < 6; i++) expect(Math.abs(s[i] - want[i])).toBeLessThan(1e-13);
  });

  it('edge cases: 1×1, zero, empty, rank-deficient (U still orthonormal)', () => {
    expect(Array.from(checkSvd(fromRows([[-3]])))).toEqual([3]);
    const z = svd(create(4, 3));
    expect(Array.from(z.s)).toEqual([0, 0, 0]);
    expect(orthoError(z.u)).toBe(0);
    expect(maxDiff(z.v, identity(3))).toBe(0);
    checkSvd(create(3, 5));
    expect(singularValues(create(0, 3)).length).toBe(0);
    expect(spectralNorm(create(0, 0))).toBe(0);
    checkSvd(
      fromRows([
        [1, 2, 3],
        [2, 4, 6],
        [1, 1, 1],
        [0, 0, 0],
      ]),
    );
    const rng = new Rng(2);
    const B = matmul(randomMatrix(rng, 30, 3), randomMatrix(rng, 3, 20)); // rank 3
    const s = checkSvd(B);
    for (let i = 3; i < 20; i++) expect(s[i] / s[0]).toBeLessThan(1e-14);
  });

  it('extreme scales and non-finite input', () => {
    const rng = new Rng(9);
    const A = randomMatrix(rng, 6, 4);
    const s = singularValues(A);
    for (const c of [1e-250, 1e250]) {
      const sc = singularValues({ ...A, data: A.data.map((x) => x * c) });
      for (let i = 0; i < 4; i++) expect(Math.abs(sc[i] / c - s[i]) / s[0]).toBeLessThan(1e-13);
    }
    expect(() => svd(fromRows([[1, NaN]]))).toThrow(/entry \(0, 1\) is NaN/);
  });

  it('spectralNorm and scaleToSpectralNorm', () => {
    expect(
      Math.abs(
        spectralNorm(
          fromRows([
            [1, 2],
            [3, 4],
          ]),
        ) - Math.sqrt(15 + Math.sqrt(221)),
      ),
    ).toBeLessThan(1e-13);
    const W = scaleToSpectralNorm(randomMatrix(new Rng(1), 16, 16), 0.9);
    expect(Math.abs(spectralNorm(W) - 0.9)).toBeLessThan(1e-14);
    expect(() => scaleToSpectralNorm(create(2, 2), 1)).toThrow(/spectral norm 0/);
  });

  it('128×128 is fast and accurate', () => {
    const rng = new Rng(128);
    const A = randomMatrix(rng, 128, 128);
    const t0 = performance.now();
    const { u, s, v } = svd(A);
    const ms = performance.now() - t0;
    expect(orthoError(u)).toBeLessThan(1e-12);
    expect(orthoError(v)).toBeLessThan(1e-12);
    expect(maxDiff(matmul(matmul(u, diag(s)), transpose(v)), A)).toBeLessThan(1e-12);
    const t1 = performance.now();
    singularValues(A);
    const ms2 = performance.now() - t1;
    console.log(`svd 128×128: ${ms.toFixed(0)} ms with vectors, ${ms2.toFixed(0)} ms values only`);
  });
});
