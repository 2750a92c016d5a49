import { describe, expect, it } from 'vitest';
import {
  create,
  diag,
  fromRows,
  identity,
  matmul,
  randomOrthogonal,
  singularValues,
  symmetricEigen,
  transpose,
  type Matrix,
} from '../../src/linalg/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { maxDiff, orthoError, randomMatrix } from './helpers.js';

/** A = V diag(λ) Vᵀ, VᵀV = I, λ ascending; returns λ. */
function check(A: Matrix, tol = 1e-13): Float64Array {
  const { values, vectors } = symmetricEigen(A);
  const scale = Math.max(1, ...Array.from(values, Math.abs));
  expect(orthoError(vectors)).toBeLessThan(tol);
  expect(maxDiff(matmul(matmul(vectors, diag(values)), transpose(vectors)), A) / scale).toBeLessThan(tol);
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
  return values;
}

function randomSymmetric(rng: Rng, n: number): Matrix {
  const B = randomMatrix(rng, n, n);
  const A = create(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A.data[i * n + j] = B.data[i * n + j] + B.data[j * n + i];
  return A;
}

describe('symmetricEigen (cyclic Jacobi)', () => {
  it('a 2×2 example with known eigenvectors', () => {
    const { values, vectors } = symmetricEigen(
      fromRows([
        [2, 1],
        [1, 2],
      ]),
    );
    expect(Math.abs(values[0] - 1)).toBeLessThan(1e-15);
    expect(Math.abs(values[1] - 3)).toBeLessThan(1e-15);
    const r = Math.SQRT1_2; // columns (1, −1)/√2 and (1, 1)/√2 up to sign; largest entry positive
    expect(Math.abs(Math.abs(vectors.data[0]) - r)).toBeLessThan(1e-15);
    expect(Math.abs(vectors.data[1] - r)).toBeLessThan(1e-15);
    expect(Math.abs(vectors.data[3] - r)).toBeLessThan(1e-15);
  });

  it('random symmetric matrices of several sizes', () => {
    const rng = new Rng(17);
    for (const n of [1, 2, 3, 7, 20, 50]) check(randomSymmetric(rng, n));
  });

  it('known spectra, including repeated eigenvalues and zero', () => {
    const rng = new Rng(18);
    const lam = [-3, -3, 0, 1, 1, 1, 2.5, 10];
    const Q = randomOrthogonal(8, rng);
    const v = check(matmul(matmul(Q, diag(lam)), transpose(Q)));
    for (let i = 0; i < 8; i++) expect(Math.abs(v[i] - lam[i])).toBeLessThan(1e-13);
    expect(Array.from(check(diag([4, -1, 2])))).toEqual([-1, 2, 4]);
    const z = symmetricEigen(create(4, 4));
    expect(Array.from(z.values)).toEqual([0, 0, 0, 0]);
    expect(maxDiff(z.vectors, identity(4))).toBe(0);
    expect(symmetricEigen(create(0, 0)).values.length).toBe(0);
  });

  it('JᵀJ: eigenvalues are the squared singular values of J', () => {
    const rng = new Rng(19);
    const J = randomMatrix(rng, 12, 9);
    const ev = check(matmul(transpose(J), J));
    const s = singularValues(J);
    for (let i = 0; i < 9; i++) expect(Math.abs(ev[8 - i] - s[i] * s[i])).toBeLessThan(1e-12);
  });

  it('rejects non-symmetric, non-square and non-finite input', () => {
    expect(() =>
      symmetricEigen(
        fromRows([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toThrow(/not symmetric: A\[0\]\[1\] = 2 but A\[1\]\[0\] = 3/);
    expect(() => symmetricEigen(create(2, 3))).toThrow(/square/);
    expect(() => symmetricEigen(fromRows([[NaN]]))).toThrow(/is NaN/);
    // rounding-level asymmetry is accepted (and symmetrised)
    check(
      fromRows([
        [1, 0.3],
        [0.3 + 1e-16, 2],
      ]),
    );
  });

  it('128×128 is fast', () => {
    const A = randomSymmetric(new Rng(128), 128);
    const t0 = performance.now();
    check(A, 1e-12);
    const ms = performance.now() - t0;
    console.log(`symmetricEigen 128×128: ${ms.toFixed(0)} ms`);
  });
});
