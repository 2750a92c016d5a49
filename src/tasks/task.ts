/**
 * The task interface: a seeded generator (or loader) of batches with a documented definition, a baseline
 * score and a "solved" criterion. Batches are plain float64 arrays, time-major; the trainer copies them
 * into tensors on its backend.
 */
import type { Rng } from '../tensor/rng.js';

/** One batch of B sequences of length T. */
export interface Batch {
  /** Sequence length. */
  T: number;
  /** Batch size. */
  B: number;
  /** Inputs, time-major [T, B, inputSize]. */
  x: Float64Array;
  /**
   * Targets. mse + 'last': [B, outputSize]; mse + 'all': [T, B, outputSize];
   * xent + 'last': [B] class indices; xent + 'all': [T, B] class indices.
   */
  y: Float64Array;
  /** Optional validity of each step, [T, B] of 0/1 (variable-length sequences, right-padded). */
  mask?: Float64Array;
  /** Optional: which steps count in an 'all'-mode loss, [T, B] of 0/1 (default: every valid step). */
  lossMask?: Float64Array;
}

/** How a task is scored, what a trivial predictor gets, and when it counts as solved. */
export interface TaskScore {
  /** The loss the model is trained on. */
  loss: 'mse' | 'xent';
  /** 'last': one target per sequence, y = g(h_T); 'all': a target at every step, y_t = g(h_t). */
  target: 'last' | 'all';
  /** The metric reported and compared with `solvedBelow`/`solvedAbove`. */
  metric: 'mse' | 'xent' | 'accuracy' | 'bpc';
  /** The metric of the documented trivial predictor (e.g. MSE 1/6 for always answering 1 on adding). */
  baseline: number;
  /** What the baseline predictor is. */
  baselineDescription: string;
  /** Solved when metric < solvedBelow (losses) … */
  solvedBelow?: number;
  /** … or metric > solvedAbove (accuracy). */
  solvedAbove?: number;
}

export interface Task extends TaskScore {
  /** Registry name, e.g. 'adding'. */
  readonly name: string;
  /** One-paragraph definition (shown by `recur tasks`). */
  readonly definition: string;
  readonly inputSize: number;
  /** Regression outputs, or number of classes for xent. */
  readonly outputSize: number;
  /** Sequence length (the longest, for variable-length tasks). */
  readonly T: number;
  /**
   * A fresh batch of B sequences drawn with `rng`. When `out` is given and has the right sizes, its arrays
   * are reused (no allocation).
   */
  sample(rng: Rng, B: number, out?: Batch): Batch;
  /** For fixed datasets (MNIST, text): a held-out split to evaluate on; generators return null. */
  evaluationSet?(maxExamples?: number): Batch | null;
}
