/**
 * `fit` trains a model on a task or on your own data; `fitAsync` does the same but gives the event loop a
 * turn every few milliseconds (timers, signal handlers, redraws run during training) and stops at an
 * AbortSignal. Both run the loop in trainer.ts — sample → forward → backward → clip → step → event, and
 * an evaluation every `evalEvery` steps — and free everything they allocated before returning: the
 * graphs, their tapes and the optimizer state. The model stays the caller's (see Model.dispose).
 *
 * ```ts
 * const r = fit(model, addingTask({ T: 50 }), { steps: 2000, batchSize: 32, optimizer: { kind: 'adam', lr: 0.01 } });
 * const r2 = fit(model, data, { steps: 500, batchSize: 16, optimizer: { kind: 'adam', lr: 0.01 }, validation: 0.2 });
 * ```
 */
import type { Model } from '../models/model.js';
import type { Task } from '../tasks/task.js';
import { Trainer } from './trainer.js';
import type { FitOptions, FitResult } from './types.js';

export type { FitOptions, FitResult, TrainEvent, LossFunction } from './types.js';

/**
 * Train `model` on `task` (a generator task or a Dataset). Deterministic given the model's initialisation
 * and `options.seed`; with `resume`, continues a checkpointed run bit-identically.
 */
export function fit(model: Model, task: Task, options: FitOptions): FitResult {
  const trainer = new Trainer(model, task, options);
  try {
    while (trainer.next());
    return trainer.finish();
  } finally {
    trainer.dispose();
  }
}

export interface FitAsyncOptions extends FitOptions {
  /** Give the event loop a turn at least this often, in milliseconds (default 50). */
  yieldEveryMs?: number;
}

/** `fit` that yields to the event loop between steps (every `yieldEveryMs`); same results as fit. */
export async function fitAsync(model: Model, task: Task, options: FitAsyncOptions): Promise<FitResult> {
  const every = options.yieldEveryMs ?? 50;
  if (!(every >= 0)) throw new Error(`fitAsync: yieldEveryMs must be a number ≥ 0, got ${every}`);
  const trainer = new Trainer(model, task, options);
  try {
    let last = performance.now();
    while (trainer.next()) {
      if (performance.now() - last >= every) {
        await yieldTurn();
        last = performance.now();
      }
    }
    return trainer.finish();
  } finally {
    trainer.dispose();
  }
}

/**
 * Give the event loop one turn: setImmediate in Node; a MessageChannel message in a browser (setTimeout(0)
 * would be clamped to 4 ms after a few nested calls), so a page redraws and handles input between steps.
 */
function yieldTurn(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (typeof g.setImmediate === 'function') return new Promise<void>((resolve) => g.setImmediate?.(resolve));
  return new Promise<void>((resolve) => {
    // the DOM's MessageChannel (Node's types describe Node's, which has no onmessage)
    const ch = new MessageChannel() as unknown as {
      port1: { onmessage: (() => void) | null; close(): void };
      port2: { postMessage(value: null): void };
    };
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}
