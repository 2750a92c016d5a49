/** The training recorder: per-group gradient norms (pre-clip) and gradient-through-time snapshots during fit. */
import { describe, expect, it } from 'vitest';
import { byParameter, createTrainingRecorder } from '../../src/diagnostics/index.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { Model } from '../../src/models/model.js';
import { addingTask } from '../../src/tasks/index.js';
import { fit, type TrainEvent } from '../../src/train/fit.js';

describe('training recorder', () => {
  it('records global and per-group norms (undoing clipNorm) and snapshots at chosen steps', () => {
    const task = addingTask({ T: 8 });
    const model = new Model(
      { inputSize: 2, outputSize: 1, cell: { kind: 'lstm', hidden: 6 }, target: 'last', layers: 2 },
      referenceBackend,
      1,
    );
    const rec = createTrainingRecorder(model, task, { snapshotSteps: [0, 9], snapshotBatchSize: 5 });
    const before = rec.snapshot(-1);
    const seen: TrainEvent[] = [];
    const result = fit(model, task, {
      steps: 10,
      batchSize: 8,
      optimizer: { kind: 'sgd', lr: 0.1 },
      clipNorm: 1e-3,
      evalEvery: 100,
      onEvent: rec.wrap((e) => seen.push(e)),
    });
    expect(result.steps).toBe(10);
    expect(seen.filter((e) => e.type === 'step')).toHaveLength(10);
    const h = rec.history;
    expect(h.steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...h.groups.keys()]).toEqual(['layers.0.fwd', 'layers.1.fwd', 'readout']);
    h.steps.forEach((_, i) => {
      expect(h.gradNorm[i]).toBeGreaterThan(1e-3); // clipping was active …
      const ss = [...h.groups.values()].reduce((s, g) => s + g[i] ** 2, 0);
      expect(Math.abs(Math.sqrt(ss) / h.gradNorm[i] - 1)).toBeLessThan(1e-9); // … and undone
      expect(h.gradNorm[i]).toBe(result.history.gradNorm[i]);
    });
    expect(rec.postClipGroups).toBe(false);
    expect(rec.snapshots.map((s) => s.step)).toEqual([-1, 0, 9]);
    expect(rec.snapshots[0].result).toBe(before);
    for (const s of rec.snapshots) {
      expect(s.result.cells).toHaveLength(2);
      expect(s.result.B).toBe(5);
      expect(s.result.cells[0].mean.every((x) => x > 0 && Number.isFinite(x))).toBe(true);
    }
    rec.dispose();
  });

  it('groups by parameter', () => {
    const task = addingTask({ T: 4 });
    const model = new Model(
      { inputSize: 2, outputSize: 1, cell: { kind: 'vanilla', hidden: 3 }, target: 'last' },
      referenceBackend,
      2,
    );
    const rec = createTrainingRecorder(model, task, { group: byParameter, every: 2 });
    fit(model, task, {
      steps: 4,
      batchSize: 4,
      optimizer: { kind: 'adam', lr: 1e-2 },
      evalEvery: 100,
      onEvent: rec.onEvent,
    });
    expect(rec.history.steps).toEqual([0, 2]);
    expect([...rec.history.groups.keys()]).toEqual(model.namedParameters().map(([n]) => n));
    rec.dispose();
  });
});
