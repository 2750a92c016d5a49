/**
 * Reference linear algebra (float64, written for clarity). Every operand is a Ref: element `offset` of a
 * storage block whose data starts at `storage.base` inside `storage.array`.
 */
import type { Ref } from '../backend.js';

const at = (r: Ref): number => r.storage.base + r.offset;

/** C = α·op(A)·op(B) + β·C; op(A) [m, k], op(B) [k, n], C [m, n]; β = 0 ignores C's contents. */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Ref,
  b: Ref,
  beta: number,
  c: Ref,
): void {
  const A = a.storage.array,
    B = b.storage.array,
    C = c.storage.array;
  const ao = at(a),
    bo = at(b),
    co = at(c);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? A[ao + p * m + i] : A[ao + i * k + p];
        const bv = transB ? B[bo + j * k + p] : B[bo + p * n + j];
        s += av * bv;
      }
      const ci = co + i * n + j;
      C[ci] = beta === 0 ? alpha * s : alpha * s + beta * C[ci];
    }
  }
}

/** op(B) [k, n] into panels of 8 columns: out[(⌊j/8⌋·k + p)·8 + j mod 8] = op(B)[p, j], zero past n. */
export function packB(transB: boolean, k: number, n: number, b: Ref, out: Ref): void {
  const B = b.storage.array,
    O = out.storage.array;
  const bo = at(b),
    oo = at(out);
  const cols = 8 * Math.ceil(n / 8);
  for (let j = 0; j < cols; j++)
    for (let p = 0; p < k; p++)
      O[oo + (Math.floor(j / 8) * k + p) * 8 + (j % 8)] = j >= n ? 0 : transB ? B[bo + j * k + p] : B[bo + p * n + j];
}

/** C = α·op(A)·op(B) + β·C with op(B) [k, n] packed by packB. */
export function gemmPacked(
  transA: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Ref,
  packed: Ref,
  beta: number,
  c: Ref,
): void {
  const A = a.storage.array,
    P = packed.storage.array,
    C = c.storage.array;
  const ao = at(a),
    po = at(packed),
    co = at(c);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? A[ao + p * m + i] : A[ao + i * k + p];
        s += av * P[po + (Math.floor(j / 8) * k + p) * 8 + (j % 8)];
      }
      const ci = co + i * n + j;
      C[ci] = beta === 0 ? alpha * s : alpha * s + beta * C[ci];
    }
  }
}

/** out[i, j] = x[i, j] + row[j] */
export function addRow(m: number, n: number, x: Ref, row: Ref, out: Ref): void {
  const X = x.storage.array,
    R = row.storage.array,
    O = out.storage.array;
  const xo = at(x),
    ro = at(row),
    oo = at(out);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) O[oo + i * n + j] = X[xo + i * n + j] + R[ro + j];
}

/** out[i, j] = x[i, j] · row[j] */
export function mulRow(m: number, n: number, x: Ref, row: Ref, out: Ref): void {
  const X = x.storage.array,
    R = row.storage.array,
    O = out.storage.array;
  const xo = at(x),
    ro = at(row),
    oo = at(out);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) O[oo + i * n + j] = X[xo + i * n + j] * R[ro + j];
}

/** out[j] = β·out[j] + Σ_i x[i, j] */
export function sumRows(m: number, n: number, x: Ref, beta: number, out: Ref): void {
  const X = x.storage.array,
    O = out.storage.array;
  const xo = at(x),
    oo = at(out);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += X[xo + i * n + j];
    O[oo + j] = beta === 0 ? s : beta * O[oo + j] + s;
  }
}

/** dst[i, j] (+)= src[i, j] for a rows×cols block of matrices with leading dimensions srcLd, dstLd. */
export function copyBlock(
  rows: number,
  cols: number,
  src: Ref,
  srcLd: number,
  dst: Ref,
  dstLd: number,
  accumulate: boolean,
): void {
  const S = src.storage.array,
    D = dst.storage.array;
  const so = at(src),
    dO = at(dst);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const di = dO + i * dstLd + j;
      D[di] = accumulate ? D[di] + S[so + i * srcLd + j] : S[so + i * srcLd + j];
    }
  }
}
