import { describe, expect, it } from 'vitest';
import {
  determinant,
  gaussianMatrix,
  identity,
  matmul,
  randomOrthogonal,
  randomSemiOrthogonal,
  transpose,
} from '../../src/linalg/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { maxDiff, orthoError } from './helpers.js';

describe('random matrices', () => {
  it('randomOrthogonal: QᵀQ = QQᵀ = I for several sizes, deterministic per seed', () => {
    for (const n of [1, 2, 5, 16, 128]) {
      const Q = randomOrthogonal(n, new Rng(n));
      expect(orthoError(Q)).toBeLessThan(1e-13);
      expect(maxDiff(matmul(Q, transpose(Q)), identity(n))).toBeLessThan(1e-13);
    }
    expect(randomOrthogonal(6, new Rng(3))).toEqual(randomOrthogonal(6, new Rng(3)));
    expect(randomOrthogonal(0, new Rng(3)).data.length).toBe(0);
    expect(() => randomOrthogonal(2.5, new Rng(1))).toThrow(/non-negative integer/);
  });

  it('randomOrthogonal is Haar: E[tr Q] = 0, E[(tr Q)²] = 1, det = ±1 equally, Q₀₀ symmetric', () => {
    // Under Haar measure on O(n) (n ≥ 2), tr Q has mean 0 and second moment 1 (Diaconis–Shahshahani).
    // Raw Householder signs would bias all of these (e.g. Q₀₀ < 0 always).
    const rng = new Rng(2024);
    const n = 4,
      N = 4000;
    let tr1 = 0,
      tr2 = 0,
      det = 0,
      q00 = 0;
    for (let s = 0; s < N; s++) {
      const Q = randomOrthogonal(n, rng);
      let t = 0;
      for (let i = 0; i < n; i++) t += Q.data[i * n + i];
      tr1 += t;
      tr2 += t * t;
      det += determinant(Q);
      q00 += Q.data[0];
    }
    // standard errors: tr 1/√N ≈ 0.016, tr² √2/√N ≈ 0.022, det 1/√N, Q₀₀ 1/(2√N)
    expect(Math.abs(tr1 / N)).toBeLessThan(0.07);
    expect(Math.abs(tr2 / N - 1)).toBeLessThan(0.1);
    expect(Math.abs(det / N)).toBeLessThan(0.07);
    expect(Math.abs(q00 / N)).toBeLessThan(0.04);
  });

  it('randomSemiOrthogonal: orthonormal columns (tall) or rows (wide)', () => {
    const rng = new Rng(5);
    const T = randomSemiOrthogonal(10, 4, rng);
    expect([T.rows, T.cols]).toEqual([10, 4]);
    expect(orthoError(T)).toBeLessThan(1e-14);
    const W = randomSemiOrthogonal(3, 8, rng);
    expect([W.rows, W.cols]).toEqual([3, 8]);
    expect(orthoError(transpose(W))).toBeLessThan(1e-14);
  });

  it('gaussianMatrix: moments', () => {
    const G = gaussianMatrix(100, 100, new Rng(9), 2);
    let m = 0,
      v = 0;
    for (const x of G.data) {
      m += x;
      v += x * x;
    }
    m /= G.data.length;
    v = v / G.data.length - m * m;
    expect(Math.abs(m)).toBeLessThan(0.08);
    expect(Math.abs(v - 4)).toBeLessThan(0.25);
  });
});
