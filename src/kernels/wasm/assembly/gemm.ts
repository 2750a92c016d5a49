/**
 * GEMM: C = α·op(A)·op(B) + β·C, row-major, op(X) = X or Xᵀ; op(A) [m, k], op(B) [k, n], C [m, n].
 *
 * Structure (a small BLIS-like scheme):
 * - k is cut into blocks of KC. For each block, A is packed into 4-row panels Ã[m/4][kc][4] (rows past m
 *   are zero), so the micro-kernel finds A[i..i+3, p] side by side whatever transA is.
 * - op(B) is packed one 8-column panel at a time into B̃[kc][8] (columns past n are zero): row copies when
 *   B is stored [k, n], 4×4 transposes when it is stored [n, k]. The panel stays in L1 while all row panels
 *   of Ã pass over it. (Packing costs k·n copies against m·k·n multiply-adds; it also avoids the cache-set
 *   conflicts of reading B with a power-of-two stride, and measured faster than reading B in place.)
 * - The micro-kernel keeps a 4×8 tile of C in 8 f32x4 registers: per p, 4 broadcasts of Ã and 2 loads of
 *   B̃ feed 8 multiply-adds (fused in the relaxed-SIMD build).
 * β = 0 never reads C (so NaN in C is ignored); later k-blocks accumulate with β = 1.
 * The caller provides `scratch` (gemmScratchBytes(m, k) bytes): nothing is allocated here.
 * `gemmLd` takes explicit leading dimensions (element strides between stored rows), so a block of rows or
 * columns of C is a GEMM of its own: the threaded backend splits C this way; each element of C is computed
 * by the same instructions in the same order whichever block it falls in (blocks start at multiples of 4
 * rows / 8 columns, so the 4×8 tiles are the same).
 */
import { madd, storeTransposed4 } from './simd';

/** k-block size: a 4-row panel of Ã (KC·16 B) and an 8-column panel of B (KC·32 B) stay in L1. */
const KC: i32 = 256;
/** m-block size: Ã for MC rows (MC·KC·4 B = 256 KiB) stays in L2; bounds the scratch size. */
const MC: i32 = 256;

/** Bytes of scratch that gemm needs for these sizes (Ã, one B panel, one C tile, alignment slack). */
export function gemmScratchBytes(m: i32, k: i32): usize {
  const kc = min(k, KC);
  const mc = min((m + 3) & ~3, MC);
  return <usize>(mc * kc + kc * 8 + 32) * 4 + 16;
}

export function gemm(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, b: usize, beta: f32, c: usize, scratch: usize): void {
  gemmLd(transA, transB, m, n, k, alpha, a, transA ? m : k, b, transB ? k : n, beta, c, n, scratch);
}

/** gemm with leading dimensions: A's stored rows are lda apart, B's ldb, C's ldc (in elements). */
export function gemmLd(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, scratch: usize): void {
  gemmCore(transA, transB, m, n, k, alpha, a, lda, b, ldb, 0, beta, c, ldc, scratch);
}

/**
 * op(B) [k, n] packed once for gemmPackedLd: panel q (columns 8q..8q+7, zero past n) holds B̃[p][0..8] for
 * every p, so panel q starts at float q·8k and row p of it at q·8k + 8p (packedLength(k, n) = 8·⌈n/8⌉·k
 * floats). These are exactly the panels gemmLd packs on every call; a weight matrix read by many products
 * (W_hh, once per time step) is packed once instead.
 */
export function packB(transB: i32, k: i32, n: i32, b: usize, out: usize): void {
  const ldb = transB ? k : n;
  for (let j = 0; j < n; j += 8) {
    const panel = out + <usize>(j >> 3) * <usize>k * 32;
    for (let p0 = 0; p0 < k; p0 += KC) packPanel(transB, n, ldb, b, p0, min(KC, k - p0), j, panel + <usize>p0 * 32);
  }
}

/**
 * gemmLd with op(B) given packed (packB): the same instructions in the same order as gemmLd on the unpacked
 * B, so the same results bit for bit. A block of columns starting at a multiple of 8 is a call of its own
 * with `packed` advanced by (first column / 8)·8k floats.
 */
