import { afterAll, describe, expect, it } from 'vitest';
import { familyOf, loadStudyData, taskScore } from '../../src/report/data.js';
import { EVIL, fixtureStore } from './fixture.js';

describe('loadStudyData', () => {
  const store = fixtureStore({ addingT: [20, 50], copyT: [30], depths: [1, 8], accidents: true, evil: true });
  afterAll(() => store.close());
  const data = loadStudyData(store, 'deep-transition');

  it('counts trials by status and groups them by model and task condition over seeds', () => {
    // models: tanh, irnn, 4 variants × 2 depths, gru, lstm, lru, evil = 14; tasks: 3 conditions; 3 seeds
    expect(data.counts.total).toBe(14 * 3 * 3);
    expect(data.counts.diverged).toBe(1);
    expect(data.counts.failed).toBe(1);
    expect(data.counts.done).toBe(data.counts.total - 2);
    expect(data.groups).toHaveLength(14 * 3);
    expect(data.groups.every((g) => g.trials.length === 3 && g.seeds === 3)).toBe(true);
    expect(data.tasks.map((t) => t.label)).toEqual([`adding${EVIL} · T=20`, `adding${EVIL} · T=50`, 'copy · T=30']);
  });

  it('success = done with solvedAt; diverged and failed trials stay in the denominator', () => {
    const failedGroup = data.groups.find((g) => g.failed > 0)!;
    expect(failedGroup.model.family).toBe('lru');
    expect(failedGroup.successRate).toBe(failedGroup.solved / 3);
    for (const g of data.groups) {
      expect(g.solved).toBe(g.trials.filter((v) => v.trial.status === 'done' && v.trial.solvedAt !== null).length);
      if (g.solved === 0) expect(g.stepsToSolve).toBeNull();
    }
  });

  it('reads family and depth from the resolved config and labels models readably', () => {
    const labels = data.models.map((m) => m.label);
    expect(labels).toContain('plain L=8');
    expect(labels).toContain('highway L=1');
    expect(labels).toContain('IRNN');
    expect(labels).toContain('GRU');
    // the study's own model named EVIL is also a vanilla tanh: both get their study names appended
    expect(labels).toContain('vanilla tanh [tanh]');
    expect(labels).toContain(`vanilla tanh [${EVIL}]`);
    expect(
      familyOf({
        model: { cell: { kind: 'deep', hidden: 4, depth: 3, variant: 'highway', layerNorm: true } },
      } as never),
    ).toEqual({ family: 'highway+LN', label: 'highway+LN', depth: 3, deep: true });
    expect(data.groups.find((g) => g.model.label === 'plain L=8')!.decayInit!.mean).toBeLessThan(-0.5);
  });

  it('rebuilds the task baseline and solved threshold from the stored spec', () => {
    const adding = data.tasks[0];
    expect(adding.metric).toBe('mse');
    expect(adding.baseline).toBeCloseTo(1 / 6, 12);
    expect(adding.solvedBelow).toBe(0.01);
    expect(taskScore({ kind: 'copy', T: 30 }).baseline).toBeCloseTo((10 * Math.log(8)) / 50, 12);
    expect(taskScore({ kind: 'nonsense' }).baseline).toBeNull();
  });
});
