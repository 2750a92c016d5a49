/**
 * The cell contract: one time step of a recurrent layer, h_t = f_θ(h_{t−1}, x_t), as a pure function of
 * (parameters, carried state, input). Cells hold parameters and nothing else; the one time loop lives in
 * `models/scan.ts`:
 *
 *   xp = cell.project(x)                    // [T, B, ·]  input projections for all steps: one GEMM
 *   state = initial                         // e.g. [h] or [h, c], each [B, ·]
 *   for t in 0..T−1: state = cell.step(xp[t], state)
 *   outputs = cell.emit?.(stacked states, x) ?? stack(h_t)
 *
 * A cell may also offer `sequence`, the same loop fused into one tape node (src/ops/sequence.ts), which scan
 * uses unless asked for the per-step path; both compute the same values and gradients (tested).
 */
import type { Tape } from '../autodiff/tape.js';
import type { SequenceOutput } from '../ops/sequence.js';
import type { Tensor } from '../tensor/tensor.js';

/** Options of a whole-sequence pass (see Cell.sequence). */
export interface CellSequenceOptions {
  /** Validity of each step, [T, B] of 0/1: finished sequences keep their state. */
  mask: Tensor | null;
  /** Process t = T−1 down to 0. */
  reverse: boolean;
}

export interface Cell {
  /** Which transition this is ('vanilla', 'gru', 'lstm', 'deep', 'lru'). */
  readonly kind: string;
  readonly inputSize: number;
  /** Size of the per-step output h_t (what the next layer or the readout sees). */
  readonly outputSize: number;
  /** Sizes of the carried state components: [H] (h) for most cells, [H, H] (h, c) for the LSTM. */
  readonly stateSizes: readonly number[];
  /** Named parameters, in a fixed order (PyTorch's names where PyTorch has the cell). */
  readonly params: Readonly<Record<string, Tensor>>;
  /** Input projection of the whole sequence: x [T, B, I] → [T, ...] whose slice t feeds `step`. */
  project(tape: Tape, x: Tensor): Tensor;
  /** One step: the projected input of step t and the previous state → the new state. */
  step(tape: Tape, xpt: Tensor, state: readonly Tensor[]): Tensor[];
  /**
   * Optional: the same step (same numbers) from ops that all have forward-mode rules, for a cell whose `step`
   * records a node without one (the deep cell's fused node). The diagnostics probe records it when present.
   */
  forwardModeStep?(tape: Tape, xpt: Tensor, state: readonly Tensor[]): Tensor[];
  /**
   * Optional per-step output from the stacked states (one [T, B, ·] tensor per component listed in
   * `emitComponents`) and the layer input x [T, B, I]. Without it, the output is the stacked first
   * component h_t.
   */
  emit?(tape: Tape, states: readonly Tensor[], x: Tensor): Tensor;
  /**
   * Optional fused whole sequence: the projected input xp [T, ...] (from `project`, read by this call alone)
   * and the initial state → per-step outputs h_t [T, B, H] (= the stacked first state component), each h_t
   * as a tensor whose gradient is ∂L/∂h_t after backward, and the final state. Exactly what the per-step
   * loop of scan computes with `step` and the mask blend, as one tape node (cells without `emit` only).
   */
  sequence?(tape: Tape, xp: Tensor, initial: readonly Tensor[], options: CellSequenceOptions): SequenceOutput;
  /** Which state components `emit` reads (default [0]). */
  readonly emitComponents?: readonly number[];
  /** The activation's bound γ = max|σ′| and the recurrent matrices, for the theory bounds (vanilla/deep). */
  readonly theory?: CellTheory;
}

/** What the gradient-flow bounds need to know about a cell (vanilla and deep transitions). */
export interface CellTheory {
  /** γ = sup |σ′|: 1 for tanh, identity and ReLU, 1/4 for sigmoid. */
  gamma: number;
  /** Matrices whose product bounds the step Jacobian: one per layer of the transition (shortcuts listed separately). */
  recurrentMatrices: readonly Tensor[];
  /** Matrices of a direct path from h_{t−1} to h_t (DT(S) shortcut S; residual: the identity). */
  shortcut: 'none' | 'matrix' | 'identity' | 'gated';
}
