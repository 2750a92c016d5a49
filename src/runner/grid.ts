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
import { createTask, parseTaskSpec, type ResolvedTaskSpec } from '../tasks/registry.js';
import type { Task } from '../tasks/task.js';
import { Model, type ModelConfig } from '../models/model.js';
import { referenceBackend } from '../kernels/reference/index.js';
import { parseModelConfig, writtenModelShapeSchema, type ModelShape } from '../models/config.js';
import { modelSize } from '../models/size.js';
import { RECUR_VERSION } from '../util/version.js';
import {
  StudyError,
  studyPairs, deepMerge, formatStudyIssues, instrumentsSchema, trainingSchema, type InstrumentsConfig, type PairConfig, type StudyBody,
  type TrainingConfig,
} from './study.js';
import { formatCount, raiseHint, resolveLimits, type StudyLimits } from './limits.js';
import { checkTaskSpec, checkTraining, countTrials, miniature } from './bounds.js';

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

/** A canonical JSON text of a value (object keys sorted): equal values, equal texts. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function formatAxis(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The identity of a model condition (study model name + its grid values): the pilot's unit. */
export function modelConditionKey(modelName: string, combo: Combo): string {
  return `${modelName}|${canonical(combo)}`;
}

/** Each variant of a task entry (its grid expanded), resolved and validated. */
export function taskVariantsOf(study: StudyBody, name: string, source: string): { combo: Combo; spec: ResolvedTaskSpec }[] {
  const { grid, ...base } = study.tasks[name];
  return crossProduct(grid).map((combo) => {
    let spec: Record<string, unknown> = base;
    for (const [path, v] of Object.entries(combo)) spec = setPath(spec, path, v, `${source}: tasks.${name}`);
    try {
      return { combo, spec: parseTaskSpec(spec, `tasks.${name}`) };
    } catch (e) {
      throw new StudyError(`${source}: ${Object.keys(combo).length ? `grid ${JSON.stringify(combo)}: ` : ''}${(e as Error).message}`);
    }
  });
}

/** Each variant of a model entry (its grid expanded), validated. */
export function modelVariantsOf(study: StudyBody, name: string, source: string): { combo: Combo; shape: ModelShape }[] {
  const { grid, ...base } = study.models[name];
  return crossProduct(grid).map((combo) => {
    let shape: Record<string, unknown> = base;
    for (const [path, v] of Object.entries(combo)) shape = setPath(shape, path, v, `${source}: models.${name}`);
    const r = writtenModelShapeSchema.safeParse(shape);
    if (!r.success) throw new StudyError(formatStudyIssues(`${source}: models.${name}${Object.keys(combo).length ? ` (grid ${JSON.stringify(combo)})` : ''}`, r.error, shape));
    return { combo, shape: r.data };
  });
}

/** The study's training merged with `over` (a pair's or the pilot's), validated. */
export function mergedTraining(study: StudyBody, over: Record<string, unknown> | undefined, where: string): TrainingConfig {
  const merged = deepMerge(study.training, over ?? {});
  const r = trainingSchema.safeParse(merged);
  if (!r.success) throw new StudyError(formatStudyIssues(where, r.error, merged));
  return r.data;
}

/** `training` with its learning rate (optimizer, and schedule when it has one) set to `lr`. */
export function withLearningRate(training: TrainingConfig, lr: number): TrainingConfig {
  const out = structuredClone(training);
  out.optimizer = { ...out.optimizer, lr };
  if (out.schedule && 'lr' in out.schedule) out.schedule = { ...out.schedule, lr } as typeof out.schedule;
  return out;
}

/** The trial key: sha256 of the study name and the resolved trial body. */
export function trialKey(studyName: string, body: Record<string, unknown>): string {
  return createHash('sha256').update(`${studyName}\n${canonical(body)}`).digest('hex').slice(0, 32);
}

