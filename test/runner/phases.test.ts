/**
 * The study's phases: probe-only trials (steps 0), per-pair overrides, the learning-rate pilot (recorded,
 * chosen by the lowest mean final loss, frozen into the main trials), and the staircase over T (a condition
 * stops after a T at which no seed solved the task).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStudy } from '../../src/runner/study.js';
import { runStudy, type StudyEvent } from '../../src/runner/run.js';
import { ResultStore, type StoredTrial } from '../../src/runner/store.js';
import { expandStudy, modelConditionKey, type TrialSpec } from '../../src/runner/grid.js';
import {
  choosePilotLearningRates,
  expandPilot,
  expandPilotRungs,
  pilotStep,
  taskBaseline,
} from '../../src/runner/pilot.js';
import { loadStudyData } from '../../src/report/data.js';
import { pilotTable } from '../../src/report/pilot.js';
import { staircaseDecided, stageTrials } from '../../src/runner/staircase.js';
import { estimateTrials, formatDuration } from '../../src/runner/estimate.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-phases-'));

const study = (over: Record<string, unknown> = {}) =>
  parseStudy(
    JSON.stringify({
      name: 'phases',
      seeds: [1, 2],
      training: {
        steps: 30,
        batchSize: 8,
        optimizer: { kind: 'adam', lr: 0.01 },
        evalEvery: 10,
        evalBatches: 1,
        evalBatchSize: 16,
        stopWhenSolved: true,
      },
      instruments: { gradientDecay: { batchSize: 4 } },
      tasks: { probe: { kind: 'adding', T: 10 }, adding: { kind: 'adding', grid: { T: [4, 8, 16] } } },
      models: {
        lin: {
          cell: {
            kind: 'deep',
            hidden: 6,
            depth: 1,
            activation: 'identity',
            recurrentInit: { kind: 'orthogonal', gain: 1 },
          },
          grid: { 'cell.depth': [1, 2], 'cell.recurrentInit.gain': [0.5, 2] },
        },
        tanh: { cell: { kind: 'vanilla', hidden: 6 } },
      },
      pairs: [
        { tasks: ['probe'], models: ['lin'], seeds: [7], training: { steps: 0 } },
        { tasks: ['adding'], models: ['tanh'], staircase: 'T' },
      ],
      pilot: { task: 'adding', taskValues: { T: 4 }, lrs: [0.001, 0.01], seeds: [3], training: { steps: 12 } },
      ...over,
    }),
    'phases.json',
  );

describe('study phases', () => {
  it('probe-only trials keep a training-independent key and record the decay at initialisation (s = L·log a)', async () => {
    const s = study();
    const probes = expandStudy(s).filter((t) => t.training.steps === 0);
    expect(probes).toHaveLength(4);
    expect(probes.every((t) => t.seed === 7)).toBe(true);
    expect(Object.keys(probes[0].training).sort()).toEqual(['batchSize', 'optimizer', 'steps']);
    const edited = study({ training: { steps: 99, batchSize: 8, optimizer: { kind: 'adam', lr: 0.01 } } });
    expect(
      expandStudy(edited)
        .filter((t) => t.training.steps === 0)
        .map((t) => t.key),
    ).toEqual(probes.map((t) => t.key));
    const db = join(dir, 'probe.db');
    await runStudy(s, { db, workers: 0, limit: 4 });
    const store = new ResultStore(db, { readonly: true });
    const rows = store.trials('phases');
    store.close();
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      const cell = r.config.model.cell as { depth: number; recurrentInit: { gain: number } };
      expect(r.steps).toBe(0);
      expect(r.summary['decay.init']).toBeCloseTo(cell.depth * Math.log(cell.recurrentInit.gain), 4);
      expect(r.summary['decay.init.exploding']).toBe(cell.recurrentInit.gain > 1 ? 1 : 0);
    }
  });

  it('the pilot runs after the probes, its choice is the lowest mean final loss, frozen into the main trials', async () => {
    const s = study();
    const db = join(dir, 'pilot.db');
    const events: StudyEvent[] = [];
    const summary = await runStudy(s, { db, workers: 0, onEvent: (e) => events.push(e) });
    const pilotEvent = events.find((e) => e.type === 'pilot');
    expect(pilotEvent).toBeDefined();
    const store = new ResultStore(db, { readonly: true });
    const rows = store.trials('phases');
    store.close();
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const pilot = expandPilot(s);
    expect(pilot).toHaveLength(2);
    expect(pilot.every((t) => t.phase === 'pilot' && byKey.has(t.key))).toBe(true);
    const losses = pilot.map((t) => byKey.get(t.key)!.final!.loss);
    const expected = losses[0] <= losses[1] ? 0.001 : 0.01;
    const choice = choosePilotLearningRates(pilot, byKey);
    expect(choice.lr.get(modelConditionKey('tanh', {}))).toBe(expected);
    const main = rows.filter((r) => r.config.training.steps > 0 && r.config.phase !== 'pilot');
    expect(main.length).toBeGreaterThan(0);
    for (const r of main) expect(r.config.training.optimizer.lr).toBe(expected);
    expect(summary.ran + summary.staircase).toBe(summary.total);
    // a rerun recomputes the same choice and runs nothing
    const again = await runStudy(s, { db, workers: 0 });
    expect(again.ran).toBe(0);
  });

  it('the pilot ladder: a model whose every lr stays at the baseline is piloted again at the next setting', () => {
    const s = study({
      pilot: {
        task: 'adding',
        taskValues: { T: 8 },
        fallback: [{ T: 4 }],
        lrs: [0.001, 0.01],
        seeds: [3],
        training: { steps: 12 },
      },
    });
    const rungs = expandPilotRungs(s);
    expect(rungs.map((r) => r.map((t) => (t.task as { T?: number }).T))).toEqual([
      [8, 8],
      [4, 4],
    ]);
    expect(new Set(rungs.flat().map((t) => t.index)).size).toBe(4);
    const rule = { baselineOf: taskBaseline() };
    expect(rule.baselineOf(rungs[0][0])).toBeCloseTo(1 / 6, 12);
    const rec = (t: TrialSpec, loss: number, status: StoredTrial['status'] = 'done') =>
      [t.key, { status, final: { loss } } as unknown as StoredTrial] as const;
    const cond = modelConditionKey('tanh', {});
    // nothing stored: rung 0 runs first
    let step = pilotStep(rungs, new Map(), rule);
    expect(step.pending).toEqual(rungs[0]);
    expect(step.current).toEqual(rungs[0]);
    // rung 0 informative (0.1 < 0.9 × 1/6): it decides, rung 1 never runs
    step = pilotStep(rungs, new Map([rec(rungs[0][0], 0.16), rec(rungs[0][1], 0.1)]), rule);
    expect(step.pending).toEqual([]);
    expect(step.current).toEqual(rungs[0]);
    expect(step.choice.lr.get(cond)).toBe(0.01);
    // rung 0 at the baseline for both rates: rung 1 is needed
    const flat = [rec(rungs[0][0], 0.166), rec(rungs[0][1], 0.168)];
    step = pilotStep(rungs, new Map(flat), rule);
    expect(step.pending).toEqual(rungs[1]);
    expect(step.current).toEqual([...rungs[0], ...rungs[1]]);
    expect(step.choice.incomplete).toEqual([cond]);
    // rung 1 decides: its lowest loss, and only its rows are marked
    step = pilotStep(rungs, new Map([...flat, rec(rungs[1][0], 0.05), rec(rungs[1][1], 0.02)]), rule);
    expect(step.choice.lr.get(cond)).toBe(0.01);
    expect(step.choice.table.filter((r) => r.chosen).map((r) => [r.rung, r.lr])).toEqual([[1, 0.01]]);
    expect(step.choice.table.filter((r) => r.deciding).map((r) => r.rung)).toEqual([1, 1]);
    // no rung informative: the last one decides anyway (a diverged trial counts as +∞)
    step = pilotStep(rungs, new Map([...flat, rec(rungs[1][0], 0.2), rec(rungs[1][1], 0.1, 'diverged')]), rule);
    expect(step.choice.lr.get(cond)).toBe(0.001);
  });

  it('the ladder in a run: both settings stored, the choice frozen from the deciding one, the report marks it', async () => {
    // informative so strict that the first setting can never decide: the fallback must run
    const s = study({
      pilot: {
        task: 'adding',
        taskValues: { T: 8 },
        fallback: [{ T: 4 }],
        informative: 1e-9,
        lrs: [0.001, 0.01],
        seeds: [3],
        training: { steps: 12 },
      },
    });
    const db = join(dir, 'ladder.db');
    const summary = await runStudy(s, { db, workers: 0 });
    const store = new ResultStore(db, { readonly: true });
    const rows = store.trials('phases');
    const data = loadStudyData(store, 'phases');
    store.close();
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const rungs = expandPilotRungs(s);
    expect(rungs.flat().every((t) => byKey.has(t.key))).toBe(true);
    const [lo, hi] = rungs[1].map((t) => byKey.get(t.key)!.final!.loss);
    const expected = lo <= hi ? 0.001 : 0.01;
    for (const r of rows.filter((r) => r.config.training.steps > 0 && r.config.phase !== 'pilot'))
      expect(r.config.training.optimizer.lr).toBe(expected);
    expect(summary.total).toBe(summary.ran + summary.staircase);
    const table = pilotTable(data.pilot, data.pilotInformative)!;
    expect(table.rows.map((r) => [r.task, r.chosen])).toEqual([
      ['adding (T = 8)', null],
      ['adding (T = 4)', expected],
    ]);
    expect((await runStudy(s, { db, workers: 0 })).ran).toBe(0);
  });

  it('the choice: ties go to the smaller lr, a diverged trial counts as +∞, an unfinished pilot chooses nothing', () => {
    const s = study();
    const pilot = expandPilot(s);
    const rec = (t: TrialSpec, status: StoredTrial['status'], loss: number) =>
      [t.key, { status, final: { loss } } as unknown as StoredTrial] as const;
    expect(
      choosePilotLearningRates(pilot, new Map([rec(pilot[0], 'done', 0.5), rec(pilot[1], 'done', 0.5)])).lr.get(
        'tanh|{}',
      ),
    ).toBe(0.001);
    expect(
      choosePilotLearningRates(pilot, new Map([rec(pilot[0], 'diverged', 0.1), rec(pilot[1], 'done', 0.9)])).lr.get(
        'tanh|{}',
      ),
    ).toBe(0.01);
    const partial = choosePilotLearningRates(pilot, new Map([rec(pilot[0], 'done', 0.1)]));
    expect(partial.lr.size).toBe(0);
    expect(partial.incomplete).toEqual(['tanh|{}']);
  });

  it('staircase: a condition runs the next T only if some seed solved the previous one', () => {
    const trials = expandStudy(study()).filter((t) => t.stage);
    expect(trials.map((t) => t.stage!.rank)).toEqual([0, 0, 1, 1, 2, 2]);
    const at = (rank: number) => trials.filter((t) => t.stage!.rank === rank);
    const stored = (solved: TrialSpec[], failed: TrialSpec[]) =>
      new Map([
        ...solved.map((t) => [t.key, { status: 'done', solvedAt: 10 } as unknown as StoredTrial] as const),
        ...failed.map((t) => [t.key, { status: 'done', solvedAt: null } as unknown as StoredTrial] as const),
      ]);
    expect(stageTrials(trials, 1, stored([at(0)[1]], [at(0)[0]])).run).toHaveLength(2);
    const none = stageTrials(trials, 1, stored([], at(0)));
    expect(none.run).toHaveLength(0);
    expect(none.skipped).toHaveLength(2);
    // skipped at rank 1 → skipped at rank 2 too (nothing stored at rank 1)
    expect(stageTrials(trials, 2, stored([], at(0))).skipped).toHaveLength(2);
  });

  it("staircase: the estimate's certain skips are the ranks above a complete stage that no seed solved", () => {
    const trials = expandStudy(study()).filter((t) => t.stage);
    const at = (rank: number) => trials.filter((t) => t.stage!.rank === rank);
    const keys = (ts: TrialSpec[]) => new Set(ts.map((t) => t.key));
    const stored = (entries: [TrialSpec, string, number | null][]) =>
      new Map(entries.map(([t, status, solvedAt]) => [t.key, { status, solvedAt } as unknown as StoredTrial] as const));
    // Nothing stored, or rank 0 only half stored: nothing is decided yet.
    expect(staircaseDecided(trials, new Map()).size).toBe(0);
    expect(staircaseDecided(trials, stored([[at(0)[0], 'done', null]])).size).toBe(0);
    // Rank 0 complete, no seed solved: ranks 1 and 2 are certain skips.
    const dead = stored([
      [at(0)[0], 'done', null],
      [at(0)[1], 'diverged', null],
    ]);
    expect(staircaseDecided(trials, dead)).toEqual(keys([...at(1), ...at(2)]));
    // One seed solved rank 0 and rank 1 is complete with none: only rank 2.
    const later = stored([
      [at(0)[0], 'done', 10],
      [at(0)[1], 'done', null],
      [at(1)[0], 'done', null],
      [at(1)[1], 'done', null],
    ]);
    expect(staircaseDecided(trials, later)).toEqual(keys(at(2)));
    // A failed trial runs again, so its stage is not decided.
    expect(
      staircaseDecided(
        trials,
        stored([
          [at(0)[0], 'done', null],
          [at(0)[1], 'failed', null],
        ]),
      ).size,
    ).toBe(0);
  });

  it('estimates a run from measured step times', () => {
    const trials = expandStudy(study());
    const e = estimateTrials(trials, 2);
    expect(e.seconds).toBeGreaterThan(0);
    expect(e.cpuSeconds).toBeCloseTo(2 * e.seconds, 9);
    expect(e.measurements).toBe(4); // two probe trials + the tanh model at its shortest and longest T
    expect(formatDuration(40)).toBe('40 s');
    expect(formatDuration(14 * 60)).toBe('14 min');
    expect(formatDuration(125 * 60)).toBe('2 h 05 min');
    expect(e.unrunnable).toEqual([]);
  });

  it('a model that cannot take a step is listed as unrunnable, and the models after it are still measured', () => {
    const trials = expandStudy(study()).filter((t) => t.training.steps > 0);
    // a model no backend can build stands in for one that runs out of memory
    const broken = trials.map(
      (t) => ({ ...t, model: { ...t.model, cell: { kind: 'no-such-cell' } } }) as unknown as TrialSpec,
    );
    const e = estimateTrials([...broken, ...trials], 1);
    expect(e.unrunnable).toHaveLength(1);
    expect(e.unrunnable[0].trials).toHaveLength(broken.length);
    expect(e.unrunnable[0].reason).toMatch(/no-such-cell|kind/);
    expect(e.cpuSeconds).toBeGreaterThan(0);
    expect(estimateTrials(trials, 1).unrunnable).toEqual([]);
  });
});
