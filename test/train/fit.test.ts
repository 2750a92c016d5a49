/** The training loop: divergence is caught before the update, events arrive, runs are deterministic. */
import { describe, expect, it } from 'vitest';
import { getBackend } from '../../src/kernels/index.js';
import { Model, type ModelConfig } from '../../src/models/model.js';
import { fit, type TrainEvent } from '../../src/train/fit.js';
import { addingTask } from '../../src/tasks/adding.js';

const config: ModelConfig = {
  inputSize: 2,
  outputSize: 1,
  target: 'last',
  cell: { kind: 'vanilla', hidden: 16, activation: 'relu', recurrentInit: { kind: 'identity', gain: 1.5 } },
};

describe('fit', () => {
  it('stops a diverging run cleanly, reports the step and keeps the last finite parameters', () => {
    const model = new Model(config, getBackend(), 1);
    const events: TrainEvent[] = [];
    const r = fit(model, addingTask({ T: 30 }), {
      steps: 200,
      batchSize: 8,
      optimizer: { kind: 'sgd', lr: 1e6 },
      seed: 2,
      onEvent: (e) => events.push(e),
    });
    expect(r.status).toBe('diverged');
    expect(r.divergedAt).toBeGreaterThanOrEqual(0);
    expect(r.divergedAt).toBeLessThan(200);
    expect(r.steps).toBe(r.divergedAt);
    expect(events.some((e) => e.type === 'diverged' && e.step === r.divergedAt)).toBe(true);
    for (const p of model.parameters()) expect(p.backend.allFinite(p.size, p)).toBe(true);
  });

  it('emits step and eval events and is deterministic for a seed', () => {
    const run = () => {
      const model = new Model(config, getBackend(), 3);
      const steps: number[] = [];
      const r = fit(model, addingTask({ T: 10 }), {
        steps: 30,
        batchSize: 8,
        optimizer: { kind: 'adam', lr: 1e-3 },
        seed: 5,
        evalEvery: 10,
        onEvent: (e) => {
          if (e.type === 'step') steps.push(e.loss);
        },
      });
      return { r, steps };
    };
    const a = run(),
      b = run();
    expect(a.steps).toHaveLength(30);
    expect(a.r.evals.map((e) => e.step)).toEqual([10, 20, 30]);
    expect(Array.from(a.r.history.loss)).toEqual(Array.from(b.r.history.loss));
    expect(a.r.final).toEqual(b.r.final);
  });

  it('early stopping ends a run that stops improving', () => {
    const model = new Model(config, getBackend(), 3);
    const r = fit(model, addingTask({ T: 10 }), {
      steps: 2000,
      batchSize: 8,
      optimizer: { kind: 'sgd', lr: 0 },
      seed: 5,
      evalEvery: 5,
      earlyStopping: { patience: 3 },
    });
    expect(r.status).toBe('early-stopped');
    expect(r.steps).toBeLessThanOrEqual(25);
  });
});