/**
 * trialKey(studyName, body) from the canonical texts of body's fields (canonical(body[k]) for each k), so a
 * study's shared parts (task, model, training, instruments) are made canonical once, not once per trial:
 * the same key, since canonical() writes an object as its sorted keys with their canonical values.
 */
export function trialKeyOfParts(studyName: string, parts: Record<string, string>): string {
  const text = `{${Object.keys(parts).sort().map((k) => `${JSON.stringify(k)}:${parts[k]}`).join(',')}}`;
  return createHash('sha256').update(`${studyName}\n${text}`).digest('hex').slice(0, 32);
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
  const body = { task: trial.task, model: trial.model, training: trial.training, seed: trial.seed, instruments: trial.instruments };
  return trialKey(trial.study, trial.phase ? { phase: trial.phase, ...body } : body);
}

/** Expand a study into its trials; throws StudyError for grids that produce invalid configs or pass a limit. */
export function expandStudy(study: StudyBody, source = study.name, options: ExpandOptions = {}): TrialSpec[] {
  const limits = resolveLimits(study.limits);
  const seeds = Array.isArray(study.seeds) ? study.seeds : Array.from({ length: study.seeds }, (_, i) => i + 1);
  const pairs = studyPairs(study);
  for (const [i, p] of pairs.entries()) {
    for (const t of p.tasks) if (!Object.hasOwn(study.tasks, t)) throw new StudyError(`${source}: pairs[${i}].tasks: no task named "${t}" (known: ${Object.keys(study.tasks).join(', ')})`);
    for (const m of p.models) if (!Object.hasOwn(study.models, m)) throw new StudyError(`${source}: pairs[${i}].models: no model named "${m}" (known: ${Object.keys(study.models).join(', ')})`);
  }
  countTrials(study, source, limits);
  const identity = identityOf(options);
  const globalCombos = crossProduct(study.grid);
  for (const path of Object.keys(study.grid ?? {})) {
    if (!path.startsWith('training.')) throw new StudyError(`${source}: grid axis "${path}": global grid axes must start with "training."`);
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
  const taskVariants = new Map(Object.keys(study.tasks).map((name) => {
    const variants = taskVariantsOf(study, name, source);
    for (const v of variants) checkTaskSpec(v.spec, `${source}: ${Object.keys(v.combo).length ? `grid ${JSON.stringify(v.combo)}: ` : ''}tasks.${name}`, limits);
    return [name, variants];
  }));
  const modelVariants = new Map(Object.keys(study.models).map((name) => [name, modelVariantsOf(study, name, source)]));
  const trials: TrialSpec[] = [];
  const seen = new Set<string>();
  const texts = new WeakMap<object, string>(); // canonical texts of the shared parts, made once
  const text = (v: object): string => {
    let t = texts.get(v);
    if (t === undefined) texts.set(v, (t = canonical(v)));
    return t;
  };
  const identityText = { backend: JSON.stringify(identity.backend), recur: JSON.stringify(identity.recur) };
  for (const [pi, pair] of pairs.entries()) {
    const trainings = trainingsOf(pair, pi), instruments = instrumentsOf(pair, pi);
    for (const taskName of pair.tasks) for (const tv of taskVariants.get(taskName)!) {
      const rank = pair.staircase ? stairRank(taskVariants.get(taskName)!, tv.spec) : -1;
      for (const modelName of pair.models) for (const mv of modelVariants.get(modelName)!) {
        const lr = options.lr?.get(modelConditionKey(modelName, mv.combo));
        for (const tr of trainings) {
          const training = lr !== undefined && tr.training.steps > 0 ? withLearningRate(tr.training, lr) : tr.training;
          for (const seed of pair.seeds ?? seeds) {
            // = trialKey(study.name, { task, model, training, seed, instruments, ...identity })
            const key = trialKeyOfParts(study.name, { task: text(tv.spec), model: text(mv.shape), training: text(training), seed: canonical(seed), instruments: text(instruments), ...identityText });
            if (seen.has(key)) continue; // pairs may overlap
            seen.add(key);
            const axes: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(tv.combo)) axes[`task.${k}`] = v;
            for (const [k, v] of Object.entries(mv.combo)) axes[`model.${k}`] = v;
            for (const [k, v] of Object.entries(tr.combo)) axes[k] = v;
            const parts = [modelName, taskName, ...Object.entries(axes).map(([k, v]) => `${k.replace(/^(task|model)\./, '')}=${formatAxis(v)}`), `seed ${seed}`];
            const trial: TrialSpec = { key, ...identity, index: trials.length, label: parts.join(' · '), study: study.name, taskName, task: tv.spec, modelName, model: mv.shape, training, seed, instruments, axes };
            if (rank >= 0) {
              const { T: _T, ...rest } = tv.combo;
              trial.stage = { group: `${pi}|${taskName}|${canonical(rest)}|${modelConditionKey(modelName, mv.combo)}|${canonical(tr.combo)}`, rank };
            }
            trials.push(trial);
          }
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
  if (r < 0 || Ts.some((t) => !Number.isFinite(t))) throw new StudyError(`staircase: task '${spec.kind}' has no numeric T`);
  return r;
}

/**
 * Check that every trial can be built before anything runs: each distinct task is constructed (files
 * found, data loadable), each distinct model's config is validated and its size counted from the config
 * against the limits (parameters; activations of T × batch × per-step state), and a miniature of it is
 * built to catch what only a cell's constructor checks. No full-size model is allocated. Throws a
 * StudyError naming the entry.
 */
export function checkTrials(trials: readonly TrialSpec[], source: string, limits: StudyLimits = resolveLimits(undefined)): void {
  const tasks = new Map<string, Task>();
  const models = new Map<string, ReturnType<typeof modelSize>>();
  const canon = new WeakMap<object, string>(); // trials share their task and model objects: canonicalise each once
  const c = (v: object): string => canon.get(v) ?? (canon.set(v, canonical(v)), canon.get(v)!);
  for (const trial of trials) {
    const tk = c(trial.task);
    let task = tasks.get(tk);
    if (!task) {
      try {
        task = createTask(trial.task);
      } catch (e) {
        throw new StudyError(`${source}: tasks.${trial.taskName}: ${(e as Error).message.replace(/^invalid task spec:\n/, '')}`);
      }
      tasks.set(tk, task);
    }
    const where = `${source}: models.${trial.modelName} on task ${trial.taskName}`;
    const mk = `${c(trial.model)}|${task.inputSize}|${task.outputSize}|${task.target}`;
    let size = models.get(mk);
    if (!size) {
      let config: ModelConfig;
      try {
        config = parseModelConfig({ ...trial.model, inputSize: task.inputSize, outputSize: task.outputSize, target: task.target }, `models.${trial.modelName}`);
        size = modelSize(config);
        if (size.parameters > limits.parameters) {
          throw new StudyError(`${where}: ${formatCount(size.parameters)} parameters (hidden ${config.cell.hidden}), more than the limit of ${formatCount(limits.parameters)} ${raiseHint('parameters')}`);
        }
        const model = new Model(miniature(config), referenceBackend, 0);
        for (const p of model.parameters()) p.dispose();
      } catch (e) {
        throw e instanceof StudyError ? e : new StudyError(`${where}: ${(e as Error).message}`);
      }
      models.set(mk, size);
    }
    const tr = trial.training, ins = trial.instruments;
    const batch = Math.max(tr.batchSize, tr.evalBatchSize ?? Math.max(tr.batchSize, 64), ins.gradientThroughTime?.batchSize ?? 0, ins.jacobian?.batchSize ?? 0, ins.lyapunov?.batchSize ?? 0);
    const activations = task.T * batch * size.activationsPerStep;
    if (activations > limits.activations) {
      throw new StudyError(`${where}: T ${task.T} × batch ${batch} × ${size.activationsPerStep} values per step = ${formatCount(activations)} activations, more than the limit of ${formatCount(limits.activations)} ${raiseHint('activations')}`);
    }
  }
}
