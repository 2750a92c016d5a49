import { describe, expect, it } from 'vitest';
import { create, determinant, fromRows, identity, inverse, lu, matmul, solve } from '../../src/linalg/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { maxDiff, randomMatrix } from './helpers.js';

describe('lu, solve, inverse, determinant', () => {
  it('solves and inverts random systems', () => {
    const rng = new Rng(41);
    for (const n of [1, 2, 5, 30]) {
      const A = randomMatrix(rng, n, n);
      const B = randomMatrix(rng, n, 3);
      expect(maxDiff(matmul(A, solve(A, B)), B)).toBeLessThan(1e-11);
      expect(maxDiff(matmul(A, inverse(A)), identity(n))).toBeLessThan(1e-11);
    }
  });

  it('pivots (zero leading entry) and known determinants', () => {
    const A = fromRows([
      [0, 2],
      [3, 1],
    ]);
    expect(determinant(A)).toBe(-6);
    expect(
      maxDiff(
        inverse(A),
        fromRows([
          [-1 / 6, 1 / 3],
          [0.5, 0],
        ]),
      ),
    ).toBeLessThan(1e-16);
    expect(lu(A).sign).toBe(-1);
    expect(determinant(identity(5))).toBe(1);
    expect(determinant(create(0, 0))).toBe(1);
    expect(
      Math.abs(
        determinant(
          fromRows([
            [2, 0, 1],
            [1, 3, 2],
            [1, 1, 2],
          ]),
        ) - 6,
      ),
    ).toBeLessThan(1e-14);
  });

  it('singular matrices', () => {
    const S = fromRows([
      [1, 2],
      [2, 4],
    ]);
    expect(lu(S).singular).toBe(true);
    expect(Math.abs(determinant(S))).toBe(0);
    expect(() => inverse(S)).toThrow(/singular/);
    expect(() => solve(S, create(3, 1))).toThrow(/B has 3 rows/);
  });
});
