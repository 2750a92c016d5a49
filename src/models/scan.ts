/**
 * The one time loop. Contract (time-major inside recur: x [T, B, I]):
 *
 *   xp = cell.project(x)                               // all input projections at once
 *   state = initial
 *   for t in (reverse ? T−1..0 : 0..T−1):
 *     next = cell.step(xp[t], state)
 *     state = mask ? mask[t]·next + (1 − mask[t])·state : next   // finished sequences keep their state
 *     h[t] = state[0]
 *   outputs = cell.emit?(stack(states), x) ?? stack(h)          // [T, B, O]
 *
 * Every h[t] is a tensor on the tape, so after backward its gradient ∂L/∂h_t is readable.
 * Cells with a fused `sequence` (vanilla, GRU, LSTM) run the same loop as one tape node instead (one GEMM
 * and one pointwise kernel per step, the weight gradients as one GEMM over all steps); `perStep: true`
 * forces the loop above (e.g. to compare the two, or for forward mode through a whole layer).
 */
import type { Tape } from '../autodiff/tape.js';
import type { Cell } from '../cells/cell.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { blend, stack } from '../ops/index.js';

export interface ScanOptions {
  /** Validity of each step, [T, B] of 0/1 (right-padded variable-length sequences). */
  mask?: Tensor | null;
  /** Run from t = T−1 down to 0 (the backward half of a bidirectional layer). */
  reverse?: boolean;
  /** Record one cell.step per time step even when the cell has a fused `sequence` (default false). */
  perStep?: boolean;
}

export interface ScanResult {
  /** Per-step outputs in time order, [T, B, O]. */
  outputs: Tensor;
  /** The state after the last processed step (for a reverse scan: after t = 0). */
  final: Tensor[];
  /** h_t for t = 0..T−1 in time order (the tensors whose gradients are ∂L/∂h_t). */
  hs: Tensor[];
}

/** Run `cell` over the sequence x [T, B, I] from `initial` (one [B, size] tensor per state component). */
export function scan(
  tape: Tape,
  cell: Cell,
  x: Tensor,
  initial: readonly Tensor[],
  options: ScanOptions = {},
): ScanResult {
  if (x.rank !== 3) throw new Error(`${cell.kind} layer: input must be [T, B, I], got ${formatShape(x.shape)}`);
  const [T, B, I] = x.shape; // x: (T, B, I)
  if (I !== cell.inputSize) throw new Error(`${cell.kind} layer: expected input size ${cell.inputSize}, got ${I}`);
  if (T < 1) throw new Error(`${cell.kind} layer: empty sequence (T = 0)`);
  if (initial.length !== cell.stateSizes.length) {
    throw new Error(
      `${cell.kind} layer: expected ${cell.stateSizes.length} initial state tensors, got ${initial.length}`,
    );
  }
  initial.forEach((s, i) => {
    if (s.rank !== 2 || s.shape[0] !== B || s.shape[1] !== cell.stateSizes[i]) {
      throw new Error(
        `${cell.kind} layer: initial state ${i} must be [${B},${cell.stateSizes[i]}], got ${formatShape(s.shape)}`,
      );
    }
  });
  const mask = options.mask ?? null;
  if (mask && (mask.rank !== 2 || mask.shape[0] !== T || mask.shape[1] !== B)) {
    throw new Error(`${cell.kind} layer: mask must be [T, B] = [${T},${B}], got ${formatShape(mask.shape)}`);
  }
  const xp = cell.project(tape, x); // [T, B, G·H] (LRU: [T, 2, B, N])
  if (cell.sequence && !cell.emit && !options.perStep) {
    return cell.sequence(tape, xp, initial, { mask, reverse: options.reverse ?? false });
  }
  const emitComponents = cell.emit ? (cell.emitComponents ?? [0]) : [0];
  const history: Tensor[][] = emitComponents.map(() => new Array<Tensor>(T));
  let state: Tensor[] = [...initial]; // each (B, size_i)
  for (let k = 0; k < T; k++) {
    const t = options.reverse ? T - 1 - k : k;
    const next = cell.step(tape, xp.at(t), state); // each [B, size_i]
    const m = mask?.at(t); // (B)
    state = m ? next.map((s, i) => blend(tape, m, s, state[i])) : next; // each (B, size_i)
    emitComponents.forEach((c, j) => {
      history[j][t] = state[c];
    });
  }
  const stacked = history.map((hs) => stack(tape, hs)); // each [T, B, size_c]
  const outputs = cell.emit ? cell.emit(tape, stacked, x) : stacked[0]; // [T, B, O]
  const hs = cell.emit && emitComponents[0] !== 0 ? [] : history[0];
  return { outputs, final: state, hs };
}
