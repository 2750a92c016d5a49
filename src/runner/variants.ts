/**
 * A study's grids: the cross product of axis values, dotted paths set in copies of an entry, each task and
 * model entry expanded into its validated variants, the merged training and the pilot's learning rate, and
 * the canonical JSON text that trial keys and model-condition keys are built from (runner/grid.ts uses these).
 */
import { parseTaskSpec, type ResolvedTaskSpec } from '../tasks/registry.js';
import { writtenModelShapeSchema, type ModelShape } from '../models/config.js';
import {
  StudyError,
  deepMerge,
  formatStudyIssues,
  trainingSchema,
  type StudyBody,
  type TrainingConfig,
} from './study.js';

export type Combo = Record<string, unknown>;

/** Every combination of the axes' values, in a fixed order (later axes vary fastest). */
export function crossProduct(grid: Record<string, readonly unknown[]> | undefined): Combo[] {
  let combos: Combo[] = [{}];
  for (const [axis, values] of Object.entries(grid ?? {})) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v })));
  }
  return combos;
}

/** Set a dotted path inside a copy of `obj`; every intermediate object must exist already. */
export function setPath(
  obj: Record<string, unknown>,
  path: string,
  value: unknown,
  where: string,
): Record<string, unknown> {
  const keys = path.split('.');
  const root = structuredClone(obj);
  let cur: Record<string, unknown> = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = cur[keys[i]];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new StudyError(
        `${where}: grid axis "${path}": "${keys.slice(0, i + 1).join('.')}" is not an object in this entry`,
      );
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
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A grid value in a trial label (objects as JSON). */
export function formatAxis(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The identity of a model condition (study model name + its grid values): the pilot's unit. */
export function modelConditionKey(modelName: string, combo: Combo): string {
  return `${modelName}|${canonical(combo)}`;
}

/** Each variant of a task entry (its grid expanded), resolved and validated. */
export function taskVariantsOf(
  study: StudyBody,
  name: string,
  source: string,
): { combo: Combo; spec: ResolvedTaskSpec }[] {
  const { grid, ...base } = study.tasks[name];
  return crossProduct(grid).map((combo) => {
    let spec: Record<string, unknown> = base;
    for (const [path, v] of Object.entries(combo)) spec = setPath(spec, path, v, `${source}: tasks.${name}`);
    try {
      return { combo, spec: parseTaskSpec(spec, `tasks.${name}`) };
    } catch (e) {
      throw new StudyError(
        `${source}: ${Object.keys(combo).length ? `grid ${JSON.stringify(combo)}: ` : ''}${(e as Error).message}`,
      );
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
    if (!r.success)
      throw new StudyError(
        formatStudyIssues(
          `${source}: models.${name}${Object.keys(combo).length ? ` (grid ${JSON.stringify(combo)})` : ''}`,
          r.error,
          shape,
        ),
      );
    return { combo, shape: r.data };
  });
}

/** The study's training merged with `over` (a pair's or the pilot's), validated. */
export function mergedTraining(
  study: StudyBody,
  over: Record<string, unknown> | undefined,
  where: string,
): TrainingConfig {
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
