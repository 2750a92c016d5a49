/**
 * Shared SIMD helpers. `madd` is the one place where the two builds differ: the relaxed-SIMD build
 * (compiled with `--enable relaxed-simd`) uses the fused `f32x4.relaxed_madd`; the plain build multiplies
 * then adds. ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so the other branch is never emitted.
 */

/** a·b + c, lane-wise (fused in the relaxed build, so it may round once instead of twice). */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(c, f32x4.mul(a, b));
  }
}

/** Transpose the 4×4 block held in rows r0..r3 and store its columns at dst, dst+ld, dst+2ld, dst+3ld. */
// @ts-ignore: decorator
@inline export function storeTransposed4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, ld: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); // a0 b0 a1 b1
  const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7); // a2 b2 a3 b3
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5); // c0 d0 c1 d1
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7); // c2 d2 c3 d3
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + ld, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * ld, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * ld, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/** Load 4 lanes (full) or one lane into lane 0 (tail). `full` is a constant after inlining. */
// @ts-ignore: decorator
@inline export function ld(p: usize, full: bool): v128 {
  return full ? v128.load(p) : v128.load32_zero(p);
}

/** Store 4 lanes (full) or lane 0 only (tail). */
// @ts-ignore: decorator
@inline export function st(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else v128.store32_lane(p, v, 0);
}

/** Broadcast a scalar. */
// @ts-ignore: decorator
@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/** Sum of the 4 lanes, in f32. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  const s = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/** Lanes 0–1 (promoteLo) or 2–3 (promoteHi) of an f32x4 as an f64x2. */
// @ts-ignore: decorator
@inline export function promoteLo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
// @ts-ignore: decorator
@inline export function promoteHi(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
}
