/**
 * The wasm (float32 SIMD) backend against the float64 reference on identical inputs (rounded to float32
 * first, so only the kernels' arithmetic differs). Tolerance: |w − r| ≤ 1e-5·max(1, |r|) unless stated.
 * Shapes include 1 and sizes that are not multiples of 4 or 8; operands sit at odd offsets so vector loads
 * are unaligned and tails are exercised. GEMM also runs on the relaxed-SIMD build when the engine has it:
 *   npx vitest run test/kernels/wasm.test.ts --execArgv=--experimental-wasm-relaxed-simd
 */
import { describe, it, expect } from 'vitest';
import type { Backend, Ref, UnaryKind } from '../../src/kernels/backend.js';
import { referenceBackend as R } from '../../src/kernels/reference/index.js';
import {
  createWasmBackend,
  relaxedSimdSupported,
  wasmAvailable,
  type WasmBackend,
} from '../../src/kernels/wasm/backend.js';
import { Rng } from '../../src/tensor/rng.js';

const W = createWasmBackend();
const rng = new Rng(1234);
const TOL = 1e-5;

interface Pair {
  w: Ref;
  r: Ref;
  n: number;
}

/** The same values in a wasm block and a reference block, each at element `off` of its storage. */
function pair(values: ArrayLike<number>, off = (values.length * 7) % 4, be: Backend = W): Pair {
  const n = values.length;
  const ws = be.alloc(n + off),
    rs = R.alloc(n + off);
  const w = { storage: ws, offset: off },
    r = { storage: rs, offset: off };
  for (let i = 0; i < n; i++) set(w, i, values[i]), set(r, i, values[i]);
  return { w, r, n };
}
const get = (x: Ref, i: number): number => x.storage.array[x.storage.base + x.offset + i];
const set = (x: Ref, i: number, v: number): void => {
  x.storage.array[x.storage.base + x.offset + i] = v;
};
const randn = (n: number, s = 1): number[] => Array.from({ length: n }, () => Math.fround(s * rng.normal()));
const rand = (n: number, lo: number, hi: number): number[] =>
  Array.from({ length: n }, () => Math.fround(rng.uniformIn(lo, hi)));
const randp = (n: number, s = 1, be: Backend = W): Pair => pair(randn(n, s), undefined, be);

/** Worst scaled error max |w − r| / max(1, |r|) over n elements (NaN-equal counts as 0, a NaN mismatch as ∞). */
function worst(p: Pair, n = p.n): number {
  let e = 0;
  for (let i = 0; i < n; i++) {
    const w = get(p.w, i),
      r = get(p.r, i);
    const d = Number.isNaN(w) && Number.isNaN(r) ? 0 : w === r ? 0 : Math.abs(w - r) / Math.max(1, Math.abs(r));
    e = Math.max(e, Number.isNaN(d) ? Infinity : d);
  }
  return e;
}
const close = (p: Pair, label: string, tol = TOL): void => expect(worst(p), label).toBeLessThanOrEqual(tol);

const SIZES = [1, 3, 5, 7, 13, 33, 100];

