/**
 * Inference: run a model on a batch of sequences without recording gradients and return plain arrays.
 */
import { Tape } from '../autodiff/tape.js';
import type { Model } from './model.js';
import type { Tensor } from '../tensor/tensor.js';

export interface PredictInput {
  /** Inputs, time-major [T, B, inputSize], flattened. */
  x: ArrayLike<number>;
  T: number;
  B: number;
  /** Optional validity mask [T, B] (right padding). */
  mask?: ArrayLike<number>;
  /** Optional initial states per (layer, direction) and component, each [B, size] flattened. */
  initial?: ArrayLike<number>[][];
}

export interface Prediction {
  /** Readout output: [B, O] ('last') or [T, B, O] ('all'), flattened, with its shape. */
  y: Float64Array;
  shape: number[];
  /** Top-layer per-step outputs [T, B, directions·H]. */
  sequence: Float64Array;
  /** Final states per (layer, direction) and component, each [B, size]. */
  final: Float64Array[][];
}

/** Run `model` forward on one batch (no gradients). */
export function predict(model: Model, input: PredictInput): Prediction {
  const tape = new Tape(model.backend, { grad: false });
  try {
    const x = tape.input([input.T, input.B, model.config.inputSize], 'x').set(input.x);
    const mask = input.mask ? tape.input([input.T, input.B], 'mask').set(input.mask) : null;
    let initial: Tensor[][] | undefined;
    if (input.initial) {
      initial = model.layers.flatMap((layer, k) => layer.cells.map((cell, d) => cell.stateSizes.map((s, i) => {
        const values = input.initial?.[k * model.directions + d]?.[i];
        if (!values) throw new Error(`predict: missing initial state for layer ${k}, direction ${d}, component ${i}`);
        return tape.input([input.B, s], `h0[${k}][${d}][${i}]`).set(values);
      })));
    }
    const out = model.forward(tape, x, { mask, initial });
    return { y: out.y.toArray(), shape: [...out.y.shape], sequence: out.sequence.toArray(), final: out.final.map((s) => s.map((t) => t.toArray())) };
  } finally {
    tape.dispose();
  }
}