export function gemmPackedLd(transA: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32,
  packed: usize, beta: f32, c: usize, ldc: i32, scratch: usize): void {
  gemmCore(transA, 0, m, n, k, alpha, a, lda, 0, 0, packed, beta, c, ldc, scratch);
}

/** gemmLd's loops; `packed` ≠ 0: op(B)'s panels come packed (packB) and b, ldb are unused. */
function gemmCore(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32,
  b: usize, ldb: i32, packed: usize, beta: f32, c: usize, ldc: i32, scratch: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    scaleC(m, n, beta, c, ldc);
    return;
  }
  scratch = (scratch + 15) & ~15;
  const kcMax = min(k, KC);
  const pa = scratch;
  const own = pa + <usize>(min((m + 3) & ~3, MC) * kcMax) * 4;
  const tile = own + <usize>(kcMax * 8) * 4;
  const ldcb = <usize>ldc * 4;
  const panelBytes = <usize>k * 32;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const bt: f32 = p0 == 0 ? beta : 1;
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = min(MC, m - i0);
      packA(transA, lda, a, i0, mc, p0, kc, pa);
      for (let j = 0; j < n; j += 8) {
        let pb = own;
        if (packed != 0) pb = packed + <usize>(j >> 3) * panelBytes + <usize>p0 * 32;
        else packPanel(transB, n, ldb, b, p0, kc, j, pb);
        const cols = min(8, n - j);
        for (let i = 0; i < mc; i += 4) {
          kernel4x8(kc, pa + <usize>(i * kc) * 4, pb, c + (<usize>(i0 + i) * ldc + j) * 4, ldcb,
            alpha, bt, min(4, mc - i), cols, tile);
        }
      }
    }
  }
}

/** C ← β·C (the k = 0 case); β = 0 writes zeros. */
function scaleC(m: i32, n: i32, beta: f32, c: usize, ldc: i32): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const p = c + (<usize>i * ldc + j) * 4;
      store<f32>(p, beta == 0 ? 0 : beta * load<f32>(p));
    }
  }
}

/** Ã[ib][p][r] = op(A)[i0 + 4·ib + r, p0 + p] for rows below i0 + mc, zero past them; lda: A's row stride. */
function packA(transA: i32, lda: i32, a: usize, i0: i32, mc: i32, p0: i32, kc: i32, pa: usize): void {
  for (let i = i0; i < i0 + mc; i += 4) {
    const dst = pa + <usize>((i - i0) * kc) * 4;
    const rows = min(4, i0 + mc - i);
    if (transA) {
      // A stored [k, m] (lda ≥ m): the 4 values of column p are contiguous.
      for (let p = 0; p < kc; p++) {
        const src = a + (<usize>(p0 + p) * lda + i) * 4;
        if (rows == 4) v128.store(dst + <usize>p * 16, v128.load(src));
        else for (let r = 0; r < 4; r++) store<f32>(dst + <usize>(p * 4 + r) * 4, r < rows ? load<f32>(src + <usize>r * 4) : 0);
      }
    } else if (rows == 4) {
      // A stored [m, k] (lda ≥ k): transpose 4×4 blocks.
      const src = a + (<usize>i * lda + p0) * 4;
      const ld = <usize>lda * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const s = src + <usize>p * 4;
        storeTransposed4(v128.load(s), v128.load(s + ld), v128.load(s + 2 * ld), v128.load(s + 3 * ld),
          dst + <usize>p * 16, 16);
      }
      for (; p < kc; p++) {
        for (let r = 0; r < 4; r++) store<f32>(dst + <usize>(p * 4 + r) * 4, load<f32>(src + <usize>r * ld + <usize>p * 4));
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < 4; r++) {
          store<f32>(dst + <usize>(p * 4 + r) * 4, r < rows ? load<f32>(a + (<usize>(i + r) * lda + p0 + p) * 4) : 0);
        }
      }
    }
  }
}

/**
 * One 8-column panel of op(B), packed and zero-padded: B̃[p][q] = op(B)[p0 + p, j + q] for q < 8.
 * B stored [k, n] (not transposed): row copies; B stored [n, k] (transB): 4×4 transposes. ld: B's row stride.
 */
