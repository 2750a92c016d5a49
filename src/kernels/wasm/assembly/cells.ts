/**
 * Fused pointwise work of one LSTM / GRU step (PyTorch gate orders), vectorised along the h units of each
 * of the b rows. Pointers of optional operands are 0 when absent. Row r of a gate block g starts at
 * element r·G·h + g·h (G = 4 for LSTM, 3 for GRU).
 */
import { sigmoid4, sigmoid4x3, tanh4 } from './math';
import { ld, splat, st } from './simd';

/**
 * LSTM forward, gates i|f|g|o from pre [b, 4h]:
 *   i = σ(pre_i), f = σ(pre_f), g = tanh(pre_g), o = σ(pre_o)
 *   c = f⊙c_prev + i⊙g,  tc = tanh(c),  h = o⊙tc;  act = (i, f, g, o).
 */
// @ts-ignore: decorator
@inline function lstmFwdAt(g4: usize, k: usize, hb: usize, pre: usize, cPrev: usize, act: usize,
  c: usize, tc: usize, hOut: usize, full: bool): void {
  // σ(i), σ(f), σ(o) in lock step (math.ts), then tanh(g), each stored as soon as computed: a store ends the
  // live ranges of math.ts's constants (V8 and binaryen reuse a constant's load until the next store), which
  // would otherwise spill to the stack; the gates are read back for c and h.
  const a = act + g4;
  sigmoid4x3(ld(pre + g4, full), ld(pre + g4 + hb, full), ld(pre + g4 + 3 * hb, full), a, a + hb, a + 3 * hb, full);
  const gg = tanh4(ld(pre + g4 + 2 * hb, full));
  st(a + 2 * hb, gg, full);
  const ig = ld(a, full), fg = ld(a + hb, full), og = ld(a + 3 * hb, full);
  const cv = f32x4.add(f32x4.mul(fg, ld(cPrev + k, full)), f32x4.mul(ig, gg));
  const t = tanh4(cv);
  st(c + k, cv, full);
  st(tc + k, t, full);
  st(hOut + k, f32x4.mul(og, t), full);
}
export function lstmForward(b: i32, h: i32, pre: usize, cPrev: usize, act: usize, c: usize, tc: usize, hOut: usize): void {
  const hb = <usize>h << 2;
  for (let r = 0; r < b; r++) {
    const g4 = <usize>r * 4 * hb, k = <usize>r * hb;
    let j = 0;
    for (; j + 4 <= h; j += 4) lstmFwdAt(g4 + (<usize>j << 2), k + (<usize>j << 2), hb, pre, cPrev, act, c, tc, hOut, true);
    for (; j < h; j++) lstmFwdAt(g4 + (<usize>j << 2), k + (<usize>j << 2), hb, pre, cPrev, act, c, tc, hOut, false);
  }
}

/**
 * LSTM backward: dc_tot = dc + dh⊙o⊙(1 − tc²);
 *   dpre_i = dc_tot⊙g⊙i(1−i), dpre_f = dc_tot⊙c_prev⊙f(1−f), dpre_g = dc_tot⊙i⊙(1−g²),
 *   dpre_o = dh⊙tc⊙o(1−o);  dc_prev += dc_tot⊙f.
 */
// @ts-ignore: decorator
@inline function lstmBwdAt(g4: usize, k: usize, hb: usize, act: usize, cPrev: usize, tc: usize, dh: usize,
  dc: usize, dPre: usize, dcPrev: usize, full: bool): void {
  const one = splat(1);
  const ig = ld(act + g4, full), fg = ld(act + g4 + hb, full);
  const gg = ld(act + g4 + 2 * hb, full), og = ld(act + g4 + 3 * hb, full);
  const t = ld(tc + k, full), g = ld(dh + k, full);
  let dcv = f32x4.mul(f32x4.mul(g, og), f32x4.sub(one, f32x4.mul(t, t)));
  if (dc != 0) dcv = f32x4.add(ld(dc + k, full), dcv);
  st(dPre + g4, f32x4.mul(f32x4.mul(dcv, gg), f32x4.mul(ig, f32x4.sub(one, ig))), full);
  st(dPre + g4 + hb, f32x4.mul(f32x4.mul(dcv, ld(cPrev + k, full)), f32x4.mul(fg, f32x4.sub(one, fg))), full);
  st(dPre + g4 + 2 * hb, f32x4.mul(f32x4.mul(dcv, ig), f32x4.sub(one, f32x4.mul(gg, gg))), full);
  st(dPre + g4 + 3 * hb, f32x4.mul(f32x4.mul(g, t), f32x4.mul(og, f32x4.sub(one, og))), full);
  if (dcPrev != 0) st(dcPrev + k, f32x4.add(ld(dcPrev + k, full), f32x4.mul(dcv, fg)), full);
}
export function lstmBackward(b: i32, h: i32, act: usize, cPrev: usize, tc: usize, dh: usize, dc: usize,
  dPre: usize, dcPrev: usize): void {
  const hb = <usize>h << 2;
  for (let r = 0; r < b; r++) {
    const g4 = <usize>r * 4 * hb, k = <usize>r * hb;
    let j = 0;
    for (; j + 4 <= h; j += 4) lstmBwdAt(g4 + (<usize>j << 2), k + (<usize>j << 2), hb, act, cPrev, tc, dh, dc, dPre, dcPrev, true);
    for (; j < h; j++) lstmBwdAt(g4 + (<usize>j << 2), k + (<usize>j << 2), hb, act, cPrev, tc, dh, dc, dPre, dcPrev, false);
  }
}

