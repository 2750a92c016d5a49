/**
 * The page's "train" button: the adding problem (Hochreiter & Schmidhuber 1997) trained in the page with
 * fitAsync, which gives the browser a turn every few ms (the page stays responsive; the numbers are fit's).
 * The same function runs in Node for the steps/s comparison (test/web/).
 */
import { type Backend, type FitResult, addingTask, fitAsync } from '../src/index.js';
import { type Settings, buildModel } from './explore.js';

export interface TrainOptions {
  steps: number;
  batchSize?: number;
  lr?: number;
  /** Called after every step with the step (1-based) and its training loss. */
  onStep?: (step: number, loss: number) => void;
  signal?: AbortSignal;
}

export interface TrainSummary {
  result: FitResult;
  /** The task's baseline MSE (always answering the mean target) and the MSE that counts as solved. */
  baseline: number;
  solvedBelow: number | null;
  stepsPerSecond: number;
}

/** Train the settings' model on the adding problem of length T (Adam, lr 0.01 by default, gradient clipping 1). */
export async function trainAdding(s: Settings, backend: Backend, o: TrainOptions): Promise<TrainSummary> {
  const task = addingTask({ T: s.T });
  const model = buildModel(s, backend);
  try {
    const start = performance.now();
    const result = await fitAsync(model, task, {
      steps: o.steps,
      batchSize: o.batchSize ?? 32,
      optimizer: { kind: 'adam', lr: o.lr ?? 0.01 },
      clipNorm: 1,
      seed: s.seed,
      evalEvery: o.steps,
      yieldEveryMs: 30,
      signal: o.signal,
      onEvent: (e) => {
        if (e.type === 'step') o.onStep?.(e.step, e.loss);
      },
    });
    const seconds = (performance.now() - start) / 1000;
    return {
      result,
      baseline: task.baseline,
      solvedBelow: task.solvedBelow ?? null,
      stepsPerSecond: result.steps / seconds,
    };
  } finally {
    model.dispose();
  }
}
