/**
 * Grid expansion: a validated study → the list of trials it defines, each fully resolved (task spec with
 * defaults, model shape, training, seed, instruments) and identified by a key that hashes exactly that
 * (plus the study name), so a resumed run recognises the trials already done.
 *
 * Trials = Σ over (task, model) pairs of  task grid × model grid × global grid × seeds.
 */
import { createHash } from 'node:crypto';
import { createTask, parseTaskSpec, type ResolvedTaskSpec } from '../tasks/registry.js';
import type { Task } from '../tasks/task.js';
import { Model } from '../models/model.js';
import { referenceBackend } from '../kernels/reference/index.js';
import { modelShapeSchema, type ModelShape } from '../models/config.js';
import { StudyError, trainingSchema, type InstrumentsConfig, type StudyBody, type TrainingConfig } from './study.js';
import { formatStudyIssues } from './study.js';

export interface TrialSpec {
  /** Stable identity: sha256 of the study name and the resolved trial. */
  key: string;
  /** Position in the study's trial list (for ordering). */
  index: number;
  /** Human-readable, e.g. "deep · adding · cell.depth=4 · T=50 · seed 2". */
  label: string;
  study: string;
  taskName: string;
  task: ResolvedTaskSpec;
  modelName: string;
  model: ModelShape;
  training: TrainingConfig;
  seed: number;
  instruments: InstrumentsConfig;
  /** The grid values that distinguish this trial (task.*, model.*, training.* paths), for grouping. */
  axes: Record<string, unknown>;
}

/** Upper limit on the trials one study may define (an accidental cross product is a mistake). */
export const MAX_TRIALS = 100_000;

type Combo = Record<string, unknown>;

/** Every combination of the axes' values, in a fixed order (later axes vary fastest). */
export function crossProduct(grid: Record<string, readonly unknown[]> | undefined): Combo[] {
  let combos: Combo[] = [{}];
  for (const [axis, values] of Object.entries(grid ?? {})) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v })));
  }
  return combos;
}

/** Set a dotted path inside a copy of `obj`; every intermediate object must exist already. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown, where: string): Record<string, unknown> {
  const keys = path.split('.');
  const root = structuredClone(obj);
  let cur: Record<string, unknown> = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = cur[keys[i]];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new StudyError(`${where}: grid axis "${path}": "${keys.slice(0, i + 1).join('.')}" is not an object in this entry`);
    }
    cur = next as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
  return root;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function formatAxis(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Expand a study into its trials; throws StudyError for grids that produce invalid configs. */
