/**
 * Learning tests: fixed seeds and step budgets; each transition must learn the adding problem (T = 20)
 * below MSE 0.01 (the baseline of always answering 1 is 1/6), the LSTM at T = 50 too.
 * Deterministic: same seeds, same backend → the same run every time.
 */
import { describe, expect, it } from 'vitest';
import { getBackend } from '../../src/kernels/index.js';
import { Model } from '../../src/models/model.js';
import { fit, type FitOptions } from '../../src/train/fit.js';
import { addingTask } from '../../src/tasks/adding.js';
import type { CellConfig } from '../../src/cells/index.js';

interface Case {
  name: string;
  cell: CellConfig;
  layers?: number;
  T: number;
  steps: number;
  lr: number;
  batch: number;
}

const cases: Case[] = [
  {
    name: 'vanilla tanh (orthogonal init)',
    cell: { kind: 'vanilla', hidden: 32, recurrentInit: { kind: 'orthogonal' } },
    T: 20,
    steps: 5000,
    lr: 3e-3,
    batch: 64,
  },
  {
    name: 'IRNN (ReLU, identity init)',
    cell: { kind: 'vanilla', hidden: 32, activation: 'relu', recurrentInit: { kind: 'identity' } },
    T: 20,
    steps: 3000,
    lr: 1e-3,
    batch: 32,
  },
  { name: 'GRU', cell: { kind: 'gru', hidden: 32 }, T: 20, steps: 1500, lr: 1e-2, batch: 32 },
  { name: 'LSTM', cell: { kind: 'lstm', hidden: 32 }, T: 20, steps: 1500, lr: 1e-2, batch: 32 },
  {
    name: 'deep plain L = 2 (orthogonal init)',
    cell: { kind: 'deep', hidden: 32, depth: 2, variant: 'plain', recurrentInit: { kind: 'orthogonal' } },
    T: 20,
    steps: 4000,
    lr: 3e-3,
    batch: 64,
  },
  {
    name: 'deep shortcut L = 2',
    cell: { kind: 'deep', hidden: 32, depth: 2, variant: 'shortcut' },
    T: 20,
    steps: 3000,
    lr: 3e-3,
    batch: 32,
  },
  {
    name: 'deep residual L = 2 (layer norm)',
    cell: { kind: 'deep', hidden: 32, depth: 2, variant: 'residual', layerNorm: true },
    T: 20,
    steps: 4000,
    lr: 3e-3,
    batch: 64,
  },
  {
    name: 'deep highway L = 2',
    cell: { kind: 'deep', hidden: 32, depth: 2, variant: 'highway' },
    T: 20,
    steps: 3000,
    lr: 3e-3,
    batch: 32,
  },
  {
    name: 'LRU, 2 layers (the linear recurrence needs the MLP between layers)',
    cell: { kind: 'lru', hidden: 16 },
    layers: 2,
    T: 20,
    steps: 3000,
    lr: 3e-3,
    batch: 32,
  },
  { name: 'LSTM at T = 50', cell: { kind: 'lstm', hidden: 32 }, T: 50, steps: 2000, lr: 1e-2, batch: 32 },
];

describe('every transition learns the adding problem', () => {
  for (const c of cases) {
    it(`${c.name}, T = ${c.T}`, () => {
      const task = addingTask({ T: c.T });
      const model = new Model(
        { inputSize: 2, outputSize: 1, target: 'last', cell: c.cell, layers: c.layers },
        getBackend(),
        1,
      );
      const options: FitOptions = {
        steps: c.steps,
        batchSize: c.batch,
        seed: 1,
        clipNorm: 1,
        evalEvery: 100,
        stopWhenSolved: true,
        optimizer: { kind: 'adam', lr: c.lr },
        schedule: { kind: 'cosine', lr: c.lr, total: c.steps },
      };
      const r = fit(model, task, options);
      expect(r.status, `final ${JSON.stringify(r.final)}`).toBe('solved');
      expect(r.final!.metric).toBeLessThan(0.01);
      expect(r.history.loss[0]).toBeGreaterThan(0.05); // it started untrained
    }, 60_000);
  }
});
