/** The options, events and result of `fit` (the loop itself is in trainer.ts; fit.ts drives it). */
import type { Tape } from '../autodiff/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Task } from '../tasks/task.js';
import type { OptimizerConfig, ScheduleConfig } from '../optim/index.js';
import type { Metrics } from './metrics.js';
import type { TrainingCheckpoint } from './checkpoint.js';

/**
 * A loss of your own, recorded on the tape so BPTT differentiates it: it receives the model's output rows
 * `y` ([B, O] for target 'last', [T·B, O] for 'all'), the target rows (regression values [rows, O], or class
 * indices [rows] for 'xent' data) and, for 'all' with padding, a 0/1 row mask [rows] (null otherwise), and
 * returns a scalar tensor. Build it from `ops` (e.g. `ops.mean(tape, ops.square(tape, ops.sub(tape, y, target)))`).
 */
export type LossFunction = (tape: Tape, y: Tensor, target: Tensor, mask: Tensor | null) => Tensor;

export interface FitOptions {
  /** Number of optimisation steps (the budget). */
  steps: number;
  batchSize: number;
  optimizer: OptimizerConfig;
  /** Learning-rate schedule (default: the optimizer's constant lr). */
  schedule?: ScheduleConfig;
  /** Clip the global gradient norm to this value (the pre-clip norm is still reported). */
  clipNorm?: number;
  /** Clip each gradient entry to [−clipValue, clipValue]. */
  clipValue?: number;
  /** Seed of the data stream (batches, epoch shuffles) and dropout (the model's own seed is its initialisation). */
  seed?: number;
  /** Evaluate every this many steps (default: steps/10, and always at the end). */
  evalEvery?: number;
  /**
   * What evaluations measure. Default: for a generator task, `evalBatches` fixed batches from a separate
   * seed (or the task's own held-out split); for a Dataset, the whole training set. A Dataset (or Task)
   * here is evaluated instead; a fraction in (0, 1) splits that share off a Dataset first (seeded by `seed`).
   */
  validation?: Task | number;
  /** Evaluation batches (generator tasks). */
  evalBatches?: number;
  evalBatchSize?: number;
  /** Stop once the evaluation metric meets the task's solved criterion. */
  stopWhenSolved?: boolean;
  /** Stop when the evaluation metric has not improved by minDelta for `patience` evaluations. */
  earlyStopping?: { patience: number; minDelta?: number };
  /** Train on this loss instead of the task's MSE or cross-entropy (evaluations report it as `loss`). */
  loss?: LossFunction;
  /**
   * Write a checkpoint to `path` every `every` steps (if given), when the run ends (unless `atEnd` is false)
   * and always when it is interrupted.
   */
  checkpoint?: { path: string; every?: number; atEnd?: boolean };
  /** Continue a run from a checkpoint (a file path or `loadCheckpoint`'s result): bit-identical to not stopping. */
  resume?: string | TrainingCheckpoint;
  /** Stop before the next step once aborted (status 'interrupted'; a checkpoint is written if configured). */
  signal?: AbortSignal;
  /** Debug: run the model's code on every step instead of replaying its recorded tape (same numbers; see train/graph.ts). */
  eager?: boolean;
  /**
   * Debug: anomaly mode. Every op's outputs (forward) and gradients (backward) are checked finite, and the
   * first non-finite value stops the run as diverged, the reason naming the op and the pass (AnomalyError's
   * message). Slower: each check reads every value. Without it a non-finite loss or gradient norm still
   * stops the run, naming only the loss or the norm.
   */
  detectAnomaly?: boolean;
  /** Called for every step and evaluation (progress bars, logging, instruments). */
  onEvent?: (event: TrainEvent) => void;
}

export type TrainEvent =
  | { type: 'step'; step: number; loss: number; gradNorm: number; lr: number }
  | { type: 'eval'; step: number; metrics: Metrics; solved: boolean }
  | { type: 'diverged'; step: number; reason: string }
  | { type: 'checkpoint'; step: number; path: string };

export interface FitResult {
  status: 'completed' | 'solved' | 'early-stopped' | 'diverged' | 'interrupted';
  /** Steps taken (updates applied), including those before a resumed checkpoint. */
  steps: number;
  /** The step at which the loss or gradient became non-finite. */
  divergedAt?: number;
  divergedReason?: string;
  /**
   * After divergence: the model holds the parameters step `parametersOf` started from — the last step whose
   * loss and gradient were finite — and that step's update is undone. Absent when the run diverged at its
   * first step (the model keeps the parameters it started with).
   */
  parametersOf?: number;
  /** Last evaluation. */
  final: Metrics | null;
  /** First step at which the evaluation met the solved criterion. */
  solvedAt: number | null;
  /** Training loss and pre-clip gradient norm at every step. */
  history: { loss: Float64Array; gradNorm: Float64Array };
  evals: { step: number; metrics: Metrics }[];
  /** Wall time of this call (not of earlier runs a checkpoint continues). */
  seconds: number;
  /** The step this call resumed from (0 for a fresh run). */
  resumedFrom: number;
}
