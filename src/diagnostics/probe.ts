/**
 * The step probe: one time step of one recurrent layer recorded on its own small tape, replayed along the
 * trajectory a batch drives, so that the instruments can apply the step Jacobian and its transpose.
 *
 *   S_k ∈ ℝ^{B×D}   the carried state before processing step k (k = 0..T), D = Σ stateSizes: all state
 *                   components side by side, [h] for most cells, [h | c] for the LSTM, [Re h | Im h] for the LRU
 *   S_{k+1} = F(S_k, xp_k)        (xp_k: the layer's projected input of step k; F = cell.step, the step the
 *                                  model trains with — for vanilla, GRU and LSTM the same GEMM and pointwise
 *                                  kernel as the fused scan, whose kernels have forward mode too (fused.ts);
 *                                  the deep cell's forwardModeStep, the same numbers from composed ops;
 *                                  with a batch mask, finished rows keep their state)
 *   J_k = ∂S_{k+1}/∂S_k           the step Jacobian, per sample b a D×D matrix (rows never mix: B samples
 *                                  are B independent Jacobians applied at once)
 *
 * `at(k)` loads S_k and xp_k and replays the step; then `jvp(v)` = J_k·v and `vjp(u)` = J_kᵀ·u for all B rows.
 * Steps are counted in processing order: for the reverse direction of a bidirectional layer, step k reads
 * time index T−1−k. The trajectory is computed once, from the layer's inputs (the model's lower layers run
 * without dropout) and its initial state (zeros or the learned h0).
 *
 * Parameters are frozen while the step is recorded (their requiresGrad is switched off), so the probe's
 * backward passes never touch the model's parameter gradients.
 */
import { Tape } from '../autodiff/tape.js';
import type { Cell } from '../cells/cell.js';
import { initialState, type Model } from '../models/model.js';
import { scan } from '../models/scan.js';
import { blend, concat, slice } from '../ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import type { Batch } from '../tasks/task.js';

/** Which recurrent cell of a model: layer index and direction (default layer 0, forward). */
export interface CellSelector {
  layer?: number;
  direction?: 'fwd' | 'bwd';
}

export interface StepProbe {
  readonly cell: Cell;
  readonly layer: number;
  readonly direction: 'fwd' | 'bwd';
  /** Number of steps T (J_0 … J_{T−1}) and samples B. */
  readonly T: number;
  readonly B: number;
  /** Dimension D of the carried state (Σ of the cell's state sizes). */
  readonly D: number;
  /** The backend's precision (tolerances of the instruments depend on it). */
  readonly dtype: 'float32' | 'float64';
  /** S_k for k = 0..T as a host copy [B·D] (row-major, one row per sample). */
  state(k: number): Float64Array;
  /** Linearise at step k ∈ [0, T): load S_k and xp_k and replay the step. */
  at(k: number): void;
  /** out = J_k·v per row (v, out [B·D]; host float64, rounded to the backend's precision on the way in). */
  jvp(v: Float64Array, out: Float64Array): void;
  /** out = J_kᵀ·u per row. */
  vjp(u: Float64Array, out: Float64Array): void;
  /** Free the probe's tapes. */
  dispose(): void;
}

