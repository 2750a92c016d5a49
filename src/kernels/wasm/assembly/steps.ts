/**
 * Whole recurrent steps, one kernel call each: the fused scan's per-step sequence (ops/sequence.ts) of
 * copy, GEMM, bias and pointwise kernel (forward) or pointwise backward and GEMM (backward), calling those
 * very kernels in that order, so the numbers are the same bit for bit. One call instead of four is one
 * thread barrier per step instead of four: the threaded backend splits a step by rows of the batch, and
 * every row of a step depends only on the same row of the previous step.
 *
 * Shapes for b rows, h units, G gates (1 vanilla, 3 GRU, 4 LSTM): xp, pre [b, G·h]; the states [b, h];
 * `packed` is W_hhᵀ [h, G·h] packed by packB, `packedT` is W_hh [G·h, h] packed. `scratch` is sized by
 * stepScratch (backend.ts) for the step's GEMM depth k (h forward, G·h backward): a block of rows [lo, hi)
 * of a step is a call of its own with every pointer advanced by lo rows and scratch by lo·scratchRow floats,
 * and finds room there for gemmScratchBytes(hi − lo, k).
 */
import { copy } from './elementwise';
import { gemmPackedLd } from './gemm';
import { addRow } from './rows';
import { unary, unaryBackward } from './unary';
import { gruBackward, gruForward, lstmBackward, lstmForward } from './cells';

/**
 * pre [b, g] = xp + hPrev·W_hhᵀ + b_hh, or hPrev·W_hhᵀ + b_hh when xp = 0 (GRU), in the order of
 * linear(h, W_hh, b_hh, xp): copy xp, accumulate the product (β = 1), add the bias row.
 */
function preActivation(b: i32, g: i32, h: i32, xp: usize, packed: usize, bias: usize, hPrev: usize,
  pre: usize, scratch: usize): void {
  if (xp != 0) copy(b * g, xp, pre);
  gemmPackedLd(0, b, g, h, 1, hPrev, h, packed, xp != 0 ? 1 : 0, pre, g, scratch);
  addRow(b, g, pre, bias, pre);
}

/** dhPrev [b, h] += dPre [b, g]·W_hh (W_hh [g, h] packed): the recurrent path of the step's gradient. */
function recurrentGrad(b: i32, g: i32, h: i32, dPre: usize, packedT: usize, dhPrev: usize, scratch: usize): void {
  if (dhPrev != 0) gemmPackedLd(0, b, h, g, 1, dPre, g, packedT, 1, dhPrev, h, scratch);
}

/** Vanilla step: pre = xp + hPrev·W_hhᵀ + b_hh, hOut = σ(pre) (σ by UnaryCode `kind`). */
export function rnnStep(b: i32, h: i32, kind: i32, xp: usize, packed: usize, bias: usize, hPrev: usize,
  pre: usize, hOut: usize, scratch: usize, scratchRow: i32): void {
  preActivation(b, h, h, xp, packed, bias, hPrev, pre, scratch);
  unary(kind, b * h, pre, hOut);
}

/** Vanilla step backward: dPre += dh·σ′(pre, out); dhPrev += dPre·W_hh (skipped when dhPrev = 0). */
export function rnnStepBackward(b: i32, h: i32, kind: i32, pre: usize, out: usize, dh: usize, dPre: usize,
  packedT: usize, dhPrev: usize, scratch: usize, scratchRow: i32): void {
  unaryBackward(kind, b * h, pre, out, dh, dPre);
  recurrentGrad(b, h, h, dPre, packedT, dhPrev, scratch);
}

/** GRU step: gh = hPrev·W_hhᵀ + b_hh [b, 3h], then gruForward(gi = xp, gh) → act (r, z, n), hOut. */
export function gruStep(b: i32, h: i32, xp: usize, packed: usize, bias: usize, hPrev: usize, gh: usize,
  act: usize, hOut: usize, scratch: usize, scratchRow: i32): void {
  preActivation(b, 3 * h, h, 0, packed, bias, hPrev, gh, scratch);
  gruForward(b, h, xp, gh, hPrev, act, hOut);
}

/** GRU step backward: gruBackward (dGi, dGh, dhPrev += dh⊙z), then dhPrev += dGh·W_hh. */
export function gruStepBackward(b: i32, h: i32, gh: usize, act: usize, hPrev: usize, dh: usize, dGi: usize,
  dGh: usize, packedT: usize, dhPrev: usize, scratch: usize, scratchRow: i32): void {
  gruBackward(b, h, gh, act, hPrev, dh, dGi, dGh, dhPrev);
  recurrentGrad(b, 3 * h, h, dGh, packedT, dhPrev, scratch);
}

/** LSTM step: pre = xp + hPrev·W_hhᵀ + b_hh [b, 4h], then lstmForward → act, c, tc = tanh(c), hOut. */
export function lstmStep(b: i32, h: i32, xp: usize, packed: usize, bias: usize, hPrev: usize, cPrev: usize,
  pre: usize, act: usize, c: usize, tc: usize, hOut: usize, scratch: usize, scratchRow: i32): void {
  preActivation(b, 4 * h, h, xp, packed, bias, hPrev, pre, scratch);
  lstmForward(b, h, pre, cPrev, act, c, tc, hOut);
}

/** LSTM step backward: lstmBackward (dPre, dcPrev += dc_tot⊙f), then dhPrev += dPre·W_hh. */
export function lstmStepBackward(b: i32, h: i32, act: usize, cPrev: usize, tc: usize, dh: usize, dc: usize,
  dPre: usize, dcPrev: usize, packedT: usize, dhPrev: usize, scratch: usize, scratchRow: i32): void {
  lstmBackward(b, h, act, cPrev, tc, dh, dc, dPre, dcPrev);
  recurrentGrad(b, 4 * h, h, dPre, packedT, dhPrev, scratch);
}
