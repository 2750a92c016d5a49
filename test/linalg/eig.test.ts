import { describe, expect, it } from 'vitest';
import {
  create,
  diag,
  eigenvalues,
  fromRows,
  identity,
  inverse,
  matmul,
  randomOrthogonal,
  scaleToSpectralRadius,
  spectralRadius,
  transpose,
  type Matrix,
} from '../../src/linalg/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { complexDist, randomMatrix, sortComplex } from './helpers.js';

/** Max distance between the computed spectrum of A and the expected one (as multisets). */
function spectrumError(A: Matrix, re: number[], im: number[] = re.map(() => 0)): number {
  const e = eigenvalues(A);
  return complexDist(sortComplex(e.re, e.im), sortComplex(re, im));
}

/** The companion matrix of the monic polynomial with the given real roots. */
function companion(roots: number[]): Matrix {
  let c = [1]; // coefficients, highest degree first
  for (const r of roots) c = [...c, 0].map((x, i) => x - (i > 0 ? r * c[i - 1] : 0));
  const n = roots.length;
  const C = create(n, n);
  for (let j = 0; j < n; j++) C.data[j] = -c[j + 1]; // first row: −c₁ … −cₙ
  for (let i = 1; i < n; i++) C.data[i * n + i - 1] = 1;
  return C;
}

/** A = P·B·P⁻¹ for a random (well-conditioned, non-orthogonal) P. */
function similar(B: Matrix, rng: Rng): Matrix {
  const n = B.rows;
  const P = randomMatrix(rng, n, n);
  for (let i = 0; i < n; i++) P.data[i * n + i] += 3; // diagonally dominant ⇒ comfortably invertible
  return matmul(matmul(P, B), inverse(P));
}

