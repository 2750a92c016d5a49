/**
 * Checkpoints resume exactly: a run interrupted part-way, checkpointed to a file and resumed in a fresh model
 * ends with bit-identical parameters, history and evaluations to a run that never stopped — on a generator
 * task and on a Dataset (epoch shuffles), with dropout, a schedule, clipping and Adam's moments in play.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getBackend, type BackendName } from '../../src/kernels/index.js';
import { Model, type ModelConfig } from '../../src/models/model.js';
import { fit, fitAsync, type FitOptions } from '../../src/train/fit.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { addingTask } from '../../src/tasks/adding.js';
import { dataset } from '../../src/data/dataset.js';
import type { Task } from '../../src/tasks/task.js';
import { wasmAvailable } from '../../src/kernels/wasm/backend.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const waves = dataset({
  x: Array.from({ length: 13 }, (_, n) =>
    Array.from({ length: 4 + (n % 5) }, (_, t) => [Math.sin(0.7 * t * (1 + (n % 3))), n % 2]),
  ),
  y: Array.from({ length: 13 }, (_, n) => n % 3),
  loss: 'xent',
});
const cases: { name: string; task: Task; config: ModelConfig }[] = [
  {
    name: 'adding (generator)',
    task: addingTask({ T: 6 }),
    config: {
      inputSize: 2,
      outputSize: 1,
      target: 'last',
      cell: { kind: 'lstm', hidden: 8 },
      layers: 2,
      dropout: 0.25,
    },
  },
  {
    name: 'dataset (epochs of 13 examples, batches of 5)',
    task: waves,
    config: { inputSize: 2, outputSize: 3, target: 'last', cell: { kind: 'gru', hidden: 8 }, layers: 2, dropout: 0.25 },
  },
];
const backends: BackendName[] = wasmAvailable() ? ['reference', 'wasm'] : ['reference'];
const params = (m: Model) => m.parameters().map((p) => Array.from(p.toArray()));

describe('checkpoint and resume', () => {
  for (const bn of backends)
    for (const c of cases) {
      it(`${c.name} on ${bn}: resumed = uninterrupted, bit for bit`, async () => {
        const options: FitOptions = {
          steps: 24,
          batchSize: 5,
          seed: 7,
          evalEvery: 5,
          clipNorm: 0.5,
          optimizer: { kind: 'adam', lr: 0.02 },
          schedule: { kind: 'cosine', lr: 0.02, total: 24 },
          earlyStopping: { patience: 100 },
        };
        const whole = new Model(c.config, getBackend(bn), 3);
        const a = fit(whole, c.task, options);

        const path = join(dir, `${bn}-${c.task.name}.ckpt`);
        const first = new Model(c.config, getBackend(bn), 3);
        const controller = new AbortController();
        const events: string[] = [];
        const b1 = await fitAsync(first, c.task, {
          ...options,
          checkpoint: { path, every: 4 },
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === 'step' && e.step === 10) controller.abort();
            if (e.type === 'checkpoint') events.push(`${e.step}`);
          },
        });
        expect(b1.status).toBe('interrupted');
        expect(b1.steps).toBe(11);
        expect(events).toEqual(['4', '8', '11']);
        expect(loadCheckpoint(path).step).toBe(11);

        const second = new Model(c.config, getBackend(bn), 99); // another initialisation: the checkpoint overwrites it
        const b2 = fit(second, c.task, { ...options, resume: path });
        expect(b2.resumedFrom).toBe(11);
        expect(b2.steps).toBe(24);
        expect(b2.status).toBe(a.status);
        expect(params(second)).toEqual(params(whole));
        expect(Array.from(b2.history.loss)).toEqual(Array.from(a.history.loss));
        expect(Array.from(b2.history.gradNorm)).toEqual(Array.from(a.history.gradNorm));
        expect(b2.evals).toEqual(a.evals);
        for (const m of [whole, first, second]) m.dispose();
      }, 60_000);
    }

  it('refuses to resume with different options or another model, naming the difference', () => {
    const c = cases[0],
      path = join(dir, 'mismatch.ckpt');
    const options: FitOptions = {
      steps: 4,
      batchSize: 2,
      seed: 1,
      optimizer: { kind: 'adam', lr: 0.01 },
      checkpoint: { path },
    };
    fit(new Model(c.config, getBackend('reference'), 1), c.task, options);
    expect(() =>
      fit(new Model(c.config, getBackend('reference'), 1), c.task, { ...options, batchSize: 3, resume: path }),
    ).toThrow(`${path}: the checkpoint was made with batchSize 2, this run has 3 (resume with the same options)`);
    expect(() =>
      fit(new Model({ ...c.config, layers: 1 }, getBackend('reference'), 1), c.task, { ...options, resume: path }),
    ).toThrow(`${path}: the checkpoint was made for another model`);
    expect(() => loadCheckpoint(join(dir, 'none.ckpt'))).toThrow('none.ckpt: no such file');
  });
});
