/**
 * Grid expansion: a validated study → the list of trials it defines, each fully resolved (task spec with
 * defaults, model shape, training, seed, instruments) and identified by a key that hashes exactly that
 * plus everything else that changes results (the study name, the backend, recur's version), so a resumed
 * run recognises the trials already done and never reuses one computed differently.
 *
 * Trials = Σ over (task, model) pairs of  task grid × model grid × global grid × seeds — counted from the
 * axis lengths and checked against the study's limits *before* anything is expanded (see limits.ts).
 */
import { createHash } from 'node:crypto';
import type { ResolvedTaskSpec } from '../tasks/registry.js';
import type { ModelShape } from '../models/config.js';
import { RECUR_VERSION } from '../util/version.js';
import {
  StudyError,
  studyPairs,
  deepMerge,
  formatStudyIssues,
  instrumentsSchema,
  trainingSchema,
  type InstrumentsConfig,
  type PairConfig,
  type StudyBody,
  type TrainingConfig,
} from './study.js';
import { resolveLimits } from './limits.js';
import { checkTaskSpec, checkTraining, countTrials } from './bounds.js';
import {
  canonical,
  crossProduct,
  formatAxis,
  mergedTraining,
  modelConditionKey,
  modelVariantsOf,
  setPath,
  taskVariantsOf,
  withLearningRate,
} from './variants.js';

export { checkTrials } from './check-trials.js';
export { crossProduct, modelConditionKey } from './variants.js';

export interface TrialSpec {
  /** Stable identity: sha256 of the study name, the resolved trial, the backend and recur's version. */
  key: string;
  /** The backend the trial runs on ('wasm' float32 or 'reference' float64): part of its identity (always
   * set by expandStudy; absent in trials stored by recur before it was). */
  backend?: string;
  /** recur's version when the trial was defined: part of its identity (as for `backend`). */
  recur?: string;
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
  /** 'pilot' for the learning-rate pilot's trials (runner/pilot.ts); absent for the study's own trials. */
  phase?: 'pilot';
  /** Staircase position (runner/staircase.ts): the model condition's group and the rank of its T. */
  stage?: { group: string; rank: number };
}

/** What, besides the study, decides a trial's results (and so its identity). */
export interface TrialIdentity {
  /** 'wasm' or 'reference' (default 'wasm'). */
  backend?: string;
  /** Default: this recur's version. */
  recur?: string;
}

/** The identity fields that go into every trial's body (and so its key). */
export function identityOf(identity: TrialIdentity = {}): { backend: string; recur: string } {
  return { backend: identity.backend ?? 'wasm', recur: identity.recur ?? RECUR_VERSION };
}

/** The trial key: sha256 of the study name and the resolved trial body. */
export function trialKey(studyName: string, body: Record<string, unknown>): string {
  return createHash('sha256')
    .update(`${studyName}\n${canonical(body)}`)
    .digest('hex')
    .slice(0, 32);
}

export interface ExpandOptions extends TrialIdentity {
  /** Learning rates chosen by the pilot, by modelConditionKey: they replace the training's lr. */
  lr?: ReadonlyMap<string, number>;
}

/**
 * The key this trial had before trial identity included the backend and recur's version (stores written
 * by earlier versions use it): lets a resumed run adopt those trials instead of running them again.
 */
export function legacyKey(trial: TrialSpec): string {
  const body = {
    task: trial.task,
    model: trial.model,
    training: trial.training,
    seed: trial.seed,
    instruments: trial.instruments,
  };
  return trialKey(trial.study, trial.phase ? { phase: trial.phase, ...body } : body);
}