/**
 * GRU forward, gates r|z|n: r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r⊙gh_n),
 *   h = (1 − z)⊙n + z⊙h_prev;  act = (r, z, n).
 */
// @ts-ignore: decorator
@inline function gruFwdAt(g3: usize, k: usize, hb: usize, gi: usize, gh: usize, hPrev: usize, act: usize,
  hOut: usize, full: bool): void {
  // each gate stored as soon as computed (see lstmFwdAt)
  const r = sigmoid4(f32x4.add(ld(gi + g3, full), ld(gh + g3, full)));
  st(act + g3, r, full);
  const z = sigmoid4(f32x4.add(ld(gi + g3 + hb, full), ld(gh + g3 + hb, full)));
  st(act + g3 + hb, z, full);
  const n = tanh4(f32x4.add(ld(gi + g3 + 2 * hb, full), f32x4.mul(r, ld(gh + g3 + 2 * hb, full))));
  st(act + g3 + 2 * hb, n, full);
  st(hOut + k, f32x4.add(f32x4.mul(f32x4.sub(splat(1), z), n), f32x4.mul(z, ld(hPrev + k, full))), full);
}
export function gruForward(b: i32, h: i32, gi: usize, gh: usize, hPrev: usize, act: usize, hOut: usize): void {
  const hb = <usize>h << 2;
  for (let r = 0; r < b; r++) {
    const g3 = <usize>r * 3 * hb, k = <usize>r * hb;
    let j = 0;
    for (; j + 4 <= h; j += 4) gruFwdAt(g3 + (<usize>j << 2), k + (<usize>j << 2), hb, gi, gh, hPrev, act, hOut, true);
    for (; j < h; j++) gruFwdAt(g3 + (<usize>j << 2), k + (<usize>j << 2), hb, gi, gh, hPrev, act, hOut, false);
  }
}

/**
 * GRU backward from dh: dn = dh⊙(1−z)⊙(1−n²) (w.r.t. n's pre-activation), dz = dh⊙(h_prev − n)⊙z(1−z),
 *   dr = dn⊙gh_n⊙r(1−r);  dGi = (dr, dz, dn), dGh = (dr, dz, dn⊙r);  dh_prev += dh⊙z.
 */
// @ts-ignore: decorator
@inline function gruBwdAt(g3: usize, k: usize, hb: usize, gh: usize, act: usize, hPrev: usize, dh: usize,
  dGi: usize, dGh: usize, dhPrev: usize, full: bool): void {
  const one = splat(1);
  const r = ld(act + g3, full), z = ld(act + g3 + hb, full), n = ld(act + g3 + 2 * hb, full);
  const g = ld(dh + k, full);
  const dn = f32x4.mul(f32x4.mul(g, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
  const dz = f32x4.mul(f32x4.mul(g, f32x4.sub(ld(hPrev + k, full), n)), f32x4.mul(z, f32x4.sub(one, z)));
  const dr = f32x4.mul(f32x4.mul(dn, ld(gh + g3 + 2 * hb, full)), f32x4.mul(r, f32x4.sub(one, r)));
  st(dGi + g3, dr, full);
  st(dGi + g3 + hb, dz, full);
  st(dGi + g3 + 2 * hb, dn, full);
  st(dGh + g3, dr, full);
  st(dGh + g3 + hb, dz, full);
  st(dGh + g3 + 2 * hb, f32x4.mul(dn, r), full);
  if (dhPrev != 0) st(dhPrev + k, f32x4.add(ld(dhPrev + k, full), f32x4.mul(g, z)), full);
}
export function gruBackward(b: i32, h: i32, gh: usize, act: usize, hPrev: usize, dh: usize,
  dGi: usize, dGh: usize, dhPrev: usize): void {
  const hb = <usize>h << 2;
  for (let r = 0; r < b; r++) {
    const g3 = <usize>r * 3 * hb, k = <usize>r * hb;
    let j = 0;
    for (; j + 4 <= h; j += 4) gruBwdAt(g3 + (<usize>j << 2), k + (<usize>j << 2), hb, gh, act, hPrev, dh, dGi, dGh, dhPrev, true);
    for (; j < h; j++) gruBwdAt(g3 + (<usize>j << 2), k + (<usize>j << 2), hb, gh, act, hPrev, dh, dGi, dGh, dhPrev, false);
  }
}
