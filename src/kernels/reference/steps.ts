/**
 * Reference twins of the whole recurrent steps (table-steps.ts; wasm/assembly/steps.ts): the same calls in
 * the same order, on the reference kernels. Scratch is the wasm GEMM's and is not used here.
 */
import type { Ref, UnaryKind } from '../backend.js';
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

export function rnnStep(
  b: number,
  h: number,
  kind: UnaryKind,
  xp: Ref,
  packed: Ref,
  bias: Ref,
  hPrev: Ref,
  pre: Ref,
  hOut: Ref,
): void {
  preActivation(b, h, h, xp, packed, bias, hPrev, pre);
  unary(kind, b * h, pre, hOut);
}

export function rnnStepBackward(
  b: number,
  h: number,
  kind: UnaryKind,
  pre: Ref,
  out: Ref,
  dh: Ref,
  dPre: Ref,
  packedT: Ref,
  dhPrev: Ref | null,
): void {
  unaryBackward(kind, b * h, pre, out, dh, dPre);
  recurrentGrad(b, h, h, dPre, packedT, dhPrev);
}

export function gruStep(
  b: number,
  h: number,
  xp: Ref,
  packed: Ref,
  bias: Ref,
  hPrev: Ref,
  gh: Ref,
  act: Ref,
  hOut: Ref,
): void {
  preActivation(b, 3 * h, h, null, packed, bias, hPrev, gh);
  gruForward(b, h, xp, gh, hPrev, act, hOut);
}

export function gruStepBackward(
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
): void {
  gruBackward(b, h, gh, act, hPrev, dh, dGi, dGh, dhPrev);
  recurrentGrad(b, 3 * h, h, dGh, packedT, dhPrev);
}

export function lstmStep(
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
): void {
  preActivation(b, 4 * h, h, xp, packed, bias, hPrev, pre);
  lstmForward(b, h, pre, cPrev, act, c, tc, hOut);
}

export function lstmStepBackward(
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
): void {
  lstmBackward(b, h, act, cPrev, tc, dh, dc, dPre, dcPrev);
  recurrentGrad(b, 4 * h, h, dPre, packedT, dhPrev);
}
