/**
 * Layer normalisation of each row of x [m, n] (biased variance, as PyTorch):
 *   μ = mean(x),  rstd = 1/√(mean((x − μ)²) + eps),  x̂ = (x − μ)·rstd,  out = x̂⊙gain + bias.
 * Backward with ĝ = dy⊙gain:  dx += rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)),  dgain += Σ_rows dy⊙x̂,
 *   dbias += Σ_rows dy.  Two passes for the variance (no E[x²] − μ² cancellation).
 */
import { hsum, ld, splat, st } from './simd';

// @ts-ignore: decorator
@inline function lnOutAt(o: usize, x: usize, gain: usize, bias: usize, out: usize, vmu: v128, vrs: v128, full: bool): void {
  const xh = f32x4.mul(f32x4.sub(ld(x + o, full), vmu), vrs);
  st(out + o, f32x4.add(f32x4.mul(xh, ld(gain + o, full)), ld(bias + o, full)), full);
}

export function layerNorm(m: i32, n: i32, eps: f32, x: usize, gain: usize, bias: usize, out: usize,
  mean: usize, rstd: usize): void {
  for (let i = 0; i < m; i++) {
    const row = <usize>i * n << 2;
    const xr = x + row, outr = out + row;
    let acc = splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) acc = f32x4.add(acc, v128.load(xr + (<usize>j << 2)));
    let s = hsum(acc);
    for (; j < n; j++) s += load<f32>(xr + (<usize>j << 2));
    const mu = s / <f32>n;
    const vmu = splat(mu);
    acc = splat(0);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const d = f32x4.sub(v128.load(xr + (<usize>j << 2)), vmu);
      acc = f32x4.add(acc, f32x4.mul(d, d));
    }
    let v = hsum(acc);
    for (; j < n; j++) {
      const d = load<f32>(xr + (<usize>j << 2)) - mu;
      v += d * d;
    }
    const rs = <f32>(1 / Math.sqrt(<f64>v / <f64>n + <f64>eps));
    store<f32>(mean + (<usize>i << 2), mu);
    store<f32>(rstd + (<usize>i << 2), rs);
    const vrs = splat(rs);
    j = 0;
    for (; j + 4 <= n; j += 4) lnOutAt(<usize>j << 2, xr, gain, bias, outr, vmu, vrs, true);
    for (; j < n; j++) lnOutAt(<usize>j << 2, xr, gain, bias, outr, vmu, vrs, false);
  }
}

/** Pass 1 on 4 (or 1) columns: accumulates Σĝ, Σĝx̂ and the dgain, dbias sums. */
// @ts-ignore: decorator
@inline function lnSumsAt(o: usize, xr: usize, dyr: usize, gain: usize, dgain: usize, dbias: usize,
  vmu: v128, vrs: v128, full: bool, sums: v128): v128 {
  const xh = f32x4.mul(f32x4.sub(ld(xr + o, full), vmu), vrs);
  const dyv = ld(dyr + o, full);
  const g = f32x4.mul(dyv, ld(gain + o, full));
  if (dgain != 0) st(dgain + o, f32x4.add(ld(dgain + o, full), f32x4.mul(dyv, xh)), full);
  if (dbias != 0) st(dbias + o, f32x4.add(ld(dbias + o, full), dyv), full);
  // lanes 0–1 of `sums` hold Σĝ over even/odd halves, lanes 2–3 Σĝx̂ (packed to stay in one register)
  const gx = f32x4.mul(g, xh);
  const lo = f32x4.add(i32x4.shuffle(g, gx, 0, 1, 4, 5), i32x4.shuffle(g, gx, 2, 3, 6, 7));
  return f32x4.add(sums, lo);
}

// @ts-ignore: decorator
@inline function lnDxAt(o: usize, xr: usize, dyr: usize, gain: usize, dxr: usize, vmu: v128, vrs: v128,
  vsg: v128, vsgx: v128, full: bool): void {
  const xh = f32x4.mul(f32x4.sub(ld(xr + o, full), vmu), vrs);
  const g = f32x4.mul(ld(dyr + o, full), ld(gain + o, full));
  const d = f32x4.sub(f32x4.sub(g, vsg), f32x4.mul(xh, vsgx));
  st(dxr + o, f32x4.add(ld(dxr + o, full), f32x4.mul(vrs, d)), full);
}

export function layerNormBackward(m: i32, n: i32, x: usize, gain: usize, mean: usize, rstd: usize, dy: usize,
  dx: usize, dgain: usize, dbias: usize): void {
  for (let i = 0; i < m; i++) {
    const row = <usize>i * n << 2;
    const xr = x + row, dyr = dy + row;
    const vmu = splat(load<f32>(mean + (<usize>i << 2)));
    const vrs = splat(load<f32>(rstd + (<usize>i << 2)));
    let sums = splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) sums = lnSumsAt(<usize>j << 2, xr, dyr, gain, dgain, dbias, vmu, vrs, true, sums);
    for (; j < n; j++) sums = lnSumsAt(<usize>j << 2, xr, dyr, gain, dgain, dbias, vmu, vrs, false, sums);
    if (dx == 0) continue;
    const sg = (f32x4.extract_lane(sums, 0) + f32x4.extract_lane(sums, 1)) / <f32>n;
    const sgx = (f32x4.extract_lane(sums, 2) + f32x4.extract_lane(sums, 3)) / <f32>n;
    const vsg = splat(sg), vsgx = splat(sgx);
    const dxr = dx + row;
    j = 0;
    for (; j + 4 <= n; j += 4) lnDxAt(<usize>j << 2, xr, dyr, gain, dxr, vmu, vrs, vsg, vsgx, true);
    for (; j < n; j++) lnDxAt(<usize>j << 2, xr, dyr, gain, dxr, vmu, vrs, vsg, vsgx, false);
  }
}
