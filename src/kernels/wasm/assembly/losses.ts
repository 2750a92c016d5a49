/**
 * Fused softmax cross-entropy, one row of c logits per example.
 *   μ = max_j ℓ_j,  e_j = exp(ℓ_j − μ),  Z = Σ_j e_j,  p_j = e_j / Z,  loss = log Z − (ℓ_y − μ).
 * Subtracting the row max keeps every e_j ≤ 1 (no overflow) and log Z ≥ 0 finite; Z is summed in f64.
 * A label outside [0, c) gives loss NaN (and no one-hot term in the backward pass), like the reference.
 */
import { exp4 } from './math';
import { ld, promoteHi, promoteLo, splat, st } from './simd';

export function softmaxXent(m: i32, c: i32, logits: usize, labels: usize, probs: usize, loss: usize): void {
  for (let i = 0; i < m; i++) {
    const row = <usize>i * c << 2;
    const l = logits + row, p = probs + row;
    // μ: NaN in the row propagates (f32x4.max keeps NaN).
    let vmax = splat(-Infinity);
    let j = 0;
    for (; j + 4 <= c; j += 4) vmax = f32x4.max(vmax, v128.load(l + (<usize>j << 2)));
    let mu = max(max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)),
      max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
    for (; j < c; j++) mu = max(mu, load<f32>(l + (<usize>j << 2)));
    const vmu = splat(mu);
    // e_j and Z (f64 accumulation)
    let zlo = f64x2.splat(0), zhi = f64x2.splat(0);
    j = 0;
    for (; j + 4 <= c; j += 4) {
      const o = <usize>j << 2;
      const e = exp4(f32x4.sub(v128.load(l + o), vmu));
      v128.store(p + o, e);
      zlo = f64x2.add(zlo, promoteLo(e));
      zhi = f64x2.add(zhi, promoteHi(e));
    }
    const zs = f64x2.add(zlo, zhi);
    let z = f64x2.extract_lane(zs, 0) + f64x2.extract_lane(zs, 1);
    for (; j < c; j++) {
      const o = <usize>j << 2;
      const e = ld(l + o, false);
      const ev = exp4(f32x4.sub(e, vmu));
      st(p + o, ev, false);
      z += <f64>f32x4.extract_lane(ev, 0);
    }
    const vz = splat(<f32>z);
    j = 0;
    for (; j + 4 <= c; j += 4) {
      const o = <usize>j << 2;
      v128.store(p + o, f32x4.div(v128.load(p + o), vz));
    }
    for (; j < c; j++) {
      const o = <usize>j << 2;
      store<f32>(p + o, load<f32>(p + o) / <f32>z);
    }
    const y = load<f32>(labels + (<usize>i << 2));
    const yi = <i32>y;
    const ok = y >= 0 && yi < c;
    const lossv = ok ? Math.log(z) - (<f64>load<f32>(l + (<usize>yi << 2)) - <f64>mu) : NaN;
    store<f32>(loss + (<usize>i << 2), <f32>lossv);
  }
}

/** dlogits[i, j] += g_i·(p_ij − [j = y_i]) with g_i = dloss[i]. */
export function softmaxXentBackward(m: i32, c: i32, probs: usize, labels: usize, dloss: usize, dlogits: usize): void {
  for (let i = 0; i < m; i++) {
    const row = <usize>i * c << 2;
    const p = probs + row, d = dlogits + row;
    const g = load<f32>(dloss + (<usize>i << 2));
    const vg = splat(g);
    let j = 0;
    for (; j + 4 <= c; j += 4) {
      const o = <usize>j << 2;
      v128.store(d + o, f32x4.add(v128.load(d + o), f32x4.mul(vg, v128.load(p + o))));
    }
    for (; j < c; j++) {
      const o = <usize>j << 2;
      store<f32>(d + o, load<f32>(d + o) + g * load<f32>(p + o));
    }
    const y = load<f32>(labels + (<usize>i << 2));
    const yi = <i32>y;
    if (y >= 0 && yi < c) {
      const o = <usize>yi << 2;
      store<f32>(d + o, load<f32>(d + o) - g);
    }
  }
}
