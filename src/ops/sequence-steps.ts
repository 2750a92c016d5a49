/**
 * The fused scan's three instances (ops/sequence.ts): the whole-step kernels (kernels/table-steps.ts: a
 * step's GEMM, bias and pointwise work in one call) that tell vanilla, GRU and LSTM apart, and each layer's
 * whole-sequence op, `fusedScan` with its kernel. The cells' `sequence` calls these (cells/vanilla.ts,
 * gru.ts, lstm.ts); the per-step equations are in those cells' headers.
 */
import type { Tape } from '../autodiff/tape.js';
import type { Activation } from '../kernels/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { fusedScan, type SequenceOptions, type SequenceOutput, type StepKernel } from './sequence.js';

/** Vanilla: h' = σ(pre); backward ∂pre += ∂h·σ′ (from the saved pre and output). */
export const rnnStep = (kind: Activation): StepKernel => ({
  op: 'rnnSequence',
  gates: 1,
  states: 1,
  addsInput: true,
  keepsPre: true,
  keepsOutput: true,
  saved: [],
  accumulates: true,
  forward: (be, B, H, s, w) =>
    be.rnnStep(B, H, kind, s.xp, w.packed, w.bias, s.prev[0], s.pre, s.out[0], w.scratch, w.rowF),
  backward: (be, B, H, s, [g], dXp, _dPre, [dh], w) =>
    be.rnnStepBackward(B, H, kind, s.pre, s.out[0], g, dXp, w.packedT, dh, w.scratch, w.rowB),
});

/** GRU (gates r|z|n, cells/gru.ts): pre = gh = h·W_hhᵀ + b_hh, the kernel adds gi = xp_t; saves act = (r, z, n). */
export const gruStep: StepKernel = {
  op: 'gruSequence',
  gates: 3,
  states: 1,
  addsInput: false,
  keepsPre: true,
  keepsOutput: false,
  saved: [3],
  accumulates: false,
  forward: (be, B, H, s, w) =>
    be.gruStep(B, H, s.xp, w.packed, w.bias, s.prev[0], s.pre, s.saved[0], s.out[0], w.scratch, w.rowF),
  backward: (be, B, H, s, [g], dXp, dPre, [dh], w) =>
    be.gruStepBackward(B, H, s.pre, s.saved[0], s.prev[0], g, dXp, dPre, w.packedT, dh, w.scratch, w.rowB),
};

/** LSTM (gates i|f|g|o, cells/lstm.ts): state (h, c); saves act = (σ(i), σ(f), tanh(g), σ(o)) and tanh(c). */
export const lstmStep: StepKernel = {
  op: 'lstmSequence',
  gates: 4,
  states: 2,
  addsInput: true,
  keepsPre: false,
  keepsOutput: false,
  saved: [4, 1],
  accumulates: false,
  forward: (be, B, H, s, w) =>
    be.lstmStep(
      B,
      H,
      s.xp,
      w.packed,
      w.bias,
      s.prev[0],
      s.prev[1],
      s.pre,
      s.saved[0],
      s.out[1],
      s.saved[1],
      s.out[0],
      w.scratch,
      w.rowF,
    ),
  backward: (be, B, H, s, [gh, gc], dXp, _dPre, [dh, dc], w) =>
    be.lstmStepBackward(B, H, s.saved[0], s.prev[1], s.saved[1], gh, gc, dXp, dc, w.packedT, dh, w.scratch, w.rowB),
};

/** Vanilla RNN layer: h_t = σ(xp_t + h_{t−1}·W_hhᵀ + b_hh). xp [T, B, H], W_hh [H, H], b_hh [H], h0 [B, H]. */
export const rnnSequence = (
  tape: Tape,
  kind: Activation,
  xp: Tensor,
  wHh: Tensor,
  bHh: Tensor,
  h0: Tensor,
  opts: SequenceOptions = {},
): SequenceOutput => fusedScan(tape, rnnStep(kind), xp, wHh, bHh, [h0], opts);

/** GRU layer: gi = xp [T, B, 3H], W_hh [3H, H], b_hh [3H], h0 [B, H]. */
export const gruSequence = (
  tape: Tape,
  xp: Tensor,
  wHh: Tensor,
  bHh: Tensor,
  h0: Tensor,
  opts: SequenceOptions = {},
): SequenceOutput => fusedScan(tape, gruStep, xp, wHh, bHh, [h0], opts);

/** LSTM layer: xp [T, B, 4H], W_hh [4H, H], b_hh [4H], h0, c0 [B, H]. */
export const lstmSequence = (
  tape: Tape,
  xp: Tensor,
  wHh: Tensor,
  bHh: Tensor,
  h0: Tensor,
  c0: Tensor,
  opts: SequenceOptions = {},
): SequenceOutput => fusedScan(tape, lstmStep, xp, wHh, bHh, [h0, c0], opts);