describe('eigenvalues (Hessenberg + Francis double-shift QR)', () => {
  it('diagonal and triangular matrices: the diagonal', () => {
    expect(spectrumError(diag([3, -1, 2, 0, 5]), [3, -1, 2, 0, 5])).toBe(0);
    const T = fromRows([
      [1, 5, -2, 7],
      [0, -3, 4, 1],
      [0, 0, 2, 9],
      [0, 0, 0, 0.5],
    ]);
    expect(spectrumError(T, [1, -3, 2, 0.5])).toBeLessThan(1e-13);
    expect(spectrumError(transpose(T), [1, -3, 2, 0.5])).toBeLessThan(1e-13);
  });

  it('rotation matrices: cos θ ± i sin θ, conjugate pairs with im > 0 first', () => {
    for (const th of [0.3, 1, Math.PI / 2, 2.5, Math.PI - 1e-3]) {
      const R = fromRows([
        [Math.cos(th), -Math.sin(th)],
        [Math.sin(th), Math.cos(th)],
      ]);
      const e = eigenvalues(R);
      expect(Math.abs(e.re[0] - Math.cos(th))).toBeLessThan(1e-15);
      expect(Math.abs(e.im[0] - Math.sin(th))).toBeLessThan(1e-15);
      expect(e.re[1]).toBe(e.re[0]);
      expect(e.im[1]).toBe(-e.im[0]);
      expect(Math.abs(spectralRadius(R) - 1)).toBeLessThan(1e-15);
    }
  });

  it('companion matrices: the polynomial roots', () => {
    expect(spectrumError(companion([1, 2, 3]), [1, 2, 3])).toBeLessThan(1e-12);
    expect(spectrumError(companion([-4, -1, 0.5, 2, 7]), [-4, -1, 0.5, 2, 7])).toBeLessThan(1e-10);
    // x⁴ − 1: roots ±1, ±i
    const C = fromRows([
      [0, 0, 0, 1],
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ]);
    expect(spectrumError(C, [1, -1, 0, 0], [0, 0, 1, -1])).toBeLessThan(1e-14);
    // x² + 2x + 5: −1 ± 2i
    expect(
      spectrumError(
        fromRows([
          [-2, -5],
          [1, 0],
        ]),
        [-1, -1],
        [2, -2],
      ),
    ).toBeLessThan(1e-14);
  });

  it('cyclic permutations (a classic stall for unshifted QR): the n-th roots of unity', () => {
    for (const n of [3, 5, 8]) {
      const P = create(n, n);
      for (let i = 0; i < n; i++) P.data[((i + 1) % n) * n + i] = 1;
      const re = Array.from({ length: n }, (_, k) => Math.cos((2 * Math.PI * k) / n));
      const im = Array.from({ length: n }, (_, k) => Math.sin((2 * Math.PI * k) / n));
      expect(spectrumError(P, re, im)).toBeLessThan(1e-13);
    }
  });

  it('random P·D·P⁻¹ with real and complex eigenvalues', () => {
    const rng = new Rng(31);
    // D block diagonal: real eigenvalues and 2×2 blocks [[a, b], [−b, a]] with eigenvalues a ± ib
    const D = diag([2, -0.5, 0, 0, 1.5, 0, 0, -3]);
    const blocks: [number, number, number][] = [
      [2, 0.25, 1.2],
      [5, -1, 0.3],
    ]; // [offset, a, b]
    for (const [o, a, b] of blocks) {
      D.data[o * 8 + o] = a;
      D.data[(o + 1) * 8 + o + 1] = a;
      D.data[o * 8 + o + 1] = b;
      D.data[(o + 1) * 8 + o] = -b;
    }
    const A = similar(D, rng);
    expect(spectrumError(A, [2, -0.5, 0.25, 0.25, 1.5, -1, -1, -3], [0, 0, 1.2, -1.2, 0, 0.3, -0.3, 0])).toBeLessThan(
      1e-10,
    );
    expect(Math.abs(spectralRadius(A) - 3)).toBeLessThan(1e-10);
  });

  it('repeated eigenvalues: diagonalisable (accurate) and a Jordan block (ε^(1/2)-sensitive)', () => {
    const rng = new Rng(4);
    const A = similar(diag([2, 2, 2, -1, -1, 0.5]), rng);
    expect(spectrumError(A, [2, 2, 2, -1, -1, 0.5])).toBeLessThan(1e-9);
    const Q = randomOrthogonal(4, rng);
    const I4 = matmul(matmul(Q, identity(4)), transpose(Q));
    expect(spectrumError(I4, [1, 1, 1, 1])).toBeLessThan(1e-14);
    const J = fromRows([
      [3, 1],
      [0, 3],
    ]);
    expect(spectrumError(similar(J, rng), [3, 3])).toBeLessThan(1e-7);
  });

  it('edge cases: 0×0, 1×1, zero, nilpotent, non-square, non-finite', () => {
    expect(eigenvalues(create(0, 0)).re.length).toBe(0);
    expect(spectralRadius(create(0, 0))).toBe(0);
    expect(Array.from(eigenvalues(fromRows([[-7]])).re)).toEqual([-7]);
    for (const n of [1, 2, 3, 10]) {
      const e = eigenvalues(create(n, n));
      expect(Array.from(e.re).every((x) => x === 0) && Array.from(e.im).every((x) => x === 0)).toBe(true);
    }
    const N = create(5, 5); // shift matrix, nilpotent
    for (let i = 0; i < 4; i++) N.data[i * 5 + i + 1] = 1;
    expect(spectralRadius(N)).toBe(0);
    expect(() => scaleToSpectralRadius(N, 1)).toThrow(/spectral radius 0/);
    expect(() => eigenvalues(create(2, 3))).toThrow(/must be square, got 2×3/);
    expect(() =>
      eigenvalues(
        fromRows([
          [1, Infinity],
          [0, 1],
        ]),
      ),
    ).toThrow(/entry \(0, 1\) is Infinity/);
  });

  it('orthogonal matrices have all |λ| = 1; sum and product of eigenvalues match trace and det', () => {
    const rng = new Rng(12);
    const Q = randomOrthogonal(20, rng);
    const e = eigenvalues(Q);
    for (let i = 0; i < 20; i++) expect(Math.abs(Math.hypot(e.re[i], e.im[i]) - 1)).toBeLessThan(1e-13);
    const A = randomMatrix(rng, 30, 30);
    const f = eigenvalues(A);
    let tr = 0,
      sumRe = 0,
      sumIm = 0;
    for (let i = 0; i < 30; i++) {
      tr += A.data[i * 31];
      sumRe += f.re[i];
      sumIm += f.im[i];
    }
    expect(Math.abs(sumRe - tr)).toBeLessThan(1e-12);
    expect(Math.abs(sumIm)).toBeLessThan(1e-12);
    for (let i = 1; i < 30; i++) {
      // sorted by decreasing modulus
      expect(Math.hypot(f.re[i], f.im[i])).toBeLessThanOrEqual(Math.hypot(f.re[i - 1], f.im[i - 1]) + 1e-15);
    }
  });

  it('badly scaled matrices (balancing)', () => {
    const rng = new Rng(13);
    const B = similar(diag([1, 2, 3, 4]), rng);
    const d = [1e-6, 1, 1e6, 1e3]; // D·B·D⁻¹ has the same spectrum but wildly different scales
    const S = create(4, 4);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) S.data[i * 4 + j] = (d[i] * B.data[i * 4 + j]) / d[j];
    expect(spectrumError(S, [1, 2, 3, 4])).toBeLessThan(1e-9);
  });

  it('scaleToSpectralRadius', () => {
    const W = scaleToSpectralRadius(randomMatrix(new Rng(2), 32, 32), 0.95);
    expect(Math.abs(spectralRadius(W) - 0.95)).toBeLessThan(1e-12);
  });

  it('128×128: fast, trace-consistent, and matching P·D·P⁻¹', () => {
    const rng = new Rng(128);
    const A = randomMatrix(rng, 128, 128);
    const t0 = performance.now();
    const e = eigenvalues(A);
    const ms = performance.now() - t0;
    console.log(`eigenvalues 128×128: ${ms.toFixed(0)} ms`);
    let tr = 0,
      sumRe = 0;
    for (let i = 0; i < 128; i++) {
      tr += A.data[i * 129];
      sumRe += e.re[i];
    }
    expect(Math.abs(sumRe - tr)).toBeLessThan(1e-10);
    // circular law: ρ ≈ √(n/3) for U[−1, 1] entries
    expect(spectralRadius(A) / Math.sqrt(128 / 3)).toBeGreaterThan(0.8);
    expect(spectralRadius(A) / Math.sqrt(128 / 3)).toBeLessThan(1.2);
    const lam = Array.from({ length: 128 }, (_, i) => -2 + (4 * i) / 127);
    const Q = randomOrthogonal(128, rng);
    const M = matmul(matmul(Q, diag(lam)), transpose(Q)); // symmetric input, through the general path
    expect(spectrumError(M, lam)).toBeLessThan(1e-12);
  });
});
