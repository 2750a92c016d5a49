/** Running studies in-process: results stored whole, resume skips finished trials, divergence is recorded. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStudy } from '../../src/runner/study.js';
import { runStudy } from '../../src/runner/run.js';
import { ResultStore } from '../../src/runner/store.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-run-'));

const studyText = (lr: number) =>
  JSON.stringify({
    name: 'small',
    seeds: [1, 2],
    training: {
      steps: 12,
      batchSize: 8,
      optimizer: { kind: 'adam', lr },
      evalEvery: 6,
      evalBatches: 1,
      evalBatchSize: 8,
    },
    instruments: {
      gradientThroughTime: { at: [0, 0.5, 1], batchSize: 4 },
      jacobian: { batchSize: 2 },
      lyapunov: { k: 2, batchSize: 2 },
    },
    tasks: { adding: { kind: 'adding', T: 6 } },
    models: {
      tanh: { cell: { kind: 'vanilla', hidden: 6 } },
      deep: { cell: { kind: 'deep', hidden: 5, depth: 1 }, grid: { 'cell.depth': [1, 2] } },
    },
  });

describe('runStudy (in-process)', () => {
  it('runs every trial once, stores metrics and curves, and a rerun resumes without rerunning anything', async () => {
    const db = join(dir, 'a.db');
    const study = parseStudy(studyText(1e-3), 'small.json');
    const part = await runStudy(study, { db, workers: 0, limit: 2 });
    expect(part).toMatchObject({ total: 6, skipped: 0, left: 4, ran: 2 });
    const first = await runStudy(study, { db, workers: 0 });
    expect(first).toMatchObject({ total: 6, skipped: 2, left: 0, ran: 4, done: 4, diverged: 0, failed: 0 });
    const again = await runStudy(study, { db, workers: 0 });
    expect(again).toMatchObject({ total: 6, skipped: 6, ran: 0 });
    const store = new ResultStore(db, { readonly: true });
    const trials = store.trials('small');
    expect(trials).toHaveLength(6);
    const t = trials[0];
    expect(t.final?.metric).toBeGreaterThan(0);
    expect(store.metricSeries(t.key, 'train.loss').length).toBeGreaterThan(5);
    const groupNorms = store.metricSeries(t.key, 'grad.layers.0.fwd');
    expect(groupNorms.length).toBe(store.metricSeries(t.key, 'train.gradNorm').length);
    expect(groupNorms.every((m) => m.value! > 0)).toBe(true);
    expect(store.metricSeries(t.key, 'grad.readout').length).toBe(groupNorms.length);
    expect(store.metricSeries(t.key, 'eval.metric').map((m) => m.step)).toEqual([6, 12]);
    const curves = store.curves(t.key, 'gtt');
    expect(curves.map((c) => c.step)).toEqual([0, 6, 12]);
    expect((curves[0].data.mean as number[]).length).toBe(6);
    expect(typeof t.summary['decay.init']).toBe('number');
    expect(typeof t.summary['bound.perStep']).toBe('number'); // vanilla tanh: log(γ‖A‖)
    expect(t.summary['jacobian.init']).toBeGreaterThan(0);
    expect(typeof t.summary['lyapunov.end']).toBe('number');
    expect((curves[0].data.bound as number[])[5]).toBeCloseTo((curves[0].data.mean as number[])[5], 12); // the bound starts at the measured ‖∂L/∂h_T‖
    expect(store.curves(t.key, 'lyapunov')).toHaveLength(2);
    store.close();
  });

  it('records a diverging trial as diverged, with its step, and carries on', async () => {
    const db = join(dir, 'b.db');
    const study = parseStudy(
      studyText(1e7)
        .replace('"kind":"adam"', '"kind":"sgd"')
        .replace('"hidden":6', '"hidden":6,"activation":"relu","recurrentInit":{"kind":"identity","gain":2}'),
      'small.json',
    );
    const r = await runStudy(study, { db, workers: 0 });
    expect(r.ran).toBe(6);
    expect(r.diverged).toBeGreaterThan(0);
    const store = new ResultStore(db, { readonly: true });
    const diverged = store.trials('small').filter((t) => t.status === 'diverged');
    expect(diverged.length).toBe(r.diverged);
    for (const t of diverged) {
      expect(t.divergedAt).not.toBeNull();
      expect(t.error).toMatch(/not finite|NaN|Infinity/);
    }
    store.close();
  });
});
