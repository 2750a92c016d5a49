/**
 * Vectorised exp, sigmoid and tanh on f32x4, accurate to a few ulp (the tests check ≤ 1e-6 relative against
 * float64 Math on a dense grid; measured over every 61st float in [−100, 100], in both builds: ≤ 2.1e-7 for
 * exp, 2.5e-7 for sigmoid, 3.7e-7 for tanh), several times faster than Mathf lane by lane. Multiply-adds
 * go through simd.ts's `madd` (fused in the relaxed-SIMD build). Polynomials use Estrin's scheme: the LSTM
 * step runs five of these functions per vector and is bound by their dependency chains more than by their
 * arithmetic.
 *
 * The constants sit in a static table and are read with v128.load32_splat (one vbroadcastss each): V8 does
 * not hoist v128 constants out of loops and would rebuild every splat constant with three instructions per
 * use (measured: that made exp ~35% slower). The polynomial coefficients are our own fits (float64 Lawson
 * iteration: weighted least squares on Chebyshev nodes, weights multiplied by the error each pass, which
 * converges to the minimax fit; for tanh the rational fit is linearised as P − f·Q with Loeb's re-weighting
 * by the previous Q), checked afterwards in float32 arithmetic, fused and not.
 */
import { madd, st } from './simd';

const K = memory.data<f32>([
  88.8, -87.6, // 0, 1: clamp range of exp's argument
  1.44269504088896341, 12583038.0, // 2, 3: log₂e; M = 1.5·2²³ + 126 (see expSigned)
  -0.693359375, 2.12194440e-4, // 4, 5: −ln 2 = −LN2_HI − LN2_LO (Cody–Waite; n·LN2_HI exact for |n| ≤ 256)
  // 6–11: 2·e^r ≈ 2·(1 + c1 r + … + c5 r⁵) on |r| ≤ ln2/2 (minimax relative error 9.1e-8)
  2.0, 1.9999994143736848, 0.99998299050182126, 0.3333527239904868, 0.08379586009148626, 0.0165806294516063,
  // 12–17: the same for e^−r (odd coefficients negated)
  2.0, -1.9999994143736848, 0.99998299050182126, -0.3333527239904868, 0.08379586009148626, -0.0165806294516063,
  87.6, -88.8, // 18, 19: clamp range of x in e^−x
  1.0, 9.0, -9.0, // 20, 21, 22
  // 23–28: tanh's numerator P(s), 29–31: its denominator Q(s) − 1, s = x² (see tanh4)
  0.9999999411882521, 0.12919223919973286, 0.002920757179585318, 9.267383211627676e-6, -1.2780346109761658e-8,
  1.8255048932563375e-11, 0.4625250777780568, 0.023763149002108967, 0.0002280995879755616,
  -1.0, // 32
  -1.44269504088896341, 0.693359375, -2.12194440e-4, // 33, 34, 35: −log₂e, LN2_HI, LN2_LO (for e^−x)
]);

// @ts-ignore: decorator
@inline function k(i: i32): v128 {
  return v128.load32_splat(K + (<usize>i << 2));
}

/**
 * e^(±x) (neg: the sign; sigmoid: return 1/(1 + e^−x) instead; constants after inlining) = 2ⁿ·e^r with
 * n = round(±x·log₂e), r = ±x − n·ln 2, |r| ≤ ln2/2, e^r a degree-5 polynomial. Adding M = 1.5·2²³ + 126 to
 * ±x·log₂e rounds it to an integer and leaves n + 126 in the low mantissa bits of t, so t << 23 is 2ⁿ⁻¹ as a
 * float: one scaling, the polynomial giving 2·e^r. x is clamped first so that n ∈ [−126, 128]: n = 128
 * (x ≥ 88.38) gives 2¹²⁷·2e^r, finite below FLT_MAX and +∞ above it (x > 88.72); n = −126 leaves the
 * exponent bits 0, i.e. 2ⁿ⁻¹ = 0, so results below 1.7e-38 (x < −86.99; the smallest normal float is
 * 1.2e-38) come out 0. pmin/pmax return their first operand when it is NaN, so NaN propagates.
 */
