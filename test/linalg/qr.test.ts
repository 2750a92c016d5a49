import { describe, expect, it } from 'vitest';
import { create, diag, fromRows, identity, inverse, matmul, qr, type Matrix } from '../../src/linalg/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { maxDiff, orthoError, randomMatrix } from './helpers.js';

function checkQR(A: Matrix, tol = 1e-13): void {
  const { q, r } = qr(A);
  expect([q.rows, q.cols, r.rows, r.cols]).toEqual([A.rows, A.cols, A.cols, A.cols]);
  const scale = Math.max(1, ...Array.from(A.data, Math.abs));
  expect(orthoError(q)).toBeLessThan(tol);
  expect(maxDiff(matmul(q, r), A) / scale).toBeLessThan(tol);
  for (let i = 0; i < r.rows; i++) {
    expect(r.data[i * r.cols + i]).toBeGreaterThanOrEqual(0);
    for (let j = 0; j < i; j++) expect(r.data[i * r.cols + j]).toBe(0);
  }
}

describe('qr (Householder, diag(R) ≥ 0)', () => {
  it('factorises random square and tall matrices', () => {
    const rng = new Rng(11);
    for (const [m, n] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [5, 3],
      [8, 8],
      [20, 7],
      [33, 33],
      [64, 1],
    ])
      checkQR(randomMatrix(rng, m, n));
  });

  it('a known example', () => {
    const { q, r } = qr(
      fromRows([
        [3, 1],
        [4, 2],
        [0, 5],
      ]),
    );
    expect(r.data[0]).toBeCloseTo(5, 14);
    expect(q.data[0]).toBeCloseTo(0.6, 14);
    expect(q.data[2]).toBeCloseTo(0.8, 14);
    expect(r.data[1]).toBeCloseTo(2.2, 14); // q₀·a₁ = 0.6 + 1.6
  });

  it('gives diag(R) ≥ 0 for matrices with negative leading entries', () => {
    const A = fromRows([
      [-2, 1],
      [0, -3],
    ]);
    const { q, r } = qr(A);
    expect(Array.from(r.data)).toEqual([2, -1, 0, 3]);
    expect(Array.from(q.data, (x) => x + 0)).toEqual([-1, 0, 0, -1]); // + 0 turns −0 into 0
    checkQR(fromRows([[-1]]));
    checkQR(fromRows([[-4], [3]]));
  });

  it('the identity and an orthogonal matrix factor trivially', () => {
    const { q, r } = qr(identity(4));
    expect(maxDiff(q, identity(4))).toBe(0);
    expect(maxDiff(r, identity(4))).toBe(0);
  });

  it('handles zero and rank-deficient matrices', () => {
    const Z = create(4, 3);
    const { q, r } = qr(Z);
    expect(orthoError(q)).toBeLessThan(1e-15);
    expect(Array.from(r.data).every((x) => x === 0)).toBe(true);
    checkQR(
      fromRows([
        [1, 2, 3],
        [2, 4, 6],
        [3, 6, 9],
        [1, 1, 1],
      ]),
    );
    checkQR(
      fromRows([
        [1, 0, 1],
        [1, 0, 1],
        [1, 0, 1],
      ]),
    ); // a zero column in the middle
  });

  it('log diag(R) sums to log|det A| for square A (the Lyapunov use)', () => {
    const rng = new Rng(5);
    const A = randomMatrix(rng, 6, 6);
    const { r } = qr(A);
    let logDet = 0;
    for (let i = 0; i < 6; i++) logDet += Math.log(r.data[i * 6 + i]);
    // |det(A·A)| = |det A|², and |det A| = Πᵢ Rᵢᵢ
    const { r: r2 } = qr(matmul(A, A));
    let logDet2 = 0;
    for (let i = 0; i < 6; i++) logDet2 += Math.log(r2.data[i * 6 + i]);
    expect(Math.abs(logDet2 - 2 * logDet)).toBeLessThan(1e-12);
  });

  it('rejects wide matrices', () => {
    expect(() => qr(create(2, 3))).toThrow(/rows ≥ cols, got 2×3/);
  });

  it('is well-behaved at extreme scales', () => {
    const rng = new Rng(3);
    const A = randomMatrix(rng, 5, 4);
    for (const s of [1e-200, 1e200]) {
      const B = { ...A, data: A.data.map((x) => x * s) };
      const { q, r } = qr(B);
      expect(orthoError(q)).toBeLessThan(1e-13);
      expect(maxDiff(matmul(q, r), B) / s).toBeLessThan(1e-13);
    }
  });

  it('Benettin/QR iteration recovers log|λ| of a linear map as Lyapunov exponents', () => {
    // x_{t+1} = A x_t with A = P·diag(2, −1.5, 0.5)·P⁻¹: exponents log 2, log 1.5, log 0.5
    const P = fromRows([
      [1, 0.5, 0.2],
      [0.3, 1, -0.4],
      [0.1, 0.2, 1],
    ]);
    const A = matmul(matmul(P, diag([2, -1.5, 0.5])), inverse(P));
    let Q = identity(3);
    const sum = [0, 0, 0];
    const T = 2000;
    for (let t = 0; t < T; t++) {
      const f = qr(matmul(A, Q));
      for (let i = 0; i < 3; i++) sum[i] += Math.log(f.r.data[i * 4]);
      Q = f.q;
    }
    const want = [Math.log(2), Math.log(1.5), Math.log(0.5)];
    for (let i = 0; i < 3; i++) expect(Math.abs(sum[i] / T - want[i])).toBeLessThan(2e-3);
  });
});
