/**
 * The whole recurrent step kernels (src/kernels/table-steps.ts) against the kernels they fuse, called one by
 * one as the fused scan called them before (copy, gemmPacked with β = 1 or 0, addRow, pointwise; pointwise
 * backward, gemmPacked into ∂h_prev): bit-identical on wasm (one thread), equal to 1e-12 on the reference
 * backend. Odd shapes, a GEMM depth past the 256-deep k-block (H = 300 backward: G·H ≥ 900), null ∂h_prev.
 * (1 vs 2 threads: test/kernels/threads.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Backend, packedLength, type Ref, stepScratch } from '../../src/kernels/backend.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { createWasmBackend, wasmAvailable } from '../../src/kernels/wasm/backend.js';
import { type WasmApi, wasmApi } from '../../src/kernels/wasm/wasm-api.js';
import { Rng } from '../../src/tensor/rng.js';

const SHAPES: [number, number][] = [
  [1, 1],
  [3, 5],
  [17, 7],
  [32, 128],
  [6, 300],
];

/** Operands by size, filled from one seed; `run(fused)` gets refs to fresh copies; returns every operand. */
function twice(be: Backend, sizes: number[], run: (fused: boolean, r: (i: number) => Ref) => void) {
  const rng = new Rng(5);
  const data = sizes.map((n) => Array.from({ length: n }, () => Math.fround(rng.uniformIn(-1.5, 1.5))));
  return [true, false].map((fused) => {
    const blocks = sizes.map((n, i) => {
      const s = be.alloc(n);
      s.array.set(data[i], s.base);
      return s;
    });
    run(fused, (i) => ({ storage: blocks[i], offset: 0 }));
    const out = blocks.map((s, i) => Array.from(s.array.subarray(s.base, s.base + sizes[i])));
    blocks.forEach((s) => be.free(s));
    return out;
  });
}

function expectSame(label: string, [a, b]: number[][][], tol: number, skip: number): void {
  a.forEach((want, i) => {
    if (i === skip) return; // scratch
    const err = want.reduce((e, v, j) => Math.max(e, Math.abs(v - b[i][j])), 0);
    if (tol === 0)
      expect(
        b[i].findIndex((v, j) => !Object.is(v, want[j])),
        `${label}: operand ${i}`,
      ).toBe(-1);
    else expect(err, `${label}: operand ${i}`).toBeLessThanOrEqual(tol);
  });
}

