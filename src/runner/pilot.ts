/**
 * The learning-rate pilot: one learning rate per model condition, chosen by a recorded pilot and then frozen.
 *
 *   rung r        = the pilot task at pilot.taskValues (r = 0), else at pilot.fallback[r − 1]: a ladder from
 *                   the hardest setting (e.g. T = 64) to easier ones (T = 32, 16)
 *   pilot trials  = model conditions (default: every one that trains) × pilot.lrs × pilot.seeds per rung,
 *                   each trained on the rung's task with the study's training merged with pilot.training, lr
 *                   set in the optimizer and the schedule; stored like any trial, with phase 'pilot'
 *   loss(m, r, lr) = the mean final evaluation loss of m's trials at rung r and that lr; a diverged or failed
 *                   trial counts as +∞
 *   rung(m)       = the first rung r at which some lr is informative, loss(m, r, lr) < pilot.informative ×
 *                   the task's baseline loss; the last rung when none is (a task without a baseline: rung 0).
 *                   A rung runs only for the conditions that the rungs before it left undecided.
 *   choice(m)     = argmin over lr of loss(m, rung(m), lr); ties go to the smaller lr
 *
 * The ladder keeps the choice from resting on noise: where every learning rate leaves a model at the
 * baseline (it learns nothing at the pilot's T), the rates differ only by chance, so the pilot steps down to
 * a setting where they do differ. The choice is a pure function of the stored pilot trials, so a resumed
 * study recomputes the same choice, and the report shows the whole pilot table next to it.
 */
import type { StoredTrial } from './store.js';
import { identityOf, trialKey, type TrialIdentity, type TrialSpec } from './grid.js';
import { mergedTraining, modelConditionKey, modelVariantsOf, setPath, withLearningRate } from './variants.js';
import { DEFAULT_INFORMATIVE, settingDecides } from './pilot-rule.js';
import { StudyError, studyPairs, type StudyBody } from './study.js';

export { DEFAULT_INFORMATIVE };
import { createTask, parseTaskSpec, type ResolvedTaskSpec } from '../tasks/registry.js';

/** The pilot's trials, one list per rung (empty without a pilot section); rung 0 is pilot.taskValues. */
export function expandPilotRungs(study: StudyBody, source = study.name, identity: TrialIdentity = {}): TrialSpec[][] {
  const pilot = study.pilot;
  if (!pilot) return [];
  const id = identityOf(identity);
  const entry = Object.hasOwn(study.tasks, pilot.task) ? study.tasks[pilot.task] : undefined;
  if (!entry)
    throw new StudyError(
      `${source}: pilot.task: no task named "${pilot.task}" (known: ${Object.keys(study.tasks).join(', ')})`,
    );
  const training = mergedTraining(study, pilot.training, `${source}: pilot.training`);
  if (training.steps === 0) throw new StudyError(`${source}: pilot.training: a pilot must train (steps > 0)`);
  const names = pilot.models ?? trainedModels(study);
  for (const m of names)
    if (!Object.hasOwn(study.models, m))
      throw new StudyError(
        `${source}: pilot.models: no model named "${m}" (known: ${Object.keys(study.models).join(', ')})`,
      );
  const { grid: _grid, ...base } = entry;
  const rungValues = [pilot.taskValues ?? {}, ...(pilot.fallback ?? [])];
  let index = 0;
  return rungValues.map((values, rung) => {
    const where = rung === 0 ? 'pilot.taskValues' : `pilot.fallback[${rung - 1}]`;
    let spec: Record<string, unknown> = base;
    for (const [path, v] of Object.entries(values)) spec = setPath(spec, path, v, `${source}: ${where}`);
    let task: ResolvedTaskSpec;
    try {
      task = parseTaskSpec(spec, `pilot task ${pilot.task} (${where})`);
    } catch (e) {
      throw new StudyError(`${source}: pilot: ${(e as Error).message}`);
    }
    const trials: TrialSpec[] = [];
    for (const modelName of names) {
      for (const mv of modelVariantsOf(study, modelName, source)) {
        for (const lr of pilot.lrs) {
          for (const seed of pilot.seeds) {
            const tr = withLearningRate(training, lr);
            const body = { phase: 'pilot', task, model: mv.shape, training: tr, seed, instruments: {}, ...id };
            const axes: Record<string, unknown> = {
              ...Object.fromEntries(Object.entries(mv.combo).map(([k, v]) => [`model.${k}`, v])),
              'training.optimizer.lr': lr,
            };
            const parts = [
              'pilot',
              ...Object.entries(values).map(([k, v]) => `${k}=${String(v)}`),
              modelName,
              ...Object.entries(mv.combo).map(([k, v]) => `${k}=${String(v)}`),
              `lr=${lr}`,
              `seed ${seed}`,
            ];
            trials.push({
              key: trialKey(study.name, body),
              ...id,
              index: index++,
              label: parts.join(' · '),
              study: study.name,
              taskName: pilot.task,
              task,
              modelName,
              model: mv.shape,
              training: tr,
              seed,
              instruments: {},
              axes,
              phase: 'pilot',
            });
          }
        }
      }
    }
    return trials;
  });
}

/** Every trial of every rung of the pilot (what a full pilot could run; the ladder runs a subset). */
export function expandPilot(study: StudyBody, source = study.name, identity: TrialIdentity = {}): TrialSpec[] {
  return expandPilotRungs(study, source, identity).flat();
}

