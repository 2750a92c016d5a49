/**
 * The training loop: sample a batch, replay the graph forward, backpropagate through time, clip, step,
 * and every `evalEvery` steps evaluate on fixed held-out batches. A non-finite loss or gradient stops the
 * run before the update is applied, so the model keeps its last finite parameters.
 */
import type { Model } from '../models/model.js';
import { Rng } from '../tensor/rng.js';
import type { Batch, Task } from '../tasks/task.js';
import { clipGradNorm, clipGradValue, createOptimizer, gradNorm, scheduleFromConfig } from '../optim/index.js';
import type { OptimizerConfig, ScheduleConfig } from '../optim/index.js';
import { GraphCache } from './graph.js';
import { isSolved, MetricAccumulator, type Metrics } from './metrics.js';

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
  /** Seed of the data stream and dropout (the model's own seed is its initialisation). */
  seed?: number;
  /** Evaluate every this many steps (default: steps/10, and always at the end). */
  evalEvery?: number;
  /** Evaluation batches (generators: fixed batches from a separate seed; datasets: the evaluation split). */
  evalBatches?: number;
  evalBatchSize?: number;
  /** Stop once the evaluation metric meets the task's solved criterion. */
  stopWhenSolved?: boolean;
  /** Stop when the evaluation metric has not improved by minDelta for `patience` evaluations. */
  earlyStopping?: { patience: number; minDelta?: number };
  /** Called for every step and evaluation (progress bars, logging, instruments). */
  onEvent?: (event: TrainEvent) => void;
}

export type TrainEvent =
  | { type: 'step'; step: number; loss: number; gradNorm: number; lr: number }
  | { type: 'eval'; step: number; metrics: Metrics; solved: boolean }
  | { type: 'diverged'; step: number; reason: string };

export interface FitResult {
  status: 'completed' | 'solved' | 'early-stopped' | 'diverged';
  /** Steps taken (updates applied). */
  steps: number;
  /** The step at which the loss or gradient became non-finite. */
  divergedAt?: number;
  divergedReason?: string;
  /** Last evaluation. */
  final: Metrics | null;
  /** First step at which the evaluation met the solved criterion. */
  solvedAt: number | null;
  /** Training loss and pre-clip gradient norm at every step. */
  history: { loss: Float64Array; gradNorm: Float64Array };
  evals: { step: number; metrics: Metrics }[];
  seconds: number;
}

/** Train `model` on `task`. Deterministic given the model's initialisation and `options.seed`. */
export function fit(model: Model, task: Task, options: FitOptions): FitResult {
  const t0 = performance.now();
  const rng = new Rng(options.seed ?? 0);
  const dataRng = rng.fork(), dropoutRng = rng.fork();
  const params = model.parameters();
  const optimizer = createOptimizer(options.optimizer, params);
  const baseLr = optimizer.config.lr;
  const schedule = options.schedule ? scheduleFromConfig(options.schedule) : () => baseLr;
  const train = new GraphCache(model, task, { grad: true, training: true, rng: dropoutRng });
  const evalSet = evaluationBatches(task, options, (options.seed ?? 0) + 0x5eed);
  const evalGraphs = new GraphCache(model, task, { grad: false });
  const evalEvery = options.evalEvery ?? Math.max(1, Math.floor(options.steps / 10));
  const history = { loss: new Float64Array(options.steps), gradNorm: new Float64Array(options.steps) };
  const result: FitResult = { status: 'completed', steps: 0, final: null, solvedAt: null, history, evals: [], seconds: 0 };
  let best = Infinity, sinceBest = 0;
  let batch: Batch | undefined;
  const evaluate = (step: number): boolean => {
    const acc = new MetricAccumulator(task);
    for (const b of evalSet) acc.add(evalGraphs.run(b));
    const metrics = acc.result();
    const solved = isSolved(task, metrics.metric);
    result.final = metrics;
    result.evals.push({ step, metrics });
    if (solved && result.solvedAt === null) result.solvedAt = step;
    options.onEvent?.({ type: 'eval', step, metrics, solved });
    if (options.stopWhenSolved && solved) { result.status = 'solved'; return true; }
    if (options.earlyStopping) {
      const better = task.solvedAbove !== undefined ? -metrics.metric : metrics.metric;
      if (better < best - (options.earlyStopping.minDelta ?? 0)) { best = better; sinceBest = 0; }
      else if (++sinceBest >= options.earlyStopping.patience) { result.status = 'early-stopped'; return true; }
    }
    return false;
  };
  try {
    for (let step = 0; step < options.steps; step++) {
      batch = task.sample(dataRng, options.batchSize, batch);
      const g = train.run(batch);
      const loss = g.loss.item();
      if (!Number.isFinite(loss)) { diverge(result, step, `loss is ${loss}`, options); break; }
      g.tape.backward(g.loss);
      const norm = options.clipNorm !== undefined ? clipGradNorm(params, options.clipNorm) : gradNorm(params);
      if (!Number.isFinite(norm)) { diverge(result, step, `gradient norm is ${norm}`, options); break; }
      if (options.clipValue !== undefined) clipGradValue(params, options.clipValue);
      const lr = schedule(step);
      optimizer.step(lr);
      history.loss[step] = loss;
      history.gradNorm[step] = norm;
      result.steps = step + 1;
      options.onEvent?.({ type: 'step', step, loss, gradNorm: norm, lr });
      if ((step + 1) % evalEvery === 0 || step + 1 === options.steps) {
        if (evaluate(step + 1)) break;
      }
    }
  } finally {
    train.dispose();
    evalGraphs.dispose();
  }
  result.history = { loss: history.loss.subarray(0, result.steps), gradNorm: history.gradNorm.subarray(0, result.steps) };
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}

function diverge(result: FitResult, step: number, reason: string, options: FitOptions): void {
  result.status = 'diverged';
  result.divergedAt = step;
  result.divergedReason = reason;
  options.onEvent?.({ type: 'diverged', step, reason });
}

/** Fixed evaluation batches: the task's evaluation split, or batches drawn from a dedicated seed. */
function evaluationBatches(task: Task, options: FitOptions, seed: number): Batch[] {
  const size = options.evalBatchSize ?? Math.max(options.batchSize, 64);
  const count = options.evalBatches ?? 4;
  const held = task.evaluationSet?.(size * count);
  if (held) return [held];
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => task.sample(rng, size));
}
