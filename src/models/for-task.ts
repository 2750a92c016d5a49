/** The one place a model shape meets a task: the CLI, the study runner and the grid check all build models here. */
import type { Backend } from '../kernels/backend.js';
import type { Rng } from '../tensor/rng.js';
import type { ModelShape } from './config.js';
import { Model } from './model.js';

/** What a model needs to know of its task: the sizes of x_t and y, and whether y is read at the end or every step. */
export interface TaskSizes {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly target: 'last' | 'all';
}

/**
 * The model of `shape` sized for `task`, on `backend`, initialised from `seed`:
 *
 *   const model = modelForTask({ cell: { kind: 'lstm', hidden: 32 } }, addingTask({ T: 50 }), getBackend(), 1);
 */
export function modelForTask(shape: ModelShape, task: TaskSizes, backend: Backend, seed: number | Rng): Model {
  return new Model(
    { ...shape, inputSize: task.inputSize, outputSize: task.outputSize, target: task.target },
    backend,
    seed,
  );
}
