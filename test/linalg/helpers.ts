/** Shared helpers for the linear-algebra tests. */
import { expect } from 'vitest';
import { create, identity, matmul, maxAbs, sub, transpose, type Matrix } from '../../src/linalg/matrix.js';
import type { Rng } from '../../src/tensor/rng.js';

/** maxᵢⱼ |Aᵢⱼ − Bᵢⱼ|. */
export function maxDiff(A: Matrix, B: Matrix): number {
  expect([A.rows, A.cols]).toEqual([B.rows, B.cols]);
  return maxAbs(sub(A, B));
}

/** ‖QᵀQ − I‖_max: how far the columns of Q are from orthonormal. */
export function orthoError(Q: Matrix): number {
  return maxDiff(matmul(transpose(Q), Q), identity(Q.cols));
}

/** A rows×cols matrix with U[-1, 1) entries. */
export function randomMatrix(rng: Rng, rows: number, cols: number): Matrix {
  const A = create(rows, cols);
  rng.fillUniform(A.data, -1, 1);
  return A;
}

/** Sort complex numbers for comparison: by real part, then imaginary part (values rounded to 1e-6 first). */
export function sortComplex(re: ArrayLike<number>, im: ArrayLike<number>): [number, number][] {
  const r = (x: number): number => Math.round(x * 1e6) / 1e6;
  return Array.from(re, (x, i): [number, number] => [x, im[i]]).sort((a, b) => r(a[0]) - r(b[0]) || r(a[1]) - r(b[1]));
}

/** Greatest distance between two multisets of complex numbers, after `sortComplex`. */
export function complexDist(a: [number, number][], b: [number, number][]): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.hypot(a[i][0] - b[i][0], a[i][1] - b[i][1]));
  return d;
}
