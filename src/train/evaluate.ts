/**
 * `evaluate(model, data)`: the loss and metric of a model on a Dataset (every example, in order) or on a
 * generator task (its held-out split, or fixed batches from a seed), without recording gradients.
 */
import type { Model } from '../models/model.js';
import type { Task } from '../tasks/task.js';
import { GraphCache } from './graph.js';
import { MetricAccumulator, isSolved, type Metrics } from './metrics.js';
import { evaluationBatches } from './sampler.js';
import { checkModelFitsTask } from './fit-checks.js';
import type { LossFunction } from './types.js';

export interface EvaluateOptions {
  /** Sequences per forward pass (default 64). */
  batchSize?: number;
  /** Generator tasks: how many batches to draw (default 4), and from which seed (default 0x5eed). */
  batches?: number;
  seed?: number;
  /** Report this loss instead of the task's (as in fit). */
  loss?: LossFunction;
}

export interface Evaluation extends Metrics {
  /** Whether the metric meets the task's solved criterion (never for a Dataset). */
  solved: boolean;
}

/** Evaluate `model` on `data`; allocates its graphs and frees them before returning. */
export function evaluate(model: Model, data: Task, options: EvaluateOptions = {}): Evaluation {
  checkModelFitsTask(model, data, 'evaluate');
  const size = options.batchSize ?? 64;
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`evaluate: batchSize must be a positive integer, got ${size}`);
  const graphs = new GraphCache(model, data, { grad: false, loss: options.loss });
  try {
    const acc = new MetricAccumulator(data);
    for (const b of evaluationBatches(data, size, options.batches ?? 4, options.seed ?? 0x5eed)) acc.add(graphs.run(b));
    const m = acc.result();
    return { ...m, solved: isSolved(data, m.metric) };
  } finally {
    graphs.dispose();
  }
}