function packPanel(transB: i32, n: i32, ld: i32, b: usize, p0: i32, kc: i32, j: i32, pb: usize): void {
  const cols = min(8, n - j);
  const ldb = <usize>ld * 4;
  if (!transB) {
    let src = b + (<usize>p0 * ld + j) * 4;
    if (cols == 8) {
      for (let p = 0; p < kc; p++, src += ldb) {
        v128.store(pb + <usize>p * 32, v128.load(src));
        v128.store(pb + <usize>p * 32, v128.load(src, 16), 16);
      }
    } else {
      for (let p = 0; p < kc; p++, src += ldb) {
        for (let q = 0; q < 8; q++) store<f32>(pb + <usize>(p * 8 + q) * 4, q < cols ? load<f32>(src + <usize>q * 4) : 0);
      }
    }
    return;
  }
  let q = 0;
  for (; q + 4 <= cols; q += 4) {
    const src = b + (<usize>(j + q) * ld + p0) * 4;
    let p = 0;
    for (; p + 4 <= kc; p += 4) {
      const s = src + <usize>p * 4;
      storeTransposed4(v128.load(s), v128.load(s + ldb), v128.load(s + 2 * ldb), v128.load(s + 3 * ldb),
        pb + <usize>(p * 8 + q) * 4, 32);
    }
    for (; p < kc; p++) {
      for (let r = 0; r < 4; r++) store<f32>(pb + <usize>(p * 8 + q + r) * 4, load<f32>(src + <usize>r * ldb + <usize>p * 4));
    }
  }
  for (; q < 8; q++) {
    const src = b + (<usize>(j + q) * ld + p0) * 4;
    for (let p = 0; p < kc; p++) store<f32>(pb + <usize>(p * 8 + q) * 4, q < cols ? load<f32>(src + <usize>p * 4) : 0);
  }
}

/** Write one row of 8 results: dst = α·acc + β·dst (β = 0: dst is not read). */
// @ts-ignore: decorator
@inline function storeRow(dst: usize, lo: v128, hi: v128, va: v128, vb: v128, beta: f32): void {
  if (beta == 0) {
    v128.store(dst, f32x4.mul(lo, va));
    v128.store(dst, f32x4.mul(hi, va), 16);
  } else {
    v128.store(dst, madd(v128.load(dst), vb, f32x4.mul(lo, va)));
    v128.store(dst, madd(v128.load(dst, 16), vb, f32x4.mul(hi, va)), 16);
  }
}

/**
 * The 4×8 micro-kernel: C[0..4, 0..8] (at pc, row stride ldc bytes) = α·Σ_p Ã[p][0..4] ⊗ B[p][0..8] + β·C.
 * Partial tiles (rows < 4 or cols < 8) go through the 32-float `tile` buffer.
 */
function kernel4x8(kc: i32, pa: usize, pb: usize, pc: usize, ldc: usize,
  alpha: f32, beta: f32, rows: i32, cols: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let av = v128.load32_splat(pa);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    av = v128.load32_splat(pa, 4);
    c10 = madd(av, b0, c10);
    c11 = madd(av, b1, c11);
    av = v128.load32_splat(pa, 8);
    c20 = madd(av, b0, c20);
    c21 = madd(av, b1, c21);
    av = v128.load32_splat(pa, 12);
    c30 = madd(av, b0, c30);
    c31 = madd(av, b1, c31);
    pa += 16;
    pb += 32;
  }
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  if (rows == 4 && cols == 8) {
    storeRow(pc, c00, c01, va, vb, beta);
    storeRow(pc + ldc, c10, c11, va, vb, beta);
    storeRow(pc + 2 * ldc, c20, c21, va, vb, beta);
    storeRow(pc + 3 * ldc, c30, c31, va, vb, beta);
    return;
  }
  storeRow(tile, c00, c01, va, vb, 0);
  storeRow(tile + 32, c10, c11, va, vb, 0);
  storeRow(tile + 64, c20, c21, va, vb, 0);
  storeRow(tile + 96, c30, c31, va, vb, 0);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const dst = pc + <usize>r * ldc + <usize>q * 4;
      const v = load<f32>(tile + <usize>(r * 8 + q) * 4);
      store<f32>(dst, beta == 0 ? v : v + beta * load<f32>(dst));
    }
  }
}
