/**
 * The eager debug mode (fit's `eager: true`): the model's code runs on every step instead of a replayed tape,
 * and training takes exactly the same path — bit-identical losses, gradient norms, evaluations and parameters —
 * on the reference and wasm backends, for fused (LSTM, GRU, vanilla) and per-step (deep, LRU) cells, masked
 * variable-length batches included.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/kernels/backend.js';
import { getBackend } from '../../src/kernels/index.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { wasmAvailable } from '../../src/kernels/wasm/backend.js';
import type { ModelConfig } from '../../src/models/model.js';
import { modelForTask } from '../../src/models/for-task.js';
import { addingTask } from '../../src/tasks/adding.js';
import { Rng } from '../../src/tensor/rng.js';
import type { Task } from '../../src/tasks/task.js';
import { fit } from '../../src/train/fit.js';

const CELLS: ModelConfig['cell'][] = [
  { kind: 'lstm', hidden: 6 },
  { kind: 'gru', hidden: 5 },
  { kind: 'vanilla', hidden: 5, activation: 'relu' },
  { kind: 'deep', hidden: 4, depth: 2, variant: 'highway' },
  { kind: 'lru', hidden: 4 },
];

function train(backend: Backend, task: Task, cell: ModelConfig['cell'], eager: boolean) {
  const model = modelForTask({ cell, layers: 2, bidirectional: true }, task, backend, 3);
  let forwards = 0;
  const forward = model.forward.bind(model);
  model.forward = (...args) => {
    forwards++;
    return forward(...args);
  };
  const r = fit(model, task, {
    steps: 5,
    batchSize: 4,
    seed: 7,
    evalEvery: 2,
    evalBatches: 1,
    evalBatchSize: 4,
    optimizer: { kind: 'adam', lr: 0.01 },
    clipNorm: 1,
    eager,
  });
  const params = model.parameters().map((p) => Array.from(p.toArray()));
  return { r, params, forwards };
}

const backends: [string, Backend][] = [
  ['reference', referenceBackend],
  ...(wasmAvailable() ? [['wasm', getBackend('wasm')] as [string, Backend]] : []),
];

describe('fit with eager: true', () => {
  for (const [name, backend] of backends) {
    for (const cell of CELLS) {
      it(`${name}: ${cell.kind} trains exactly as the replayed tape does`, () => {
        const task = addingTask({ T: 8 });
        const replay = train(backend, task, cell, false),
          eager = train(backend, task, cell, true);
        expect(Array.from(eager.r.history.loss)).toEqual(Array.from(replay.r.history.loss));
        expect(Array.from(eager.r.history.gradNorm)).toEqual(Array.from(replay.r.history.gradNorm));
        expect(eager.r.evals).toEqual(replay.r.evals);
        expect(eager.params).toEqual(replay.params);
        // The replayed run records once per batch shape (training and evaluation); the eager one every time.
        expect(replay.forwards).toBe(2);
        expect(eager.forwards).toBe(5 + 3);
      });
    }
  }

  it('masked, variable-length batches too (the adding problem of 1997, lengths T..1.1·T)', () => {
    const task = addingTask({ T: 20, variant: 'original1997' });
    expect(task.sample(new Rng(1), 2).mask).toBeTruthy();
    const replay = train(referenceBackend, task, { kind: 'gru', hidden: 5 }, false);
    const eager = train(referenceBackend, task, { kind: 'gru', hidden: 5 }, true);
    expect(Array.from(eager.r.history.loss)).toEqual(Array.from(replay.r.history.loss));
    expect(eager.params).toEqual(replay.params);
  });
});
