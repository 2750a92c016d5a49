/**
 * The kernel table's whole recurrent steps (wasm/assembly/steps.ts; reference/steps.ts): one call per time
 * step of the fused scan (ops/sequence.ts), split by rows of the batch. Spread into KERNELS (table.ts).
 */
import type { Ref, UnaryKind } from './backend.js';
import { kernel, stepRows } from './table-kit.js';

export const STEP_KERNELS = {
  // cost: ns per row and unit, GEMM included (≈ 2G·h flops per unit: about right at h = 64–128)
  /**
   * Vanilla step: pre [b, h] = xp + hPrev·W_hhᵀ + b_hh (copy, gemmPacked with β = 1, addRow: the same
   * numbers), hOut = σ(pre). packed = packB(W_hh); scratch and scratchRow: stepScratch(b, h) (backend.ts).
   */
  rnnStep: kernel<
    (
      b: number,
      h: number,
      kind: UnaryKind,
      xp: Ref,
      packed: Ref,
      bias: Ref,
      hPrev: Ref,
      pre: Ref,
      hOut: Ref,
      scratch: Ref,
      scratchRow: number,
    ) => void
  >(['n', 'n', 'u', 'p', 'p', 'p', 'p', 'p', 'p', 'p', 'n'], { split: stepRows(12, 9, 3, 1, 6, 1, 7, 1, 8, 1) }),
  /** Vanilla step backward: dPre += dh·σ′(pre, out) (unaryBackward), then dhPrev += dPre·W_hh when dhPrev ≠ null. */
  rnnStepBackward: kernel<
    (
      b: number,
      h: number,
      kind: UnaryKind,
      pre: Ref,
      out: Ref,
      dh: Ref,
      dPre: Ref,
      packedT: Ref,
      dhPrev: Ref | null,
      scratch: Ref,
      scratchRow: number,
    ) => void
  >(['n', 'n', 'u', 'p', 'p', 'p', 'p', 'p', 'o', 'p', 'n'], { split: stepRows(10, 9, 3, 1, 4, 1, 5, 1, 6, 1, 8, 1) }),
  /** GRU step: gh [b, 3h] = hPrev·W_hhᵀ + b_hh, then gruForward(gi = xp, gh, hPrev) → act, hOut. */
  gruStep: kernel<
    (
      b: number,
      h: number,
      xp: Ref,
      packed: Ref,
      bias: Ref,
      hPrev: Ref,
      gh: Ref,
      act: Ref,
      hOut: Ref,
      scratch: Ref,
      scratchRow: number,
    ) => void
  >(['n', 'n', 'p', 'p', 'p', 'p', 'p', 'p', 'p', 'p', 'n'], { split: stepRows(30, 9, 2, 3, 5, 1, 6, 3, 7, 3, 8, 1) }),
  /** GRU step backward: gruBackward, then dhPrev += dGh·W_hh when dhPrev ≠ null. */
  gruStepBackward: kernel<
    (
      b: number,
      h: number,
      gh: Ref,
      act: Ref,
      hPrev: Ref,
      dh: Ref,
      dGi: Ref,
      dGh: Ref,
      packedT: Ref,
      dhPrev: Ref | null,
      scratch: Ref,
      scratchRow: number,
    ) => void
  >(['n', 'n', 'p', 'p', 'p', 'p', 'p', 'p', 'p', 'o', 'p', 'n'], {
    split: stepRows(25, 10, 2, 3, 3, 3, 4, 1, 5, 1, 6, 3, 7, 3, 9, 1),
  }),
  /** LSTM step: pre [b, 4h] = xp + hPrev·W_hhᵀ + b_hh, then lstmForward → act, c, tc, hOut. */
  lstmStep: kernel<
    (
      b: number,
      h: number,
      xp: Ref,
      packed: Ref,
      bias: Ref,
      hPrev: Ref,
      cPrev: Ref,
      pre: Ref,
      act: Ref,
      c: Ref,
      tc: Ref,
      hOut: Ref,
      scratch: Ref,
      scratchRow: number,
    ) => void
  >(['n', 'n', 'p', 'p', 'p', 'p', 'p', 'p', 'p', 'p', 'p', 'p', 'p', 'n'], {
    split: stepRows(40, 12, 2, 4, 5, 1, 6, 1, 7, 4, 8, 4, 9, 1, 10, 1, 11, 1),
  }),
  /** LSTM step backward: lstmBackward, then dhPrev += dPre·W_hh when dhPrev ≠ null. */
  lstmStepBackward: kernel<
    (
      b: number,
      h: number,
      act: Ref,
      cPrev: Ref,
      tc: Ref,
      dh: Ref,
      dc: Ref | null,
      dPre: Ref,
      dcPrev: Ref | null,
      packedT: Ref,
      dhPrev: Ref | null,
      scratch: Ref,
      scratchRow: number,
    ) => void
  >(['n', 'n', 'p', 'p', 'p', 'p', 'o', 'p', 'o', 'p', 'o', 'p', 'n'], {
    split: stepRows(30, 11, 2, 4, 3, 1, 4, 1, 5, 1, 6, 1, 7, 4, 8, 1, 10, 1),
  }),
};