/** Build the step probe of one cell of `model` along the trajectory that `batch` drives. */
export function createStepProbe(model: Model, batch: Batch, select: CellSelector = {}): StepProbe {
  const layer = select.layer ?? 0,
    direction = select.direction ?? 'fwd',
    d = direction === 'fwd' ? 0 : 1;
  if (!Number.isInteger(layer) || layer < 0 || layer >= model.layers.length) {
    throw new Error(`step probe: layer ${layer} out of range (the model has ${model.layers.length})`);
  }
  if (d >= model.directions)
    throw new Error(`step probe: layer ${layer} has no '${direction}' direction (not bidirectional)`);
  const cell = model.layers[layer].cells[d];
  const be = model.backend,
    { T, B } = batch;
  const sizes = cell.stateSizes,
    D = sizes.reduce((s, n) => s + n, 0);

  // 1. The layer's input sequence, its projection and initial state, on a forward-only tape.
  const base = new Tape(be, { grad: false });
  const x = base.input([T, B, model.config.inputSize], 'x');
  x.set(batch.x);
  const mask = batch.mask ? base.input([T, B], 'mask').setMask(batch.mask) : null;
  let input = x;
  for (let k = 0; k < layer; k++) {
    const outs = model.layers[k].cells.map(
      (c, dd) =>
        scan(base, c, input, initialState(base, c, model.layers[k].h0[dd], B), { mask, reverse: dd === 1 }).outputs,
    );
    input = outs.length === 1 ? outs[0] : concat(base, outs);
  }
  const initial = initialState(base, cell, model.layers[layer].h0[d], B);
  const xp = cell.project(base, input); // [T, ...]
  const states = base.tensor([T + 1, B, D]);
  const s0 = new Float64Array(B * D);
  let col = 0;
  initial.forEach((s, i) => {
    const a = s.toArray();
    for (let b = 0; b < B; b++) for (let j = 0; j < sizes[i]; j++) s0[b * D + col + j] = a[b * sizes[i] + j];
    col += sizes[i];
  });
  states.at(0).set(s0);

  // 2. One step on its own tape: S [B, D] → S' [B, D], parameters frozen while recording.
  const tape = new Tape(be);
  const xpt = tape.input(xp.shape.slice(1), 'xp_t');
  const mt = mask ? tape.input([B], 'mask_t') : null;
  const S = tape.tensor([B, D], true);
  S.name = 'state';
  const params = Object.values(cell.params);
  const saved = params.map((p) => p.requiresGrad);
  let out: Tensor;
  try {
    for (const p of params) p.requiresGrad = false;
    let off = 0;
    const parts =
      sizes.length === 1
        ? [S]
        : sizes.map((n) => {
            const p = slice(tape, S, off, n);
            off += n;
            return p;
          });
    let next = (cell.forwardModeStep ?? cell.step)(tape, xpt, parts);
    if (mt) next = next.map((s, i) => blend(tape, mt, s, parts[i]));
    out = next.length === 1 ? next[0] : concat(tape, next);
  } finally {
    params.forEach((p, i) => {
      p.requiresGrad = saved[i];
    });
  }
  const vIn = Tensor.zeros(be, [B, D]),
    uIn = Tensor.zeros(be, [B, D]);
  const timeOf = (k: number): number => (d === 0 ? k : T - 1 - k);
  const load = (k: number): void => {
    xpt.copyFrom(xp.at(timeOf(k)));
    if (mt && mask) mt.copyFrom(mask.at(timeOf(k)));
    S.copyFrom(states.at(k));
    tape.forward();
  };
  for (let k = 0; k < T; k++) {
    load(k);
    states.at(k + 1).copyFrom(out);
  }
  const checkIndex = (k: number, hi: number): void => {
    if (!Number.isInteger(k) || k < 0 || k > hi) throw new Error(`step probe: step ${k} out of range [0, ${hi}]`);
  };
  return {
    cell,
    layer,
    direction,
    T,
    B,
    D,
    dtype: be.dtype,
    state(k) {
      checkIndex(k, T);
      return states.at(k).toArray();
    },
    at(k) {
      checkIndex(k, T - 1);
      load(k);
    },
    jvp(v, res) {
      vIn.set(v);
      tape.jvp([S], [vIn]);
      readInto(out.tangent ?? vIn.fill(0), res);
    },
    vjp(u, res) {
      uIn.set(u);
      tape.backward(out, { seed: uIn, accumulate: true }); // accumulate: leave leaf (parameter) gradients alone
      readInto(S.grad as Tensor, res);
    },
    dispose() {
      tape.dispose();
      base.dispose();
      vIn.dispose();
      uIn.dispose();
    },
  };
}

/** Copy a tensor's values into a float64 host array. */
export function readInto(t: Tensor, out: Float64Array): void {
  const a = t.storage.array,
    o = t.storage.base + t.offset;
  for (let i = 0; i < t.size; i++) out[i] = a[o + i];
}