describe('wasm heap', () => {
  it('is available and picks the build the engine supports', () => {
    expect(wasmAvailable()).toBe(true);
    expect(W.variant).toBe(relaxedSimdSupported() ? 'relaxed-simd' : 'simd');
  });
  it('allocates zero-filled, 16-byte aligned blocks and reuses freed space', () => {
    const be = createWasmBackend({ initialPages: 4 });
    const a = be.alloc(5),
      b = be.alloc(3);
    expect((a.base * 4) % 16).toBe(0);
    expect((b.base * 4) % 16).toBe(0);
    expect(b.base).toBeGreaterThanOrEqual(a.base + 5);
    a.array.fill(7, a.base, a.base + 5);
    be.free(a);
    const c = be.alloc(4);
    expect(c.base).toBe(a.base); // first fit
    expect(Array.from(c.array.subarray(c.base, c.base + 4))).toEqual([0, 0, 0, 0]);
    expect(() => be.free(a)).toThrow(/double free/);
    expect(() => be.free(R.alloc(3))).toThrow(/does not belong/);
  });
  it('coalesces freed neighbours into one range', () => {
    const be = createWasmBackend({ initialPages: 4 });
    const blocks = Array.from({ length: 10 }, (_, i) => be.alloc(4 * i + 1));
    for (const i of [1, 3, 5, 7, 9, 0, 2, 4, 6, 8]) be.free(blocks[i]);
    expect(be.heap.stats()).toMatchObject({ used: 0, freeRanges: 1, liveBlocks: 0 });
    expect(be.heap.stats().free).toBe(be.heap.stats().capacity);
  });
  it('grows the memory, keeps old data and refreshes views', () => {
    const be = createWasmBackend({ initialPages: 2 });
    const a = be.alloc(100);
    const before = a.array;
    for (let i = 0; i < 100; i++) a.array[a.base + i] = i + 0.5;
    const big = be.alloc(300_000); // > 2 pages: forces memory.grow
    expect(before.length).toBe(0); // the old view is detached by growth...
    expect(a.array.length).toBeGreaterThan(300_000); // ...and `array` re-reads the new one
    expect(a.array.buffer).toBe(be.heap.memory.buffer);
    for (let i = 0; i < 100; i++) expect(a.array[a.base + i]).toBe(i + 0.5);
    expect(big.array[big.base + 299_999]).toBe(0);
    expect(() => createWasmBackend({ initialPages: 2, maximumPages: 3 }).alloc(1_000_000)).toThrow(/out of memory/);
  });
});

function gemmCase(
  be: Backend,
  tA: boolean,
  tB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  beta: number,
): number {
  const a = randp(m * k, 1, be),
    b = randp(k * n, 1, be);
  const c = pair(beta === 0 ? new Array<number>(m * n).fill(NaN) : randn(m * n), 1, be);
  be.gemm(tA, tB, m, n, k, alpha, a.w, b.w, beta, c.w);
  R.gemm(tA, tB, m, n, k, alpha, a.r, b.r, beta, c.r);
  return worst(c);
}

describe('gemm', () => {
  const shapes = [
    [1, 1, 1],
    [1, 7, 3],
    [3, 5, 7],
    [5, 13, 33],
    [7, 33, 13],
    [13, 8, 4],
    [33, 17, 1],
    [16, 64, 32],
    [9, 3, 2],
  ];
  const variants: WasmBackend[] = [createWasmBackend({ variant: 'simd' })];
  if (relaxedSimdSupported()) variants.push(createWasmBackend({ variant: 'relaxed-simd' }));
  for (const be of variants) {
    for (const [tA, tB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ]) {
      it(`${be.variant} transA=${tA} transB=${tB}: all shapes, α/β, β = 0 ignores NaN in C`, () => {
        for (const [m, n, k] of shapes) {
          for (const [alpha, beta] of [
            [1, 0],
            [0.7, 1],
            [-1.5, -0.5],
          ]) {
            expect(
              gemmCase(be, tA, tB, m, n, k, alpha, beta),
              `${m}×${n}×${k} α=${alpha} β=${beta}`,
            ).toBeLessThanOrEqual(TOL);
          }
        }
      });
    }
    it(`${be.variant} k and m beyond one cache block (k = 300, m = 260), k = 0`, () => {
      // float32 sums of 300 products of N(0,1) values: rounding grows like √k·ε·Σ|a·b| ≈ 3e-5 of max(1, |r|).
      expect(gemmCase(be, false, true, 6, 11, 300, 1, 0)).toBeLessThanOrEqual(3e-5);
      expect(gemmCase(be, true, false, 260, 9, 3, 1, 0.5)).toBeLessThanOrEqual(TOL);
      expect(gemmCase(be, false, false, 3, 5, 0, 1, 0.5)).toBe(0);
    });
  }
});