export function expandStudy(study: StudyBody, source = study.name): TrialSpec[] {
  const seeds = Array.isArray(study.seeds) ? study.seeds : Array.from({ length: study.seeds }, (_, i) => i + 1);
  const pairs = study.pairs ?? [{ tasks: Object.keys(study.tasks), models: Object.keys(study.models) }];
  for (const [i, p] of pairs.entries()) {
    for (const t of p.tasks) if (!study.tasks[t]) throw new StudyError(`${source}: pairs[${i}].tasks: no task named "${t}" (known: ${Object.keys(study.tasks).join(', ')})`);
    for (const m of p.models) if (!study.models[m]) throw new StudyError(`${source}: pairs[${i}].models: no model named "${m}" (known: ${Object.keys(study.models).join(', ')})`);
  }
  const globalCombos = crossProduct(study.grid);
  const trainings = globalCombos.map((combo) => {
    let root: Record<string, unknown> = { training: study.training };
    for (const [path, v] of Object.entries(combo)) {
      if (!path.startsWith('training.')) throw new StudyError(`${source}: grid axis "${path}": global grid axes must start with "training."`);
      root = setPath(root, path, v, `${source}: grid`);
    }
    const r = trainingSchema.safeParse(root.training);
    if (!r.success) throw new StudyError(formatStudyIssues(`${source}: grid ${JSON.stringify(combo)}: training`, r.error, root.training));
    return { combo, training: r.data };
  });
  const taskVariants = new Map<string, { combo: Combo; spec: ResolvedTaskSpec }[]>();
  for (const [name, entry] of Object.entries(study.tasks)) {
    const { grid, ...base } = entry;
    taskVariants.set(name, crossProduct(grid).map((combo) => {
      let spec: Record<string, unknown> = base;
      for (const [path, v] of Object.entries(combo)) spec = setPath(spec, path, v, `${source}: tasks.${name}`);
      try {
        return { combo, spec: parseTaskSpec(spec, `tasks.${name}`) };
      } catch (e) {
        throw new StudyError(`${source}: ${Object.keys(combo).length ? `grid ${JSON.stringify(combo)}: ` : ''}${(e as Error).message}`);
      }
    }));
  }
  const modelVariants = new Map<string, { combo: Combo; shape: ModelShape }[]>();
  for (const [name, entry] of Object.entries(study.models)) {
    const { grid, ...base } = entry;
    modelVariants.set(name, crossProduct(grid).map((combo) => {
      let shape: Record<string, unknown> = base;
      for (const [path, v] of Object.entries(combo)) shape = setPath(shape, path, v, `${source}: models.${name}`);
      const r = modelShapeSchema.safeParse(shape);
      if (!r.success) throw new StudyError(formatStudyIssues(`${source}: models.${name}${Object.keys(combo).length ? ` (grid ${JSON.stringify(combo)})` : ''}`, r.error, shape));
      return { combo, shape: r.data };
    }));
  }
  const count = pairs.reduce((s, p) => s + p.tasks.reduce((a, t) => a + taskVariants.get(t)!.length, 0)
    * p.models.reduce((a, m) => a + modelVariants.get(m)!.length, 0), 0) * trainings.length * seeds.length;
  if (count > MAX_TRIALS) throw new StudyError(`${source}: the grid defines ${count} trials, more than the limit of ${MAX_TRIALS}`);
  const trials: TrialSpec[] = [];
  const seen = new Set<string>();
  for (const pair of pairs) {
    for (const taskName of pair.tasks) for (const tv of taskVariants.get(taskName)!) {
      for (const modelName of pair.models) for (const mv of modelVariants.get(modelName)!) {
        for (const tr of trainings) for (const seed of seeds) {
          const body = { task: tv.spec, model: mv.shape, training: tr.training, seed, instruments: study.instruments };
          const key = createHash('sha256').update(`${study.name}\n${canonical(body)}`).digest('hex').slice(0, 32);
          if (seen.has(key)) continue; // pairs may overlap
          seen.add(key);
          const axes: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(tv.combo)) axes[`task.${k}`] = v;
          for (const [k, v] of Object.entries(mv.combo)) axes[`model.${k}`] = v;
          for (const [k, v] of Object.entries(tr.combo)) axes[k] = v;
          const parts = [modelName, taskName, ...Object.entries(axes).map(([k, v]) => `${k.replace(/^(task|model)\./, '')}=${formatAxis(v)}`), `seed ${seed}`];
          trials.push({ key, index: trials.length, label: parts.join(' · '), study: study.name, taskName, task: tv.spec, modelName, model: mv.shape, training: tr.training, seed, instruments: study.instruments, axes });
        }
      }
    }
  }
  return trials;
}

/**
 * Check that every trial can be built before anything runs: each distinct task is constructed (files
 * found, data loadable) and each distinct model is built for its task's sizes (on the float64 reference
 * backend; nothing is trained). Throws a StudyError naming the entry.
 */
export function checkTrials(trials: readonly TrialSpec[], source: string): void {
  const tasks = new Map<string, Task>();
  const models = new Set<string>();
  for (const trial of trials) {
    const tk = canonical(trial.task);
    let task = tasks.get(tk);
    if (!task) {
      try {
        task = createTask(trial.task);
      } catch (e) {
        throw new StudyError(`${source}: tasks.${trial.taskName}: ${(e as Error).message.replace(/^invalid task spec:\n/, '')}`);
      }
      tasks.set(tk, task);
    }
    const mk = `${canonical(trial.model)}|${task.inputSize}|${task.outputSize}|${task.target}`;
    if (models.has(mk)) continue;
    models.add(mk);
    try {
      const model = new Model({ ...trial.model, inputSize: task.inputSize, outputSize: task.outputSize, target: task.target }, referenceBackend, 0);
      for (const p of model.parameters()) p.dispose();
    } catch (e) {
      throw new StudyError(`${source}: models.${trial.modelName} on task ${trial.taskName}: ${(e as Error).message}`);
    }
  }
}
