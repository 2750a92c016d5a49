/**
 * The learning-rate pilot: one learning rate per model condition, chosen by a recorded pilot and then frozen.
 *
 *   pilot trials  = model conditions (default: every one that trains) × pilot.lrs × pilot.seeds, each trained
 *                   on the pilot task with the study's training merged with pilot.training, lr set in the
 *                   optimizer and the schedule; stored like any trial, with phase 'pilot'
 *   choice(m)     = argmin over lr of the mean final evaluation loss of m's pilot trials at that lr; a
 *                   diverged or failed trial counts as +∞; ties go to the smaller lr
 *
 * The choice is a pure function of the stored pilot trials, so a resumed study recomputes the same choice,
 * and the report shows the whole pilot table next to it.
 */
import type { StoredTrial } from './store.js';
import {
  identityOf,
  mergedTraining,
  modelConditionKey,
  modelVariantsOf,
  setPath,
  trialKey,
  withLearningRate,
  type TrialIdentity,
  type TrialSpec,
} from './grid.js';
import { StudyError, studyPairs, type StudyBody } from './study.js';
import { parseTaskSpec, type ResolvedTaskSpec } from '../tasks/registry.js';

/** The pilot's trials (empty without a pilot section). */
export function expandPilot(study: StudyBody, source = study.name, identity: TrialIdentity = {}): TrialSpec[] {
  const pilot = study.pilot;
  if (!pilot) return [];
  const id = identityOf(identity);
  const entry = Object.hasOwn(study.tasks, pilot.task) ? study.tasks[pilot.task] : undefined;
  if (!entry)
    throw new StudyError(
      `${source}: pilot.task: no task named "${pilot.task}" (known: ${Object.keys(study.tasks).join(', ')})`,
    );
  const { grid: _grid, ...base } = entry;
  let spec: Record<string, unknown> = base;
  for (const [path, v] of Object.entries(pilot.taskValues ?? {}))
    spec = setPath(spec, path, v, `${source}: pilot.taskValues`);
  let task: ResolvedTaskSpec;
  try {
    task = parseTaskSpec(spec, `pilot task ${pilot.task}`);
  } catch (e) {
    throw new StudyError(`${source}: pilot: ${(e as Error).message}`);
  }
  const training = mergedTraining(study, pilot.training, `${source}: pilot.training`);
  if (training.steps === 0) throw new StudyError(`${source}: pilot.training: a pilot must train (steps > 0)`);
  const names = pilot.models ?? trainedModels(study);
  for (const m of names)
    if (!Object.hasOwn(study.models, m))
      throw new StudyError(
        `${source}: pilot.models: no model named "${m}" (known: ${Object.keys(study.models).join(', ')})`,
      );
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
            modelName,
            ...Object.entries(mv.combo).map(([k, v]) => `${k}=${String(v)}`),
            `lr=${lr}`,
            `seed ${seed}`,
          ];
          trials.push({
            key: trialKey(study.name, body),
            ...id,
            index: trials.length,
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
  /** Per condition and lr: the mean final evaluation loss (+∞ when a trial diverged or failed). */
  table: { condition: string; lr: number; loss: number; trials: number; chosen: boolean }[];
  /** Conditions with a pilot trial missing (the pilot has not finished): no choice for them. */
  incomplete: string[];
}

/** Choose each condition's lr from its stored pilot trials (see the header). */
export function choosePilotLearningRates(
  pilotTrials: readonly TrialSpec[],
  stored: ReadonlyMap<string, StoredTrial>,
): PilotChoice {
  const byCondition = new Map<string, Map<number, number[]>>();
  const incomplete = new Set<string>();
  for (const t of pilotTrials) {
    const condition = modelConditionKey(t.modelName, modelCombo(t));
    const lr = t.training.optimizer.lr as number;
    const rec = stored.get(t.key);
    if (!rec) {
      incomplete.add(condition);
      continue;
    }
    const loss = rec.status === 'done' && rec.final && Number.isFinite(rec.final.loss) ? rec.final.loss : Infinity;
    const lrs = byCondition.get(condition) ?? new Map<number, number[]>();
    byCondition.set(condition, lrs);
    lrs.set(lr, [...(lrs.get(lr) ?? []), loss]);
  }
  const choice: PilotChoice = { lr: new Map(), table: [], incomplete: [...incomplete] };
  for (const [condition, lrs] of byCondition) {
    if (incomplete.has(condition)) continue;
    const rows = [...lrs]
      .map(([lr, losses]) => ({ lr, loss: losses.reduce((a, b) => a + b, 0) / losses.length, trials: losses.length }))
      .sort((a, b) => a.lr - b.lr);
    let best = rows[0];
    for (const r of rows) if (r.loss < best.loss) best = r;
    choice.lr.set(condition, best.lr);
    for (const r of rows) choice.table.push({ condition, ...r, chosen: r === best });
  }
  return choice;
}

/** The model grid values of a trial (its axes under model.*). */
function modelCombo(t: TrialSpec): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(t.axes)
      .filter(([k]) => k.startsWith('model.'))
      .map(([k, v]) => [k.slice(6), v]),
  );
}
