/**
 * The page's "train" button: the adding problem (Hochreiter & Schmidhuber 1997) or copy memory (Arjovsky
 * et al. 2016) trained in the page with fitAsync, which gives the browser a turn every few ms (the page
 * stays responsive; the numbers are fit's). Every `snapshotEvery` steps a gradient-through-time snapshot
 * (diagnostics.createTrainingRecorder) on a fixed batch of 8 gives one row of the ‖∂L/∂h_t‖ heatmap.
 * The same function runs in Node for the steps/s comparison (test/web/).
 */
import { type Backend, type FitResult, type Task, addingTask, copyTask, diagnostics, fitAsync } from '../src/index.js';
import { type Settings, buildModel } from './explore.js';

/** The tasks the page trains; T is the sequence length (adding) or the delay (copy: length T + 20). */
export const TASKS = ['adding', 'copy'] as const;
export type TaskName = (typeof TASKS)[number];

/** The page's task of this name and length. */
export function pageTask(name: TaskName, T: number): Task {
  return name === 'copy' ? copyTask({ T }) : addingTask({ T });
}

export interface TrainOptions {
  steps: number;
  /** Default 'adding'. */
  task?: TaskName;
  batchSize?: number;
  lr?: number;
  /** Called after every step with the step (0-based) and its training loss. */
  onStep?: (step: number, loss: number) => void;
  /** Take a gradient snapshot after every this many steps (default: about 40 over the run; 0: none). */
  snapshotEvery?: number;
  /** Called with each snapshot: after step `step` (0-based), ‖∂L/∂h_t‖ (batch mean) for t = 1..T. */
  onSnapshot?: (step: number, norms: number[]) => void;
  signal?: AbortSignal;
}

export interface TrainSummary {
  result: FitResult;
  task: TaskName;
  /** The task's metric (mse, xent), its baseline (the best memoryless answer) and the value that counts as solved. */
  metric: string;
  baseline: number;
  solvedBelow: number | null;
  stepsPerSecond: number;
}

/** Train the settings' model on the task (Adam, lr 0.01 by default, gradient clipping 1). */
export async function trainTask(s: Settings, backend: Backend, o: TrainOptions): Promise<TrainSummary> {
  const name = o.task ?? 'adding';
  const task = pageTask(name, s.T);
  const model = buildModel(s, backend, task);
  const every = o.snapshotEvery ?? Math.max(1, Math.round(o.steps / 40));
  const recorder = diagnostics.createTrainingRecorder(model, task, {
    snapshotSteps: (step) => every > 0 && (step + 1) % every === 0,
    snapshotBatchSize: 8,
    seed: s.seed,
    every: Number.MAX_SAFE_INTEGER,
  });
  let seen = 0;
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
      onEvent: recorder.wrap((e) => {
        if (e.type === 'step') o.onStep?.(e.step, e.loss);
        for (; seen < recorder.snapshots.length; seen++) {
          const snap = recorder.snapshots[seen];
          o.onSnapshot?.(snap.step, Array.from(snap.result.cells[0]?.mean ?? []));
        }
      }),
    });
    const seconds = (performance.now() - start) / 1000;
    return {
      result,
      task: name,
      metric: task.metric,
      baseline: task.baseline,
      solvedBelow: task.solvedBelow ?? null,
      stepsPerSecond: result.steps / seconds,
    };
  } finally {
    recorder.dispose();
    model.dispose();
  }
}

/** The adding problem (the page's first trainer; kept for the tests and the curious). */
export const trainAdding = (s: Settings, backend: Backend, o: TrainOptions): Promise<TrainSummary> =>
  trainTask(s, backend, { ...o, task: 'adding' });
