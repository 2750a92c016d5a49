/**
 * Reductions returning a number. They accumulate in f64 (two f64x2 accumulators fed by promoting each
 * f32x4), so long sums carry no float32 rounding: the result equals the float64 sum of the f32 inputs
 * up to f64 rounding. Products of two f32 are exact in f64.
 */
import { promoteHi, promoteLo } from './simd';

// @ts-ignore: decorator
@inline function total(lo: v128, hi: v128): f64 {
  const s = f64x2.add(lo, hi);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** Σ x[i] */
export function sum(n: i32, x: usize): f64 {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    lo = f64x2.add(lo, promoteLo(v));
    hi = f64x2.add(hi, promoteHi(v));
  }
  let s = total(lo, hi);
  for (; i < n; i++) s += <f64>load<f32>(x + (<usize>i << 2));
  return s;
}

/** Σ x[i]² */
export function sumSquares(n: i32, x: usize): f64 {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const a = promoteLo(v), b = promoteHi(v);
    lo = f64x2.add(lo, f64x2.mul(a, a));
    hi = f64x2.add(hi, f64x2.mul(b, b));
  }
  let s = total(lo, hi);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

/** Σ a[i]·b[i] */
export function dot(n: i32, a: usize, b: usize): f64 {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const va = v128.load(a + o), vb = v128.load(b + o);
    lo = f64x2.add(lo, f64x2.mul(promoteLo(va), promoteLo(vb)));
    hi = f64x2.add(hi, f64x2.mul(promoteHi(va), promoteHi(vb)));
  }
  let s = total(lo, hi);
  for (; i < n; i++) {
    const o = <usize>i << 2;
    s += <f64>load<f32>(a + o) * <f64>load<f32>(b + o);
  }
  return s;
}

/** 1 when every x[i] is finite: x − x is 0 for finite x and NaN for ±∞ or NaN, and NaN survives sums. */
export function allFinite(n: i32, x: usize): i32 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    acc = f32x4.add(acc, f32x4.sub(v, v));
  }
  let s: f32 = 0;
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    s += v - v;
  }
  return i32(!v128.any_true(f32x4.ne(acc, f32x4.splat(0))) && s == 0);
}