// @ts-ignore: decorator
@inline function expSigned(neg: bool, sigmoid: bool, x: v128): v128 {
  x = neg ? f32x4.pmax(f32x4.pmin(x, k(18)), k(19)) : f32x4.pmax(f32x4.pmin(x, k(0)), k(1));
  const magic = k(3);
  const t = madd(x, k(neg ? 33 : 2), magic);
  const fn = f32x4.sub(t, magic); // n
  // r = x − n·ln2 (eˣ), or −r = x + n·ln2 (e^−x: the polynomial of e^−r takes −r)
  const r = madd(fn, k(neg ? 35 : 5), madd(fn, k(neg ? 34 : 4), x));
  const c = neg ? 12 : 6;
  // Estrin's scheme: (c0 + c1 r) + r²·((c2 + c3 r) + r²·(c4 + c5 r)), a shorter dependency chain than Horner's
  const r2 = f32x4.mul(r, r);
  const hi = madd(madd(k(c + 5), r, k(c + 4)), r2, madd(k(c + 3), r, k(c + 2)));
  const p = madd(hi, r2, madd(k(c + 1), r, k(c)));
  if (!sigmoid) return f32x4.mul(p, i32x4.shl(t, 23));
  const one = k(20);
  return f32x4.div(one, madd(p, i32x4.shl(t, 23), one)); // 1/(1 + e^−x), see sigmoid4
}

/** eˣ (see expSigned). */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  return expSigned(false, false, x);
}

/** σ(x) = 1/(1 + e^−x): e^−x → +∞ gives 0 and → 0 gives 1, no cancellation on either side. */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  return expSigned(true, true, x);
}

/**
 * σ of three vectors in lock step (the LSTM step's i, f, o gates), stored at oa, ob, oc (simd.ts st): the
 * operations of expSigned(true, true, ·) in the same order, so the same bits (test/kernels/wasm.test.ts
 * checks the LSTM gates against the unary σ), with each constant loaded once for the three and the three
 * dependency chains interleaved (measured: lstmForward 3–8% faster than three sigmoid4 calls).
 */
// @ts-ignore: decorator
@inline export function sigmoid4x3(a: v128, b: v128, c: v128, oa: usize, ob: usize, oc: usize, full: bool): void {
  let u = k(18), v = k(19);
  a = f32x4.pmax(f32x4.pmin(a, u), v);
  b = f32x4.pmax(f32x4.pmin(b, u), v);
  c = f32x4.pmax(f32x4.pmin(c, u), v);
  u = k(33);
  v = k(3);
  const ta = madd(a, u, v), tb = madd(b, u, v), tc = madd(c, u, v);
  const na = f32x4.sub(ta, v), nb = f32x4.sub(tb, v), nc = f32x4.sub(tc, v);
  u = k(34);
  a = madd(na, u, a);
  b = madd(nb, u, b);
  c = madd(nc, u, c);
  u = k(35);
  a = madd(na, u, a); // −r (see expSigned)
  b = madd(nb, u, b);
  c = madd(nc, u, c);
  const a2 = f32x4.mul(a, a), b2 = f32x4.mul(b, b), c2 = f32x4.mul(c, c);
  u = k(17);
  v = k(16);
  let ha = madd(u, a, v), hb = madd(u, b, v), hc = madd(u, c, v);
  u = k(15);
  v = k(14);
  ha = madd(ha, a2, madd(u, a, v));
  hb = madd(hb, b2, madd(u, b, v));
  hc = madd(hc, c2, madd(u, c, v));
  u = k(13);
  v = k(12);
  ha = madd(ha, a2, madd(u, a, v));
  hb = madd(hb, b2, madd(u, b, v));
  hc = madd(hc, c2, madd(u, c, v));
  u = k(20);
  st(oa, f32x4.div(u, madd(ha, i32x4.shl(ta, 23), u)), full);
  st(ob, f32x4.div(u, madd(hb, i32x4.shl(tb, 23), u)), full);
  st(oc, f32x4.div(u, madd(hc, i32x4.shl(tc, 23), u)), full);
}

/**
 * tanh x ≈ x·P(x²)/Q(x²) with x clamped to [−9, 9] (tanh 9 = 1 − 3e-8 rounds to 1): P of degree 5, Q of
 * degree 3 with Q(0) = 1, an odd rational minimax fit of relative error 5.9e-8 on [0, 9]; ≤ 3.7e-7 evaluated
 * in f32 (the replaced exp-based form had 1.5e-7, for 3–4× the time). One division, no exp, no branch;
 * x·P/Q keeps −0, ±∞ clamp to ±1 and NaN passes the clamps. The result is clamped to [−1, 1]: rounding
 * alone can give values just above 1 near |x| = 9.
 */
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  x = f32x4.pmax(f32x4.pmin(x, k(21)), k(22));
  const s = f32x4.mul(x, x);
  const s2 = f32x4.mul(s, s);
  const p = madd(madd(madd(k(28), s, k(27)), s2, madd(k(26), s, k(25))), s2, madd(k(24), s, k(23))); // Estrin
  const q = madd(madd(k(31), s, k(30)), s2, madd(k(29), s, k(20)));
  const y = f32x4.div(f32x4.mul(x, p), q);
  return f32x4.pmax(f32x4.pmin(y, k(20)), k(32));
}