/** Expand a study into its trials; throws StudyError for grids that produce invalid configs or pass a limit. */
export function expandStudy(study: StudyBody, source = study.name, options: ExpandOptions = {}): TrialSpec[] {
  const limits = resolveLimits(study.limits);
  const seeds = Array.isArray(study.seeds) ? study.seeds : Array.from({ length: study.seeds }, (_, i) => i + 1);
  const pairs = studyPairs(study);
  for (const [i, p] of pairs.entries()) {
    for (const t of p.tasks)
      if (!Object.hasOwn(study.tasks, t))
        throw new StudyError(
          `${source}: pairs[${i}].tasks: no task named "${t}" (known: ${Object.keys(study.tasks).join(', ')})`,
        );
    for (const m of p.models)
      if (!Object.hasOwn(study.models, m))
        throw new StudyError(
          `${source}: pairs[${i}].models: no model named "${m}" (known: ${Object.keys(study.models).join(', ')})`,
        );
  }
  countTrials(study, source, limits);
  const identity = identityOf(options);
  const globalCombos = crossProduct(study.grid);
  for (const path of Object.keys(study.grid ?? {})) {
    if (!path.startsWith('training.'))
      throw new StudyError(`${source}: grid axis "${path}": global grid axes must start with "training."`);
  }
  const trainingsOf = (pair: PairConfig, i: number) => {
    let base = mergedTraining(study, pair.training, `${source}: pairs[${i}].training`);
    // A probe-only trial keeps only what it uses, so that editing the training budget leaves its key alone.
    if (base.steps === 0) base = { steps: 0, batchSize: base.batchSize, optimizer: base.optimizer };
    return globalCombos.map((combo) => {
      let root: Record<string, unknown> = { training: base };
      for (const [path, v] of Object.entries(combo)) root = setPath(root, path, v, `${source}: grid`);
      const where = `${source}: ${Object.keys(combo).length ? `grid ${JSON.stringify(combo)}: ` : ''}training`;
      const r = trainingSchema.safeParse(root.training);
      if (!r.success) throw new StudyError(formatStudyIssues(where, r.error, root.training));
      checkTraining(r.data, where, limits);
      return { combo, training: r.data };
    });
  };
  const instrumentsOf = (pair: PairConfig, i: number): InstrumentsConfig => {
    if (!pair.instruments) return study.instruments;
    const merged = deepMerge(study.instruments, pair.instruments);
    const r = instrumentsSchema.safeParse(merged);
    if (!r.success) throw new StudyError(formatStudyIssues(`${source}: pairs[${i}].instruments`, r.error, merged));
    return r.data;
  };
  const taskVariants = new Map(
    Object.keys(study.tasks).map((name) => {
      const variants = taskVariantsOf(study, name, source);
      for (const v of variants)
        checkTaskSpec(
          v.spec,
          `${source}: ${Object.keys(v.combo).length ? `grid ${JSON.stringify(v.combo)}: ` : ''}tasks.${name}`,
          limits,
        );
      return [name, variants];
    }),
  );
  const modelVariants = new Map(Object.keys(study.models).map((name) => [name, modelVariantsOf(study, name, source)]));
  const trials: TrialSpec[] = [];
  const seen = new Set<string>();
  for (const [pi, pair] of pairs.entries()) {
    const trainings = trainingsOf(pair, pi),
      instruments = instrumentsOf(pair, pi);
    for (const taskName of pair.tasks)
      for (const tv of taskVariants.get(taskName)!) {
        const rank = pair.staircase ? stairRank(taskVariants.get(taskName)!, tv.spec) : -1;
        for (const modelName of pair.models)
          for (const mv of modelVariants.get(modelName)!) {
            const lr = options.lr?.get(modelConditionKey(modelName, mv.combo));
            for (const tr of trainings)
              for (const seed of pair.seeds ?? seeds) {
                const training =
                  lr !== undefined && tr.training.steps > 0 ? withLearningRate(tr.training, lr) : tr.training;
                const body = { task: tv.spec, model: mv.shape, training, seed, instruments, ...identity };
                const key = trialKey(study.name, body);
                if (seen.has(key)) continue; // pairs may overlap
                seen.add(key);
                const axes: Record<string, unknown> = {};
                for (const [k, v] of Object.entries(tv.combo)) axes[`task.${k}`] = v;
                for (const [k, v] of Object.entries(mv.combo)) axes[`model.${k}`] = v;
                for (const [k, v] of Object.entries(tr.combo)) axes[k] = v;
                const parts = [
                  modelName,
                  taskName,
                  ...Object.entries(axes).map(([k, v]) => `${k.replace(/^(task|model)\./, '')}=${formatAxis(v)}`),
                  `seed ${seed}`,
                ];
                const trial: TrialSpec = {
                  key,
                  ...identity,
                  index: trials.length,
                  label: parts.join(' · '),
                  study: study.name,
                  taskName,
                  task: tv.spec,
                  modelName,
                  model: mv.shape,
                  training,
                  seed,
                  instruments,
                  axes,
                };
                if (rank >= 0) {
                  const { T: _T, ...rest } = tv.combo;
                  trial.stage = {
                    group: `${pi}|${taskName}|${canonical(rest)}|${modelConditionKey(modelName, mv.combo)}|${canonical(tr.combo)}`,
                    rank,
                  };
                }
                trials.push(trial);
              }
          }
      }
  }
  return trials;
}

/** The rank of a task variant's T among the distinct T values of its entry (ascending). */
function stairRank(variants: { spec: ResolvedTaskSpec }[], spec: ResolvedTaskSpec): number {
  const Ts = [...new Set(variants.map((v) => Number((v.spec as { T?: unknown }).T)))].sort((a, b) => a - b);
  const r = Ts.indexOf(Number((spec as { T?: unknown }).T));
  if (r < 0 || Ts.some((t) => !Number.isFinite(t)))
    throw new StudyError(`staircase: task '${spec.kind}' has no numeric T`);
  return r;
}
