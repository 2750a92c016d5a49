/** Row-broadcast kernels and block copies on row-major matrices. */
import { ld, st } from './simd';

// @ts-ignore: decorator
@inline function rowOpAt(op: i32, xo: usize, ro: usize, x: usize, row: usize, out: usize, full: bool): void {
  const vx = ld(x + xo, full), vr = ld(row + ro, full);
  st(out + xo, op == 0 ? f32x4.add(vx, vr) : f32x4.mul(vx, vr), full);
}
// @ts-ignore: decorator
@inline function rowOp(op: i32, m: i32, n: i32, x: usize, row: usize, out: usize): void {
  for (let i = 0; i < m; i++) {
    const base = <usize>i * n << 2;
    let j = 0;
    for (; j + 4 <= n; j += 4) rowOpAt(op, base + (<usize>j << 2), <usize>j << 2, x, row, out, true);
    for (; j < n; j++) rowOpAt(op, base + (<usize>j << 2), <usize>j << 2, x, row, out, false);
  }
}
/** out[i, j] = x[i, j] + row[j]; x, out [m, n]; row [n] */
export function addRow(m: i32, n: i32, x: usize, row: usize, out: usize): void { rowOp(0, m, n, x, row, out); }
/** out[i, j] = x[i, j] · row[j] */
export function mulRow(m: i32, n: i32, x: usize, row: usize, out: usize): void { rowOp(1, m, n, x, row, out); }

// @ts-ignore: decorator
@inline function addInto(o: usize, src: usize, dst: usize, full: bool): void {
  st(dst + o, f32x4.add(ld(dst + o, full), ld(src + o, full)), full);
}

/**
 * out[j] = β·out[j] + Σ_i x[i, j] (column sums). Streams the rows of x through out (row-major friendly);
 * β = 0 starts from zeros without reading out.
 */
export function sumRows(m: i32, n: i32, x: usize, beta: f32, out: usize): void {
  const vb = f32x4.splat(beta);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(out + o, beta == 0 ? f32x4.splat(0) : f32x4.mul(vb, v128.load(out + o)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(out + o, beta == 0 ? 0 : beta * load<f32>(out + o));
  }
  for (let i = 0; i < m; i++) {
    const src = x + (<usize>i * n << 2);
    j = 0;
    for (; j + 4 <= n; j += 4) addInto(<usize>j << 2, src, out, true);
    for (; j < n; j++) addInto(<usize>j << 2, src, out, false);
  }
}

/** dst[i, j] (+)= src[i, j] for a rows×cols block; srcLd, dstLd are the row strides in elements. */
export function copyBlock(rows: i32, cols: i32, src: usize, srcLd: i32, dst: usize, dstLd: i32, accumulate: i32): void {
  for (let i = 0; i < rows; i++) {
    const s = src + (<usize>i * srcLd << 2);
    const d = dst + (<usize>i * dstLd << 2);
    if (!accumulate) {
      memory.copy(d, s, <usize>cols << 2);
      continue;
    }
    let j = 0;
    for (; j + 4 <= cols; j += 4) addInto(<usize>j << 2, s, d, true);
    for (; j < cols; j++) addInto(<usize>j << 2, s, d, false);
  }
}
