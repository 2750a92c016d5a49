import { describe, expect, it } from 'vitest';
import {
  add,
  copy,
  create,
  diag,
  frobeniusNorm,
  fromRows,
  identity,
  matmul,
  matvec,
  maxAbs,
  norm2,
  scale,
  sub,
  toRows,
  transpose,
} from '../../src/linalg/index.js';

describe('matrix helpers', () => {
  it('create, fromRows, toRows, identity, diag', () => {
    expect(create(2, 3).data).toEqual(new Float64Array(6));
    const src = [1, 2, 3, 4, 5, 6];
    const A = create(2, 3, src);
    src[0] = 99; // copied
    expect(toRows(A)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(
      fromRows([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    ).toEqual(A);
    expect(toRows(identity(2))).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(toRows(diag([2, 3]))).toEqual([
      [2, 0],
      [0, 3],
    ]);
    expect(fromRows([])).toEqual({ rows: 0, cols: 0, data: new Float64Array(0) });
    expect(() => create(2, 2, [1, 2, 3])).toThrow(/needs 4 values, got 3/);
    expect(() => create(-1, 2)).toThrow(/non-negative integers/);
    expect(() => fromRows([[1, 2], [3]])).toThrow(/row 1 has 1 entries/);
  });

  it('transpose, matmul, matvec, add, sub, scale, copy', () => {
    const A = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const B = fromRows([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    expect(toRows(transpose(A))).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(toRows(matmul(A, B))).toEqual([
      [58, 64],
      [139, 154],
    ]);
    expect(Array.from(matvec(A, [1, 0, -1]))).toEqual([-2, -2]);
    expect(toRows(add(A, A))).toEqual(toRows(scale(A, 2)));
    expect(maxAbs(sub(A, A))).toBe(0);
    const C = copy(A);
    C.data[0] = 42;
    expect(A.data[0]).toBe(1);
    expect(() => matmul(A, A)).toThrow(/inner sizes differ: 2×3 · 2×3/);
    expect(() => matvec(A, [1, 2])).toThrow(/vector of length 2/);
    expect(() => add(A, B)).toThrow(/sizes differ/);
  });

  it('norms', () => {
    const A = fromRows([
      [3, 0],
      [4, 0],
    ]);
    expect(frobeniusNorm(A)).toBe(5);
    expect(Math.abs(norm2(A) - 5)).toBeLessThan(1e-14);
    expect(frobeniusNorm(create(3, 3))).toBe(0);
    expect(norm2(create(3, 3))).toBe(0);
    // no overflow / underflow in the sums of squares
    expect(frobeniusNorm(fromRows([[3e200, 4e200]])) / 5e200).toBeCloseTo(1, 14);
    expect(frobeniusNorm(fromRows([[3e-200, 4e-200]])) / 5e-200).toBeCloseTo(1, 14);
    expect(norm2(fromRows([[3e200, 4e200]])) / 5e200).toBeCloseTo(1, 13);
    // ‖A‖₂ ≤ ‖A‖_F ≤ √rank·‖A‖₂
    const B = fromRows([
      [1, 2],
      [3, 4],
    ]);
    expect(norm2(B)).toBeLessThanOrEqual(frobeniusNorm(B));
    expect(Math.abs(norm2(B) - Math.sqrt(15 + Math.sqrt(221)))).toBeLessThan(1e-13);
  });
});