describe('row kernels', () => {
  it('addRow, mulRow, sumRows (β = 0 with NaN, β ≠ 0), copyBlock (ld > cols, accumulate)', () => {
    for (const [m, n] of [
      [1, 1],
      [3, 5],
      [7, 13],
      [2, 33],
    ]) {
      const x = randp(m * n),
        row = randp(n);
      for (const op of ['addRow', 'mulRow'] as const) {
        const o = randp(m * n);
        W[op](m, n, x.w, row.w, o.w);
        R[op](m, n, x.r, row.r, o.r);
        close(o, `${op} ${m}×${n}`);
      }
      for (const beta of [0, 0.5]) {
        const o = pair(beta === 0 ? new Array<number>(n).fill(NaN) : randn(n));
        W.sumRows(m, n, x.w, beta, o.w);
        R.sumRows(m, n, x.r, beta, o.r);
        close(o, `sumRows ${m}×${n} β=${beta}`);
      }
      for (const acc of [false, true]) {
        const dst = randp(m * (n + 3));
        W.copyBlock(m, n - 1 || 1, x.w, n, dst.w, n + 3, acc);
        R.copyBlock(m, n - 1 || 1, x.r, n, dst.r, n + 3, acc);
        close(dst, `copyBlock ${m}×${n} acc=${acc}`);
      }
    }
  });
});

describe('elementwise', () => {
  it('fill, copy, axpy, scale, clamp, add/sub/mul/mulAcc (also aliased out = a and out = b)', () => {
    for (const n of SIZES) {
      const x = randp(n),
        y = randp(n);
      const o = randp(n);
      W.fill(n, 0.3, o.w);
      R.fill(n, 0.3, o.r);
      close(o, `fill ${n}`);
      W.copy(n, x.w, o.w);
      R.copy(n, x.r, o.r);
      close(o, `copy ${n}`);
      W.axpy(n, -0.7, x.w, o.w);
      R.axpy(n, -0.7, x.r, o.r);
      close(o, `axpy ${n}`);
      W.scale(n, 1.3, x.w, o.w);
      R.scale(n, 1.3, x.r, o.r);
      close(o, `scale ${n}`);
      W.scale(n, 1.3, x.w, o.w, -2);
      R.scale(n, 1.3, x.r, o.r, -2);
      close(o, `scale+β ${n}`);
      W.clamp(n, -0.5, 0.8, x.w, o.w);
      R.clamp(n, -0.5, 0.8, x.r, o.r);
      close(o, `clamp ${n}`);
      for (const op of ['add', 'sub', 'mul', 'mulAcc'] as const) {
        W[op](n, x.w, y.w, o.w);
        R[op](n, x.r, y.r, o.r);
        close(o, `${op} ${n}`);
        const a = randp(n),
          b = randp(n);
        W[op](n, a.w, b.w, a.w);
        R[op](n, a.r, b.r, a.r);
        close(a, `${op} ${n} out = a`);
        W[op](n, a.w, b.w, b.w);
        R[op](n, a.r, b.r, b.r);
        close(b, `${op} ${n} out = b`);
      }
    }
  });
  it('blend and blendBackward (null da or db)', () => {
    for (const [m, n] of [
      [1, 1],
      [3, 5],
      [4, 13],
      [2, 33],
    ]) {
      const mask = pair(Array.from({ length: m }, (_, i) => [0, 1, 0.25][i % 3]));
      const a = randp(m * n),
        b = randp(m * n),
        o = randp(m * n),
        dy = randp(m * n);
      W.blend(m, n, mask.w, a.w, b.w, o.w);
      R.blend(m, n, mask.r, a.r, b.r, o.r);
      close(o, `blend ${m}×${n}`);
      W.blendBackward(m, n, mask.w, dy.w, a.w, b.w);
      R.blendBackward(m, n, mask.r, dy.r, a.r, b.r);
      W.blendBackward(m, n, mask.w, dy.w, null, b.w);
      R.blendBackward(m, n, mask.r, dy.r, null, b.r);
      W.blendBackward(m, n, mask.w, dy.w, a.w, null);
      R.blendBackward(m, n, mask.r, dy.r, a.r, null);
      close(a, `blendBackward da ${m}×${n}`);
      close(b, `blendBackward db ${m}×${n}`);
    }
  });
});

const KINDS: UnaryKind[] = [
  'identity',
  'tanh',
  'sigmoid',
  'relu',
  'exp',
  'neg',
  'square',
  'sqrt',
  'sin',
  'cos',
  'oneMinus',
];

