/** Reference elementwise kernels and reductions (float64). */
import type { Ref, UnaryKind } from '../backend.js';

const at = (r: Ref): number => r.storage.base + r.offset;

export function fill(n: number, value: number, out: Ref): void {
  out.storage.array.fill(value, at(out), at(out) + n);
}

export function copy(n: number, x: Ref, out: Ref): void {
  const X = x.storage.array,
    O = out.storage.array,
    xo = at(x),
    oo = at(out);
  for (let i = 0; i < n; i++) O[oo + i] = X[xo + i];
}

/** y += α·x */
export function axpy(n: number, alpha: number, x: Ref, y: Ref): void {
  const X = x.storage.array,
    Y = y.storage.array,
    xo = at(x),
    yo = at(y);
  for (let i = 0; i < n; i++) Y[yo + i] += alpha * X[xo + i];
}

/** out = α·x + β */
export function scale(n: number, alpha: number, x: Ref, out: Ref, beta = 0): void {
  const X = x.storage.array,
    O = out.storage.array,
    xo = at(x),
    oo = at(out);
  for (let i = 0; i < n; i++) O[oo + i] = alpha * X[xo + i] + beta;
}

function binary(f: (a: number, b: number) => number) {
  return (n: number, a: Ref, b: Ref, out: Ref): void => {
    const A = a.storage.array,
      B = b.storage.array,
      O = out.storage.array;
    const ao = at(a),
      bo = at(b),
      oo = at(out);
    for (let i = 0; i < n; i++) O[oo + i] = f(A[ao + i], B[bo + i]);
  };
}
export const add = binary((a, b) => a + b);
export const sub = binary((a, b) => a - b);
export const mul = binary((a, b) => a * b);

/** out += a·b */
export function mulAcc(n: number, a: Ref, b: Ref, out: Ref): void {
  const A = a.storage.array,
    B = b.storage.array,
    O = out.storage.array;
  const ao = at(a),
    bo = at(b),
    oo = at(out);
  for (let i = 0; i < n; i++) O[oo + i] += A[ao + i] * B[bo + i];
}

/** The function f of each unary kind. */
export function unaryValue(kind: UnaryKind, x: number): number {
  switch (kind) {
    case 'identity':
      return x;
    case 'tanh':
      return Math.tanh(x);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'relu':
      return x > 0 ? x : 0;
    case 'exp':
      return Math.exp(x);
    case 'neg':
      return -x;
    case 'square':
      return x * x;
    case 'sqrt':
      return Math.sqrt(x);
    case 'sin':
      return Math.sin(x);
    case 'cos':
      return Math.cos(x);
    case 'oneMinus':
      return 1 - x;
  }
}

/** f′ of each unary kind, from the input x and the saved output y. */
export function unaryDerivative(kind: UnaryKind, x: number, y: number): number {
  switch (kind) {
    case 'identity':
      return 1;
    case 'tanh':
      return 1 - y * y;
    case 'sigmoid':
      return y * (1 - y);
    case 'relu':
      return y > 0 ? 1 : 0;
    case 'exp':
      return y;
    case 'neg':
      return -1;
    case 'square':
      return 2 * x;
    case 'sqrt':
      return 0.5 / y;
    case 'sin':
      return Math.cos(x);
    case 'cos':
      return -Math.sin(x);
    case 'oneMinus':
      return -1;
  }
}

export function unary(kind: UnaryKind, n: number, x: Ref, out: Ref): void {
  const X = x.storage.array,
    O = out.storage.array,
    xo = at(x),
    oo = at(out);
  for (let i = 0; i < n; i++) O[oo + i] = unaryValue(kind, X[xo + i]);
}

/** dx += dy · f′(x, y) */
export function unaryBackward(kind: UnaryKind, n: number, x: Ref, y: Ref, dy: Ref, dx: Ref): void {
  const X = x.storage.array,
    Y = y.storage.array,
    DY = dy.storage.array,
    DX = dx.storage.array;
  const xo = at(x),
    yo = at(y),
    dyo = at(dy),
    dxo = at(dx);
  for (let i = 0; i < n; i++) DX[dxo + i] += DY[dyo + i] * unaryDerivative(kind, X[xo + i], Y[yo + i]);
}

export function clamp(n: number, lo: number, hi: number, x: Ref, out: Ref): void {
  const X = x.storage.array,
    O = out.storage.array,
    xo = at(x),
    oo = at(out);
  for (let i = 0; i < n; i++) O[oo + i] = Math.min(hi, Math.max(lo, X[xo + i]));
}

/** out[i, j] = mask[i]·a[i, j] + (1 − mask[i])·b[i, j] */
export function blend(m: number, n: number, mask: Ref, a: Ref, b: Ref, out: Ref): void {
  const M = mask.storage.array,
    A = a.storage.array,
    B = b.storage.array,
    O = out.storage.array;
  const mo = at(mask),
    ao = at(a),
    bo = at(b),
    oo = at(out);
  for (let i = 0; i < m; i++) {
    const w = M[mo + i];
    for (let j = 0; j < n; j++) O[oo + i * n + j] = w * A[ao + i * n + j] + (1 - w) * B[bo + i * n + j];
  }
}

/** da += mask·dy; db += (1 − mask)·dy */
export function blendBackward(m: number, n: number, mask: Ref, dy: Ref, da: Ref | null, db: Ref | null): void {
  const M = mask.storage.array,
    DY = dy.storage.array,
    mo = at(mask),
    dyo = at(dy);
  for (let i = 0; i < m; i++) {
    const w = M[mo + i];
    for (let j = 0; j < n; j++) {
      const g = DY[dyo + i * n + j];
      if (da) da.storage.array[at(da) + i * n + j] += w * g;
      if (db) db.storage.array[at(db) + i * n + j] += (1 - w) * g;
    }
  }
}

export function sum(n: number, x: Ref): number {
  const X = x.storage.array,
    xo = at(x);
  let s = 0;
  for (let i = 0; i < n; i++) s += X[xo + i];
  return s;
}

export function sumSquares(n: number, x: Ref): number {
  const X = x.storage.array,
    xo = at(x);
  let s = 0;
  for (let i = 0; i < n; i++) s += X[xo + i] * X[xo + i];
  return s;
}

export function dot(n: number, a: Ref, b: Ref): number {
  const A = a.storage.array,
    B = b.storage.array,
    ao = at(a),
    bo = at(b);
  let s = 0;
  for (let i = 0; i < n; i++) s += A[ao + i] * B[bo + i];
  return s;
}

export function allFinite(n: number, x: Ref): boolean {
  const X = x.storage.array,
    xo = at(x);
  for (let i = 0; i < n; i++) if (!Number.isFinite(X[xo + i])) return false;
  return true;
}
