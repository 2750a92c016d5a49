/**
 * Inference: run a model on a batch of sequences without recording gradients and return plain arrays.
 */
import { Tape } from '../autodiff/tape.js';
import type { Model } from './model.js';
import type { Tensor } from '../tensor/tensor.js';

export interface PredictInput {
  /** Inputs, time-major [T, B, inputSize] flattened (or [B, T, inputSize] with `batchFirst`). */
  x: ArrayLike<number>;
  /** Sequence length. */
  T: number;
  /** Number of sequences. */
  B: number;
  /** `x` and `mask` are batch-first ([B, T, ·]); `y` and `sequence` are then returned batch-first too. */
  batchFirst?: boolean;
  /** Optional validity mask [T, B] (or [B, T] with `batchFirst`), 0/1, right padding. */
  mask?: ArrayLike<number>;
  /** Optional initial states per (layer, direction) and component, each [B, size] flattened. */
  initial?: ArrayLike<number>[][];
}

export interface Prediction {
  /** Readout output: [B, O] ('last') or [T, B, O] ('all'; [B, T, O] with batchFirst), flattened, with its shape. */
  y: Float64Array;
  shape: number[];
  /** Top-layer per-step outputs [T, B, directions·H] ([B, T, ·] with batchFirst). */
  sequence: Float64Array;
  /** Final states per (layer, direction) and component, each [B, size]. */
  final: Float64Array[][];
}

/** [A, B, C] ↔ [B, A, C] (flattened): swaps the two leading axes. */
function swapLeading(v: ArrayLike<number>, A: number, B: number, C: number): Float64Array {
  const out = new Float64Array(A * B * C);
  for (let a = 0; a < A; a++)
    for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) out[(b * A + a) * C + c] = v[(a * B + b) * C + c];
  return out;
}

/** Check the input's sizes and values; the errors name the field and what it should be. */
function checkInput(model: Model, input: PredictInput): void {
  if (input === null || typeof input !== 'object') throw new Error('predict: expected an input object { x, T, B }');
  for (const k of ['T', 'B'] as const) {
    const v = input[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new Error(
        `predict: input.${k} (${k === 'T' ? 'the sequence length' : 'the number of sequences'}) must be a positive integer, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`,
      );
    }
  }
  const { T, B } = input,
    I = model.config.inputSize,
    order = input.batchFirst ? 'B·T' : 'T·B';
  if (!input.x || typeof input.x.length !== 'number') throw new Error('predict: input.x must be an array of numbers');
  if (input.x.length !== T * B * I) {
    throw new Error(
      `predict: input.x has ${input.x.length} values, expected ${order}·inputSize = ${input.batchFirst ? `${B}·${T}` : `${T}·${B}`}·${I} = ${T * B * I}`,
    );
  }
  for (let i = 0; i < input.x.length; i++)
    if (!Number.isFinite(input.x[i]))
      throw new Error(`predict: input.x[${i}] is ${input.x[i]} (values must be finite)`);
  if (input.mask && input.mask.length !== T * B)
    throw new Error(`predict: input.mask has ${input.mask.length} values, expected ${order} = ${T * B}`);
}

/** Run `model` forward on one batch (no gradients). */
export function predict(model: Model, input: PredictInput): Prediction {
  model.assertLive('predict');
  checkInput(model, input);
  const bf = input.batchFirst === true,
    T = input.T,
    B = input.B,
    I = model.config.inputSize;
  const tape = new Tape(model.backend, { grad: false });
  try {
    const x = tape.input([T, B, I], 'x').set(bf ? swapLeading(input.x, B, T, I) : input.x);
    const mask = input.mask
      ? tape.input([T, B], 'mask').setMask(bf ? swapLeading(input.mask, B, T, 1) : input.mask)
      : null;
    let initial: Tensor[][] | undefined;
    if (input.initial) {
      initial = model.layers.flatMap((layer, k) =>
        layer.cells.map((cell, d) =>
          cell.stateSizes.map((s, i) => {
            const values = input.initial?.[k * model.directions + d]?.[i];
            if (!values)
              throw new Error(`predict: missing initial state for layer ${k}, direction ${d}, component ${i}`);
            return tape.input([input.B, s], `h0[${k}][${d}][${i}]`).set(values);
          }),
        ),
      );
    }
    const out = model.forward(tape, x, { mask, initial });
    const y = out.y.toArray(),
      seq = out.sequence.toArray(),
      S = out.sequence.shape[2],
      O = model.config.outputSize;
    const final = out.final.map((s) => s.map((t) => t.toArray()));
    if (!bf) return { y, shape: [...out.y.shape], sequence: seq, final };
    const all = model.config.target === 'all';
    return {
      y: all ? swapLeading(y, T, B, O) : y,
      shape: all ? [B, T, O] : [...out.y.shape],
      sequence: swapLeading(seq, T, B, S),
      final,
    };
  } finally {
    tape.dispose();
  }
}
