/**
 * Elementwise kernels over n contiguous floats. Each is a 4-lane body for full vectors and the same body
 * on lane 0 for the n mod 4 tail (ld/st with full = false). Outputs may alias inputs (pointwise).
 */
import { ld, st, splat } from './simd';

/** out[i] = value */
export function fill(n: i32, value: f32, out: usize): void {
  const v = splat(value);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), v);
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), value);
}

/** out[i] = x[i] (memory.copy: correct for any overlap) */
export function copy(n: i32, x: usize, out: usize): void {
  memory.copy(out, x, <usize>n << 2);
}

// @ts-ignore: decorator
@inline function axpyAt(o: usize, va: v128, x: usize, y: usize, full: bool): void {
  st(y + o, f32x4.add(ld(y + o, full), f32x4.mul(va, ld(x + o, full))), full);
}
/** y[i] += α·x[i] */
export function axpy(n: i32, alpha: f32, x: usize, y: usize): void {
  const va = splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) axpyAt(<usize>i << 2, va, x, y, true);
  for (; i < n; i++) axpyAt(<usize>i << 2, va, x, y, false);
}

// @ts-ignore: decorator
@inline function scaleAt(o: usize, va: v128, vb: v128, x: usize, out: usize, full: bool): void {
  st(out + o, f32x4.add(f32x4.mul(va, ld(x + o, full)), vb), full);
}
/** out[i] = α·x[i] + β */
export function scale(n: i32, alpha: f32, x: usize, out: usize, beta: f32): void {
  const va = splat(alpha), vb = splat(beta);
  let i = 0;
  for (; i + 4 <= n; i += 4) scaleAt(<usize>i << 2, va, vb, x, out, true);
  for (; i < n; i++) scaleAt(<usize>i << 2, va, vb, x, out, false);
}

/** Binary op codes shared with the JS side: 0 add, 1 sub, 2 mul, 3 mulAcc (out += a·b). */
// @ts-ignore: decorator
@inline function binaryAt(op: i32, o: usize, a: usize, b: usize, out: usize, full: bool): void {
  const va = ld(a + o, full), vb = ld(b + o, full);
  if (op == 0) st(out + o, f32x4.add(va, vb), full);
  else if (op == 1) st(out + o, f32x4.sub(va, vb), full);
  else if (op == 2) st(out + o, f32x4.mul(va, vb), full);
  else st(out + o, f32x4.add(ld(out + o, full), f32x4.mul(va, vb)), full);
}
// @ts-ignore: decorator
@inline function binary(op: i32, n: i32, a: usize, b: usize, out: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) binaryAt(op, <usize>i << 2, a, b, out, true);
  for (; i < n; i++) binaryAt(op, <usize>i << 2, a, b, out, false);
}
/** out[i] = a[i] + b[i] */
export function add(n: i32, a: usize, b: usize, out: usize): void { binary(0, n, a, b, out); }
/** out[i] = a[i] − b[i] */
export function sub(n: i32, a: usize, b: usize, out: usize): void { binary(1, n, a, b, out); }
/** out[i] = a[i] · b[i] */
export function mul(n: i32, a: usize, b: usize, out: usize): void { binary(2, n, a, b, out); }
/** out[i] += a[i] · b[i] */
export function mulAcc(n: i32, a: usize, b: usize, out: usize): void { binary(3, n, a, b, out); }

// @ts-ignore: decorator
@inline function clampAt(o: usize, vlo: v128, vhi: v128, x: usize, out: usize, full: bool): void {
  st(out + o, f32x4.min(vhi, f32x4.max(vlo, ld(x + o, full))), full);
}
/** out[i] = min(hi, max(lo, x[i])); NaN stays NaN (wasm min/max propagate it, like Math.min/max). */
export function clamp(n: i32, lo: f32, hi: f32, x: usize, out: usize): void {
  const vlo = splat(lo), vhi = splat(hi);
  let i = 0;
  for (; i + 4 <= n; i += 4) clampAt(<usize>i << 2, vlo, vhi, x, out, true);
  for (; i < n; i++) clampAt(<usize>i << 2, vlo, vhi, x, out, false);
}

// @ts-ignore: decorator
@inline function blendAt(o: usize, w: v128, w1: v128, a: usize, b: usize, out: usize, full: bool): void {
  st(out + o, f32x4.add(f32x4.mul(w, ld(a + o, full)), f32x4.mul(w1, ld(b + o, full))), full);
}
/** out[i, j] = w·a[i, j] + (1 − w)·b[i, j] with w = mask[i]; mask [m], a, b, out [m, n]. */
export function blend(m: i32, n: i32, mask: usize, a: usize, b: usize, out: usize): void {
  for (let r = 0; r < m; r++) {
    const wr = load<f32>(mask + (<usize>r << 2));
    const w = splat(wr), w1 = splat(1 - wr);
    const row = <usize>r * n << 2;
    let j = 0;
    for (; j + 4 <= n; j += 4) blendAt(row + (<usize>j << 2), w, w1, a, b, out, true);
    for (; j < n; j++) blendAt(row + (<usize>j << 2), w, w1, a, b, out, false);
  }
}

/** da[i, j] += w·dy[i, j]; db[i, j] += (1 − w)·dy[i, j], w = mask[i]; da or db may be 0 (null). */
export function blendBackward(m: i32, n: i32, mask: usize, dy: usize, da: usize, db: usize): void {
  for (let r = 0; r < m; r++) {
    const wr = load<f32>(mask + (<usize>r << 2));
    const row = <usize>r * n << 2;
    if (da != 0) axpy(n, wr, dy + row, da + row);
    if (db != 0) axpy(n, 1 - wr, dy + row, db + row);
  }
}