function checkAll(be: Backend, tol: number): void {
  for (const [B, H] of SHAPES) {
    const BH = B * H,
      sc = (k: number) => stepScratch(B, k).length,
      pl = packedLength;
    // LSTM forward: xp, packed, bias, hPrev, cPrev, pre, act, c, tc, hOut, scratch
    const lstm = twice(be, [4 * BH, pl(H, 4 * H), 4 * H, BH, BH, 4 * BH, 4 * BH, BH, BH, BH, sc(H)], (f, r) => {
      if (f)
        be.lstmStep(B, H, r(0), r(1), r(2), r(3), r(4), r(5), r(6), r(7), r(8), r(9), r(10), stepScratch(B, H).row);
      else {
        be.copy(4 * BH, r(0), r(5));
        be.gemmPacked(false, B, 4 * H, H, 1, r(3), r(1), 1, r(5));
        be.addRow(B, 4 * H, r(5), r(2), r(5));
        be.lstmForward(B, H, r(5), r(4), r(6), r(7), r(8), r(9));
      }
    });
    expectSame(`lstmStep ${B}×${H}`, lstm, tol, 10);
    // LSTM backward: act, cPrev, tc, dh, dc, dPre, dcPrev, packedT, dhPrev, scratch
    for (const withPrev of [true, false]) {
      const sizes = [4 * BH, BH, BH, BH, BH, 4 * BH, BH, pl(4 * H, H), BH, sc(4 * H)];
      const out = twice(be, sizes, (f, r) => {
        const dhPrev = withPrev ? r(8) : null;
        if (f)
          be.lstmStepBackward(
            B,
            H,
            r(0),
            r(1),
            r(2),
            r(3),
            r(4),
            r(5),
            r(6),
            r(7),
            dhPrev,
            r(9),
            stepScratch(B, 4 * H).row,
          );
        else {
          be.lstmBackward(B, H, r(0), r(1), r(2), r(3), r(4), r(5), r(6));
          if (dhPrev) be.gemmPacked(false, B, H, 4 * H, 1, r(5), r(7), 1, dhPrev);
        }
      });
      expectSame(`lstmStepBackward ${B}×${H}`, out, tol, 9);
    }
    // GRU forward: xp (gi), packed, bias, hPrev, gh, act, hOut, scratch
    const gru = twice(be, [3 * BH, pl(H, 3 * H), 3 * H, BH, 3 * BH, 3 * BH, BH, sc(H)], (f, r) => {
      if (f) be.gruStep(B, H, r(0), r(1), r(2), r(3), r(4), r(5), r(6), r(7), stepScratch(B, H).row);
      else {
        be.gemmPacked(false, B, 3 * H, H, 1, r(3), r(1), 0, r(4));
        be.addRow(B, 3 * H, r(4), r(2), r(4));
        be.gruForward(B, H, r(0), r(4), r(3), r(5), r(6));
      }
    });
    expectSame(`gruStep ${B}×${H}`, gru, tol, 7);
    // GRU backward: gh, act, hPrev, dh, dGi, dGh, packedT, dhPrev, scratch
    const gruB = twice(be, [3 * BH, 3 * BH, BH, BH, 3 * BH, 3 * BH, pl(3 * H, H), BH, sc(3 * H)], (f, r) => {
      if (f) be.gruStepBackward(B, H, r(0), r(1), r(2), r(3), r(4), r(5), r(6), r(7), r(8), stepScratch(B, 3 * H).row);
      else {
        be.gruBackward(B, H, r(0), r(1), r(2), r(3), r(4), r(5), r(7));
        be.gemmPacked(false, B, H, 3 * H, 1, r(5), r(6), 1, r(7));
      }
    });
    expectSame(`gruStepBackward ${B}×${H}`, gruB, tol, 8);
    // vanilla forward: xp, packed, bias, hPrev, pre, hOut, scratch; backward: pre, out, dh, dPre, packedT, dhPrev
    for (const kind of ['tanh', 'relu', 'identity'] as const) {
      const rnn = twice(be, [BH, pl(H, H), H, BH, BH, BH, sc(H)], (f, r) => {
        if (f) be.rnnStep(B, H, kind, r(0), r(1), r(2), r(3), r(4), r(5), r(6), stepScratch(B, H).row);
        else {
          be.copy(BH, r(0), r(4));
          be.gemmPacked(false, B, H, H, 1, r(3), r(1), 1, r(4));
          be.addRow(B, H, r(4), r(2), r(4));
          be.unary(kind, BH, r(4), r(5));
        }
      });
      expectSame(`rnnStep ${kind} ${B}×${H}`, rnn, tol, 6);
      const rnnB = twice(be, [BH, BH, BH, BH, pl(H, H), BH, sc(H)], (f, r) => {
        if (f) be.rnnStepBackward(B, H, kind, r(0), r(1), r(2), r(3), r(4), r(5), r(6), stepScratch(B, H).row);
        else {
          be.unaryBackward(kind, BH, r(0), r(1), r(2), r(3));
          be.gemmPacked(false, B, H, H, 1, r(3), r(4), 1, r(5));
        }
      });
      expectSame(`rnnStepBackward ${kind} ${B}×${H}`, rnnB, tol, 6);
    }
  }
}

describe('whole recurrent steps equal the kernels they fuse', () => {
  it('reference backend (float64)', () => checkAll(referenceBackend, 1e-12));
  it.skipIf(!wasmAvailable())('wasm backend, one thread: bit for bit', () => checkAll(createWasmBackend(), 0));
  it.skipIf(!wasmAvailable())(
    "stepScratch: each thread's block of rows finds room for its GEMM scratch (gemmScratchBytes of build/kernels.wasm)",
    () => {
      const bytes = readFileSync(fileURLToPath(new URL('../../build/kernels.wasm', import.meta.url)));
      const api = wasmApi as WasmApi;
      const memory = new api.Memory({ initial: 2 });
      const instance = new api.Instance(new api.Module(bytes), { env: { memory } });
      const scratchBytes = (instance.exports as Record<string, (m: number, k: number) => number>).gemmScratchBytes;
      // the splitter's partition of a step's rows (parallel.ts run, grain 4) over 1, 2 or 3 threads
      const blocksOf = (B: number, threads: number): [number, number][] => {
        const parts = Math.min(threads, Math.floor(B / 4)),
          blocks = Math.ceil(B / 4);
        if (parts < 2) return [[0, B]];
        const at = (p: number) => (p === parts ? B : Math.min(B, Math.round((blocks * p) / parts) * 4));
        return Array.from({ length: parts }, (_, p) => [at(p), at(p + 1)]);
      };
      for (const k of [1, 7, 128, 255, 256, 257, 1200])
        for (let B = 1; B <= 70; B++)
          for (const threads of [1, 2, 3]) {
            const { row, length } = stepScratch(B, k);
            for (const [lo, hi] of blocksOf(B, threads)) {
              const end = hi === B ? length : hi * row; // the next block's scratch starts at hi·row
              expect(lo * row + scratchBytes(hi - lo, k) / 4, `k ${k}, B ${B}, rows ${lo}–${hi}`).toBeLessThanOrEqual(
                end,
              );
            }
          }
    },
  );
});