describe('unary', () => {
  it('every kind forward (also in place) and backward', () => {
    for (const kind of KINDS) {
      for (const n of SIZES) {
        const x = pair(kind === 'sqrt' ? rand(n, 0.01, 4) : randn(n, 3));
        const y = randp(n),
          dy = randp(n),
          dx = randp(n);
        W.unary(kind, n, x.w, y.w);
        R.unary(kind, n, x.r, y.r);
        close(y, `${kind} ${n}`);
        W.unaryBackward(kind, n, x.w, y.w, dy.w, dx.w);
        R.unaryBackward(kind, n, x.r, y.w, dy.r, dx.r);
        close(dx, `${kind}′ ${n}`); // both from the float32 y, so only the derivative arithmetic differs
        W.unary(kind, n, x.w, x.w);
        R.unary(kind, n, x.r, x.r);
        close(x, `${kind} ${n} in place`);
      }
    }
  });
  it('SIMD exp, sigmoid, tanh: ≤ 1e-6 relative on a dense grid; special values', () => {
    // a uniform grid on [−30, 30] plus ±10^[−8, 0] log-spaced (tanh's small-|x| branch, exp near 1)
    const lin = Array.from({ length: 200_001 }, (_, i) => Math.fround(-30 + (60 * i) / 200_000));
    const log = Array.from({ length: 40_000 }, (_, i) => Math.fround((i % 2 ? 1 : -1) * 10 ** (-8 + (8 * i) / 40_000)));
    const xs = [...lin, ...log],
      n = xs.length;
    const x = pair(xs),
      y = pair(new Array<number>(n).fill(0));
    const exact: Record<string, (v: number) => number> = {
      exp: Math.exp,
      tanh: Math.tanh,
      sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    };
    for (const kind of ['exp', 'tanh', 'sigmoid'] as const) {
      W.unary(kind, n, x.w, y.w);
      let e = 0;
      for (let i = 0; i < n; i++) {
        const r = exact[kind](xs[i]);
        if (r !== 0) e = Math.max(e, Math.abs(get(y.w, i) - r) / Math.abs(r));
      }
      expect(e, kind).toBeLessThanOrEqual(1e-6);
    }
    // Results below the smallest normal float32 (1.2e-38, e.g. σ(−100)) may come out as 0.
    const special = [0, -0, Infinity, -Infinity, NaN, 100, -100, 89, -89, 1e-30, -1e-30, 0.55, -0.55];
    for (const kind of ['exp', 'tanh', 'sigmoid'] as const) {
      const s = pair(special),
        o = pair(special.map(() => 0));
      W.unary(kind, special.length, s.w, o.w);
      R.unary(kind, special.length, s.r, o.r);
      for (let i = 0; i < special.length; i++) {
        const w = get(o.w, i),
          r = Math.fround(get(o.r, i));
        if (Number.isNaN(r)) expect(w, `${kind}(${special[i]})`).toBeNaN();
        else if (w !== r)
          expect(Math.abs(w - r), `${kind}(${special[i]}) = ${w} vs ${r}`).toBeLessThanOrEqual(
            1e-6 * Math.abs(r) + 1.2e-38,
          );
      }
    }
  });
});

describe('reductions', () => {
  it('sum, sumSquares, dot (f64 accumulation), allFinite', () => {
    for (const n of [...SIZES, 10_000]) {
      const a = randp(n),
        b = randp(n);
      const rel = (w: number, r: number): number => Math.abs(w - r) / Math.max(1, Math.abs(r));
      expect(rel(W.sum(n, a.w), R.sum(n, a.r))).toBeLessThanOrEqual(1e-12);
      expect(rel(W.sumSquares(n, a.w), R.sumSquares(n, a.r))).toBeLessThanOrEqual(1e-12);
      expect(rel(W.dot(n, a.w, b.w), R.dot(n, a.r, b.r))).toBeLessThanOrEqual(1e-12);
      expect(W.allFinite(n, a.w)).toBe(true);
      for (const bad of [Infinity, -Infinity, NaN]) {
        for (const at of [0, n - 1, n >> 1]) {
          const c = pair(a.w.storage.array.slice(a.w.storage.base + a.w.offset, a.w.storage.base + a.w.offset + n));
          set(c.w, at, bad);
          expect(W.allFinite(n, c.w), `n=${n} ${bad} at ${at}`).toBe(false);
        }
      }
    }
  });
});

