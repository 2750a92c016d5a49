/**
 * Pointwise functions y = f(x) and their backward dx += dy·f′, with f′ from the saved output y where
 * possible. Kind codes: the UnaryCode enum of unary-codes.ts, shared with the TypeScript side. tanh, sigmoid
 * and exp use the f32x4 versions of
 * math.ts; sin and cos call Mathf lane by lane.
 */
import { exp4, sigmoid4, tanh4 } from './math';
import { ld, st, splat } from './simd';
import { UnaryCode as U } from './unary-codes';

/** Mathf.sin (s = 1) or Mathf.cos (s = 0) on each lane. */
// @ts-ignore: decorator
@inline function trig4(s: bool, v: v128): v128 {
  const a = f32x4.extract_lane(v, 0), b = f32x4.extract_lane(v, 1);
  const c = f32x4.extract_lane(v, 2), d = f32x4.extract_lane(v, 3);
  let r = f32x4.splat(s ? Mathf.sin(a) : Mathf.cos(a));
  r = f32x4.replace_lane(r, 1, s ? Mathf.sin(b) : Mathf.cos(b));
  r = f32x4.replace_lane(r, 2, s ? Mathf.sin(c) : Mathf.cos(c));
  return f32x4.replace_lane(r, 3, s ? Mathf.sin(d) : Mathf.cos(d));
}

/** y = f(x) for kind k (a constant after inlining). relu: x > 0 ? x : 0 (so NaN → 0, like the reference). */
// @ts-ignore: decorator
@inline function f4(k: i32, x: v128): v128 {
  if (k == U.tanh) return tanh4(x);
  if (k == U.sigmoid) return sigmoid4(x);
  if (k == U.relu) return v128.and(x, f32x4.gt(x, splat(0)));
  if (k == U.exp) return exp4(x);
  if (k == U.neg) return f32x4.neg(x);
  if (k == U.square) return f32x4.mul(x, x);
  if (k == U.sqrt) return f32x4.sqrt(x);
  if (k == U.sin) return trig4(true, x);
  if (k == U.cos) return trig4(false, x);
  if (k == U.oneMinus) return f32x4.sub(splat(1), x);
  return x;
}

/** f′ from input x and output y for kind k. */
// @ts-ignore: decorator
@inline function df4(k: i32, x: v128, y: v128): v128 {
  const one = splat(1);
  if (k == U.tanh) return f32x4.sub(one, f32x4.mul(y, y));
  if (k == U.sigmoid) return f32x4.mul(y, f32x4.sub(one, y));
  if (k == U.relu) return v128.and(one, f32x4.gt(y, splat(0)));
  if (k == U.exp) return y;
  if (k == U.neg || k == U.oneMinus) return splat(-1);
  if (k == U.square) return f32x4.add(x, x);
  if (k == U.sqrt) return f32x4.div(splat(0.5), y);
  if (k == U.sin) return trig4(false, x);
  if (k == U.cos) return f32x4.neg(trig4(true, x));
  return one;
}

/** Two vectors per iteration: their independent dependency chains overlap (exp/tanh ~1.5× faster). */
// @ts-ignore: decorator
@inline function unaryLoop(k: i32, n: i32, x: usize, out: usize): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = f4(k, v128.load(x + o)), b = f4(k, v128.load(x + o, 16));
    v128.store(out + o, a);
    v128.store(out + o, b, 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    st(out + o, f4(k, ld(x + o, true)), true);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    st(out + o, f4(k, ld(x + o, false)), false);
  }
}

// @ts-ignore: decorator
@inline function backwardAt(k: i32, o: usize, x: usize, y: usize, dy: usize, dx: usize, full: bool): void {
  const d = df4(k, ld(x + o, full), ld(y + o, full));
  st(dx + o, f32x4.add(ld(dx + o, full), f32x4.mul(ld(dy + o, full), d)), full);
}
// @ts-ignore: decorator
@inline function backwardLoop(k: i32, n: i32, x: usize, y: usize, dy: usize, dx: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) backwardAt(k, <usize>i << 2, x, y, dy, dx, true);
  for (; i < n; i++) backwardAt(k, <usize>i << 2, x, y, dy, dx, false);
}

/** out[i] = f(x[i]) */
export function unary(kind: i32, n: i32, x: usize, out: usize): void {
  switch (kind) {
    case U.tanh: unaryLoop(U.tanh, n, x, out); break;
    case U.sigmoid: unaryLoop(U.sigmoid, n, x, out); break;
    case U.relu: unaryLoop(U.relu, n, x, out); break;
    case U.exp: unaryLoop(U.exp, n, x, out); break;
    case U.neg: unaryLoop(U.neg, n, x, out); break;
    case U.square: unaryLoop(U.square, n, x, out); break;
    case U.sqrt: unaryLoop(U.sqrt, n, x, out); break;
    case U.sin: unaryLoop(U.sin, n, x, out); break;
    case U.cos: unaryLoop(U.cos, n, x, out); break;
    case U.oneMinus: unaryLoop(U.oneMinus, n, x, out); break;
    default: if (x != out) memory.copy(out, x, <usize>n << 2);
  }
}

/** dx[i] += dy[i]·f′(x[i], y[i]) */
export function unaryBackward(kind: i32, n: i32, x: usize, y: usize, dy: usize, dx: usize): void {
  switch (kind) {
    case U.tanh: backwardLoop(U.tanh, n, x, y, dy, dx); break;
    case U.sigmoid: backwardLoop(U.sigmoid, n, x, y, dy, dx); break;
    case U.relu: backwardLoop(U.relu, n, x, y, dy, dx); break;
    case U.exp: backwardLoop(U.exp, n, x, y, dy, dx); break;
    case U.neg: backwardLoop(U.neg, n, x, y, dy, dx); break;
    case U.square: backwardLoop(U.square, n, x, y, dy, dx); break;
    case U.sqrt: backwardLoop(U.sqrt, n, x, y, dy, dx); break;
    case U.sin: backwardLoop(U.sin, n, x, y, dy, dx); break;
    case U.cos: backwardLoop(U.cos, n, x, y, dy, dx); break;
    case U.oneMinus: backwardLoop(U.oneMinus, n, x, y, dy, dx); break;
    default: backwardLoop(U.identity, n, x, y, dy, dx);
  }
}
