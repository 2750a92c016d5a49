/**
 * Reference twins of the whole recurrent steps (table-steps.ts, whose signatures these take; wasm/assembly/
 * steps.ts): the same calls in the same order, on the reference kernels. The GEMM scratch is the wasm
 * GEMM's and is not used here.
 */
import type { Ref } from '../backend.js';
import type { KernelMethods } from '../table.js';
import { copy, unary, unaryBackward } from './elementwise.js';
import { gruBackward, gruForward, lstmBackward, lstmForward } from './fused.js';
import { addRow, gemmPacked } from './linalg.js';

/** pre [b, g] = xp + hPrev·W_hhᵀ + b_hh (xp = null: without it), W_hhᵀ [h, g] packed. */
function preActivation(b: number, g: number, h: number, xp: Ref | null, packed: Ref, bias: Ref, hPrev: Ref, pre: Ref) {
  if (xp) copy(b * g, xp, pre);
  gemmPacked(false, b, g, h, 1, hPrev, packed, xp ? 1 : 0, pre);
  addRow(b, g, pre, bias, pre);
}

/** dhPrev [b, h] += dPre [b, g]·W_hh, W_hh [g, h] packed; nothing when dhPrev is null. */
function recurrentGrad(b: number, g: number, h: number, dPre: Ref, packedT: Ref, dhPrev: Ref | null): void {
  if (dhPrev) gemmPacked(false, b, h, g, 1, dPre, packedT, 1, dhPrev);
}

export const rnnStep: KernelMethods['rnnStep'] = (b, h, kind, xp, packed, bias, hPrev, pre, hOut) => {
  preActivation(b, h, h, xp, packed, bias, hPrev, pre);
  unary(kind, b * h, pre, hOut);
};

export const rnnStepBackward: KernelMethods['rnnStepBackward'] = (b, h, kind, pre, out, dh, dPre, packedT, dhPrev) => {
  unaryBackward(kind, b * h, pre, out, dh, dPre);
  recurrentGrad(b, h, h, dPre, packedT, dhPrev);
};

export const gruStep: KernelMethods['gruStep'] = (b, h, xp, packed, bias, hPrev, gh, act, hOut) => {
  preActivation(b, 3 * h, h, null, packed, bias, hPrev, gh);
  gruForward(b, h, xp, gh, hPrev, act, hOut);
};

export const gruStepBackward: KernelMethods['gruStepBackward'] = (
  b,
  h,
  gh,
  act,
  hPrev,
  dh,
  dGi,
  dGh,
  packedT,
  dhPrev,
) => {
  gruBackward(b, h, gh, act, hPrev, dh, dGi, dGh, dhPrev);
  recurrentGrad(b, 3 * h, h, dGh, packedT, dhPrev);
};

export const lstmStep: KernelMethods['lstmStep'] = (b, h, xp, packed, bias, hPrev, cPrev, pre, act, c, tc, hOut) => {
  preActivation(b, 4 * h, h, xp, packed, bias, hPrev, pre);
  lstmForward(b, h, pre, cPrev, act, c, tc, hOut);
};

export const lstmStepBackward: KernelMethods['lstmStepBackward'] = (
  b,
  h,
  act,
  cPrev,
  tc,
  dh,
  dc,
  dPre,
  dcPrev,
  packedT,
  dhPrev,
) => {
  lstmBackward(b, h, act, cPrev, tc, dh, dc, dPre, dcPrev);
  recurrentGrad(b, 4 * h, h, dPre, packedT, dhPrev);
};