describe('fused kernels', () => {
  it('softmaxXent and its backward', () => {
    for (const [m, c] of [
      [1, 1],
      [3, 5],
      [7, 13],
      [2, 33],
      [4, 8],
    ]) {
      const logits = randp(m * c, 5),
        labels = pair(Array.from({ length: m }, () => rng.int(c)));
      const probs = randp(m * c),
        loss = randp(m),
        dloss = randp(m),
        dl = randp(m * c);
      W.softmaxXent(m, c, logits.w, labels.w, probs.w, loss.w);
      R.softmaxXent(m, c, logits.r, labels.r, probs.r, loss.r);
      close(probs, `probs ${m}×${c}`);
      close(loss, `loss ${m}×${c}`);
      W.softmaxXentBackward(m, c, probs.w, labels.w, dloss.w, dl.w);
      R.softmaxXentBackward(m, c, probs.w, labels.r, dloss.r, dl.r);
      close(dl, `dlogits ${m}×${c}`);
    }
  });
  it('LSTM forward and backward (with and without dc, dcPrev)', () => {
    for (const [b, h] of [
      [1, 1],
      [3, 5],
      [2, 7],
      [4, 13],
      [2, 33],
    ]) {
      const pre = randp(b * 4 * h, 2),
        cPrev = randp(b * h),
        act = randp(b * 4 * h);
      const c = randp(b * h),
        tc = randp(b * h),
        hOut = randp(b * h);
      W.lstmForward(b, h, pre.w, cPrev.w, act.w, c.w, tc.w, hOut.w);
      R.lstmForward(b, h, pre.r, cPrev.r, act.r, c.r, tc.r, hOut.r);
      for (const [p, name] of [
        [act, 'act'],
        [c, 'c'],
        [tc, 'tc'],
        [hOut, 'h'],
      ] as const)
        close(p, `lstm ${name} ${b}×${h}`);
      for (const withC of [false, true]) {
        const dh = randp(b * h),
          dc = randp(b * h),
          dPre = randp(b * 4 * h),
          dcPrev = randp(b * h);
        W.lstmBackward(b, h, act.w, cPrev.w, tc.w, dh.w, withC ? dc.w : null, dPre.w, withC ? dcPrev.w : null);
        R.lstmBackward(b, h, act.w, cPrev.r, tc.w, dh.r, withC ? dc.r : null, dPre.r, withC ? dcPrev.r : null);
        close(dPre, `lstm dPre ${b}×${h}`);
        close(dcPrev, `lstm dcPrev ${b}×${h}`);
      }
    }
  });
  it("LSTM gates are bit for bit the unary kernels' σ and tanh (math.ts: sigmoid4x3 is sigmoid4 in lock step)", () => {
    const [b, h] = [3, 13]; // per row: three full vectors and a tail
    const pre = randp(b * 4 * h, 30),
      cPrev = randp(b * h),
      act = randp(b * 4 * h);
    const c = randp(b * h),
      tc = randp(b * h),
      hOut = randp(b * h),
      y = randp(b * 4 * h);
    W.lstmForward(b, h, pre.w, cPrev.w, act.w, c.w, tc.w, hOut.w);
    for (const kind of ['sigmoid', 'tanh'] as const) {
      W.unary(kind, b * 4 * h, pre.w, y.w);
      for (let i = 0; i < b * 4 * h; i++)
        if ((Math.floor(i / h) % 4 === 2) === (kind === 'tanh'))
          expect(get(act.w, i), `${kind} ${i}`).toBe(get(y.w, i));
    }
    W.unary('tanh', b * h, c.w, y.w);
    for (let i = 0; i < b * h; i++) expect(get(tc.w, i), `tanh(c) ${i}`).toBe(get(y.w, i));
  });
  it('GRU forward and backward (with and without dhPrev)', () => {
    for (const [b, h] of [
      [1, 1],
      [3, 5],
      [2, 7],
      [4, 13],
      [2, 33],
    ]) {
      const gi = randp(b * 3 * h, 2),
        gh = randp(b * 3 * h, 2),
        hPrev = randp(b * h),
        act = randp(b * 3 * h),
        hOut = randp(b * h);
      W.gruForward(b, h, gi.w, gh.w, hPrev.w, act.w, hOut.w);
      R.gruForward(b, h, gi.r, gh.r, hPrev.r, act.r, hOut.r);
      close(act, `gru act ${b}×${h}`);
      close(hOut, `gru h ${b}×${h}`);
      for (const withH of [false, true]) {
        const dh = randp(b * h),
          dGi = randp(b * 3 * h),
          dGh = randp(b * 3 * h),
          dhPrev = randp(b * h);
        W.gruBackward(b, h, gh.w, act.w, hPrev.w, dh.w, dGi.w, dGh.w, withH ? dhPrev.w : null);
        R.gruBackward(b, h, gh.r, act.w, hPrev.r, dh.r, dGi.r, dGh.r, withH ? dhPrev.r : null);
        close(dGi, `gru dGi ${b}×${h}`);
        close(dGh, `gru dGh ${b}×${h}`);
        close(dhPrev, `gru dhPrev ${b}×${h}`);
      }
    }
  });
  it('layerNorm forward and backward (any of dx, dgain, dbias null)', () => {
    for (const [m, n] of [
      [1, 1],
      [3, 5],
      [2, 13],
      [4, 33],
      [2, 100],
    ]) {
      const x = randp(m * n, 2),
        gain = randp(n),
        bias = randp(n),
        out = randp(m * n),
        mean = randp(m),
        rstd = randp(m);
      W.layerNorm(m, n, 1e-5, x.w, gain.w, bias.w, out.w, mean.w, rstd.w);
      R.layerNorm(m, n, 1e-5, x.r, gain.r, bias.r, out.r, mean.r, rstd.r);
      close(out, `ln out ${m}×${n}`);
      close(mean, `ln mean ${m}×${n}`);
      // n = 1: var = 0 and rstd = 1/√eps ≈ 316, so compare it relatively.
      close(rstd, `ln rstd ${m}×${n}`);
      for (const mask of [7, 1, 2, 4]) {
        const dy = randp(m * n),
          dx = randp(m * n),
          dg = randp(n),
          db = randp(n);
        const pick = (p: Pair, bit: number, w: boolean): Ref | null => (mask & bit ? (w ? p.w : p.r) : null);
        W.layerNormBackward(
          m,
          n,
          x.w,
          gain.w,
          mean.w,
          rstd.w,
          dy.w,
          pick(dx, 1, true),
          pick(dg, 2, true),
          pick(db, 4, true),
        );
        R.layerNormBackward(
          m,
          n,
          x.r,
          gain.r,
          mean.w,
          rstd.w,
          dy.r,
          pick(dx, 1, false),
          pick(dg, 2, false),
          pick(db, 4, false),
        );
        close(dx, `ln dx ${m}×${n} mask=${mask}`);
        close(dg, `ln dgain ${m}×${n} mask=${mask}`);
        close(db, `ln dbias ${m}×${n} mask=${mask}`);
      }
    }
  });
  it('adam (with and without weight decay)', () => {
    for (const n of SIZES) {
      for (const weightDecay of [0, 0.01]) {
        const p = randp(n),
          m = pair(new Array<number>(n).fill(0)),
          v = pair(new Array<number>(n).fill(0));
        for (let t = 1; t <= 3; t++) {
          const g = randp(n);
          const step = {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weightDecay,
            bias1: 1 - 0.9 ** t,
            bias2: 1 - 0.999 ** t,
          };
          W.adam(n, step, p.w, g.w, m.w, v.w);
          R.adam(n, step, p.r, g.r, m.r, v.r);
        }
        close(p, `adam p ${n}`);
        close(m, `adam m ${n}`);
        close(v, `adam v ${n}`);
      }
    }
  });
});