/** Models that appear in a pair whose trials train (steps > 0). */
function trainedModels(study: StudyBody): string[] {
  const out = new Set<string>();
  for (const p of studyPairs(study)) {
    const steps = (p.training as { steps?: number } | undefined)?.steps ?? study.training.steps;
    if (steps > 0) for (const m of p.models) out.add(m);
  }
  return [...out];
}

export interface PilotChoice {
  /** modelConditionKey → chosen lr. */
  lr: Map<string, number>;
  /**
   * Per condition, rung and lr: the mean final evaluation loss (+∞ when a trial diverged or failed); `chosen`
   * marks the frozen rate, `deciding` the rows of the rung that chose it.
   */
  table: {
    condition: string;
    rung: number;
    lr: number;
    loss: number;
    trials: number;
    chosen: boolean;
    deciding: boolean;
  }[];
  /** Conditions with a pilot trial missing (the pilot has not finished): no choice for them. */
  incomplete: string[];
}

/** Where the ladder stands: the trials it holds so far, those still to run, and the choice made so far. */
export interface PilotStep {
  /** Every condition's pilot trials on the rungs up to the one that decides it (or that runs next). */
  current: TrialSpec[];
  /** Trials that must run before the choice is complete (empty: it is final). */
  pending: TrialSpec[];
  choice: PilotChoice;
}

/** Options of the ladder (see the header). */
export interface PilotLadderRule {
  /** A rung decides when some lr's mean final loss is below informative × baseline (default 0.9). */
  informative?: number;
  /** The task's baseline loss at a trial's rung; null: no baseline, the rung decides. */
  baselineOf?: (trial: TrialSpec) => number | null;
}

export { settingDecides };

/** The baseline loss of a trial's task (cached per task spec): what answering without memory scores. */
export function taskBaseline(): (trial: TrialSpec) => number | null {
  const cache = new Map<string, number | null>();
  return (trial) => {
    const key = JSON.stringify(trial.task);
    if (!cache.has(key)) {
      const b = createTask(trial.task).baseline;
      cache.set(key, typeof b === 'number' && Number.isFinite(b) ? b : null);
    }
    return cache.get(key) ?? null;
  };
}

/** Walk each condition down the ladder as far as its stored pilot trials allow (see the header). */
export function pilotStep(
  rungs: readonly (readonly TrialSpec[])[],
  stored: ReadonlyMap<string, StoredTrial>,
  rule: PilotLadderRule = {},
): PilotStep {
  const informative = rule.informative ?? DEFAULT_INFORMATIVE;
  const byCondition = new Map<string, TrialSpec[][]>();
  rungs.forEach((trials, r) => {
    for (const t of trials) {
      const c = modelConditionKey(t.modelName, modelCombo(t));
      const perRung = byCondition.get(c) ?? rungs.map(() => []);
      byCondition.set(c, perRung);
      perRung[r].push(t);
    }
  });
  const step: PilotStep = { current: [], pending: [], choice: { lr: new Map(), table: [], incomplete: [] } };
  for (const [condition, perRung] of byCondition) {
    for (let r = 0; r < perRung.length; r++) {
      const trials = perRung[r];
      step.current.push(...trials);
      const missing = trials.filter((t) => !stored.has(t.key));
      if (missing.length) {
        step.pending.push(...missing);
        step.choice.incomplete.push(condition);
        break;
      }
      const rows = meanLossByLr(trials, stored);
      let best = rows[0];
      for (const row of rows) if (row.loss < best.loss) best = row;
      const baseline = trials.length && rule.baselineOf ? rule.baselineOf(trials[0]) : null;
      const decides = settingDecides(best.loss, baseline, informative, r === perRung.length - 1);
      for (const row of rows)
        step.choice.table.push({ condition, rung: r, ...row, chosen: decides && row === best, deciding: decides });
      if (decides) {
        step.choice.lr.set(condition, best.lr);
        break;
      }
    }
  }
  return step;
}

/** Per lr (ascending): the mean final evaluation loss of `trials` (+∞ for a diverged or failed trial). */
function meanLossByLr(
  trials: readonly TrialSpec[],
  stored: ReadonlyMap<string, StoredTrial>,
): { lr: number; loss: number; trials: number }[] {
  const byLr = new Map<number, number[]>();
  for (const t of trials) {
    const rec = stored.get(t.key);
    const loss = rec?.status === 'done' && rec.final && Number.isFinite(rec.final.loss) ? rec.final.loss : Infinity;
    const lr = t.training.optimizer.lr as number;
    byLr.set(lr, [...(byLr.get(lr) ?? []), loss]);
  }
  return [...byLr]
    .map(([lr, losses]) => ({ lr, loss: losses.reduce((a, b) => a + b, 0) / losses.length, trials: losses.length }))
    .sort((a, b) => a.lr - b.lr);
}

/** The choice from a one-rung pilot's stored trials (rung 0 decides whatever it shows). */
export function choosePilotLearningRates(
  pilotTrials: readonly TrialSpec[],
  stored: ReadonlyMap<string, StoredTrial>,
): PilotChoice {
  return pilotStep([pilotTrials], stored).choice;
}

/** The model grid values of a trial (its axes under model.*). */
function modelCombo(t: TrialSpec): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(t.axes)
      .filter(([k]) => k.startsWith('model.'))
      .map(([k, v]) => [k.slice(6), v]),
  );
}
