/** Shared fixtures of the diagnostics tests: models with chosen recurrent matrices and random batches. */
import type { Backend } from '../../src/kernels/backend.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { create, type Matrix } from '../../src/linalg/index.js';
import { Model, type ModelConfig } from '../../src/models/model.js';
import type { CellConfig } from '../../src/cells/index.js';
import { Rng } from '../../src/tensor/rng.js';
import type { Batch } from '../../src/tasks/task.js';

export const I = 3;

/** A one-layer many-to-one model (linear readout) on `backend`. */
export function makeModel(
  cell: CellConfig,
  seed = 1,
  backend: Backend = referenceBackend,
  extra: Partial<ModelConfig> = {},
): Model {
  return new Model({ inputSize: I, outputSize: 2, cell, target: 'last', ...extra }, backend, seed);
}

/** A batch of U[−1, 1) inputs and targets (mse, 'last' or 'all'). */
export function makeBatch(T: number, B: number, seed = 2, target: 'last' | 'all' = 'last', outputSize = 2): Batch {
  const rng = new Rng(seed);
  const x = new Float64Array(T * B * I),
    y = new Float64Array((target === 'all' ? T : 1) * B * outputSize);
  rng.fillUniform(x, -1, 1);
  rng.fillUniform(y, -1, 1);
  return { T, B, x, y };
}

/** Overwrite layer 0's recurrent matrix (weight_hh) with A. */
export function setRecurrent(model: Model, A: Matrix): void {
  model.layers[0].cells[0].params.weight_hh.set(A.data);
}

/** The matrix a·I. */
export function scaledIdentity(n: number, a: number): Matrix {
  const m = create(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = a;
  return m;
}

export const mseLast = { loss: 'mse', target: 'last' } as const;
export const mseAll = { loss: 'mse', target: 'all' } as const;

/** max_i |a_i − b_i| / max(|b_i|, floor) */
export function maxRel(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return e;
}
