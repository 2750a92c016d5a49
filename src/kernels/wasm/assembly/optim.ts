/**
 * Adam(W) in place:  m ← β1·m + c1·g,  v ← β2·v + c2·g²,
 *   p ← p − lr·( (m·ib1) / (√(v·ib2) + eps) + wd·p ),
 * with c1 = 1 − β1, c2 = 1 − β2, ib1 = 1/(1 − β1ᵗ), ib2 = 1/(1 − β2ᵗ) computed by the caller in float64
 * (1 − β computed in float32 would be off by ~5e-5 relative for β2 = 0.999).
 */
import { ld, splat, st } from './simd';

// @ts-ignore: decorator
@inline function adamAt(o: usize, p: usize, g: usize, m: usize, v: usize, lr: v128, b1: v128, c1: v128,
  b2: v128, c2: v128, eps: v128, wd: v128, ib1: v128, ib2: v128, full: bool): void {
  const gv = ld(g + o, full);
  const mv = f32x4.add(f32x4.mul(b1, ld(m + o, full)), f32x4.mul(c1, gv));
  const vv = f32x4.add(f32x4.mul(b2, ld(v + o, full)), f32x4.mul(c2, f32x4.mul(gv, gv)));
  st(m + o, mv, full);
  st(v + o, vv, full);
  const pv = ld(p + o, full);
  const upd = f32x4.div(f32x4.mul(mv, ib1), f32x4.add(f32x4.sqrt(f32x4.mul(vv, ib2)), eps));
  st(p + o, f32x4.sub(pv, f32x4.mul(lr, f32x4.add(upd, f32x4.mul(wd, pv)))), full);
}

export function adam(n: i32, lr: f32, beta1: f32, c1: f32, beta2: f32, c2: f32, eps: f32, wd: f32,
  ib1: f32, ib2: f32, param: usize, grad: usize, m: usize, v: usize): void {
  const vlr = splat(lr), vb1 = splat(beta1), vc1 = splat(c1), vb2 = splat(beta2), vc2 = splat(c2);
  const veps = splat(eps), vwd = splat(wd), vib1 = splat(ib1), vib2 = splat(ib2);
  let i = 0;
  for (; i + 4 <= n; i += 4) adamAt(<usize>i << 2, param, grad, m, v, vlr, vb1, vc1, vb2, vc2, veps, vwd, vib1, vib2, true);
  for (; i < n; i++) adamAt(<usize>i << 2, param, grad, m, v, vlr, vb1, vc1, vb2, vc2, veps, vwd, vib1, vib2, false);
}
