/**
 * Study files (JSON or YAML): which tasks, which models, the grid over them, the training budget, the
 * instruments to record, and named profiles that override any of it (`quick`, `full`, …).
 *
 *   name: deep-transition
 *   seeds: [1, 2, 3]
 *   training: { steps: 2000, batchSize: 32, optimizer: { kind: adam, lr: 0.001 }, clipNorm: 1 }
 *   instruments: { gradientThroughTime: { at: [0, 1] } }
 *   tasks:
 *     adding: { kind: adding, grid: { T: [20, 50, 100] } }
 *   models:
 *     tanh: { cell: { kind: vanilla, hidden: 64 } }
 *     deep: { cell: { kind: deep, hidden: 64, depth: 1 }, grid: { cell.depth: [1, 2, 4, 8] } }
 *   profiles:
 *     quick: { seeds: [1], training: { steps: 300 } }
 *
 * Validation happens before anything runs and names the field, what was expected and what was found.
 */
import { basename, extname } from 'node:path';
import { z } from 'zod';
import { asWritten } from '../cells/schema.js';
import { modelShapeSchema } from '../models/config.js';
import { optimizerConfigSchema, scheduleConfigSchema } from '../optim/index.js';
import { jsonNestingDepth } from '../io/files.js';
import { limitsSchema, MAX_NESTING, nestingDepth, readBoundedText } from './limits.js';
import { DEFAULT_INFORMATIVE } from './pilot-rule.js';
import { optionalImport } from '../util/optional.js';

const yaml = await optionalImport<typeof import('yaml')>('yaml');

/** Names of tasks, models and profiles: also path parts and object keys, so no "/", "..", or "__proto__". */
const entryName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a name of letters, digits, ".", "_" or "-", starting with a letter or digit');
/** A list in a study file longer than this is a mistake (or a bomb) whatever the limits say. */
const MAX_LIST = 100_000;

const gridSchema = z.record(
  z.string().min(1),
  z.array(z.unknown()).min(1, 'a grid axis needs at least one value').max(MAX_LIST),
);

const taskEntrySchema = z.looseObject({ kind: z.string(), grid: gridSchema.optional() });
const modelEntrySchema = asWritten(modelShapeSchema.extend({ grid: gridSchema.optional() })); // stored as written: no defaults in trial keys

export const trainingSchema = z.strictObject({
  /** Optimisation steps; 0 makes a probe-only trial (instruments at initialisation, no training). */
  steps: z.number().int().min(0),
  batchSize: z.number().int().min(1).max(4096),
  optimizer: optimizerConfigSchema,
  schedule: scheduleConfigSchema.optional(),
  clipNorm: z.number().positive().optional(),
  clipValue: z.number().positive().optional(),
  evalEvery: z.number().int().min(1).optional(),
  evalBatches: z.number().int().min(1).optional(),
  evalBatchSize: z.number().int().min(1).optional(),
  stopWhenSolved: z.boolean().optional(),
  earlyStopping: z
    .strictObject({ patience: z.number().int().min(1), minDelta: z.number().min(0).optional() })
    .optional(),
});

export const instrumentsSchema = z.strictObject({
  /** ∂L/∂h_t curves at these points of training, as fractions of the budget (0 = initialisation, 1 = end). */
  gradientThroughTime: z
    .strictObject({
      at: z.array(z.number().min(0).max(1)).min(1).default([0, 1]),
      batchSize: z.number().int().min(1).optional(),
      fraction: z.number().gt(0).lt(1).optional(),
    })
    .optional(),
  /**
   * Per-step log-rate of backpropagation through the step Jacobians (overflow-free at any T; see
   * diagnostics/gradient-decay.ts), at initialisation and at the end; it becomes the summary's `decay.*`.
   */
  gradientDecay: z.strictObject({ batchSize: z.number().int().min(1).max(1024).default(16) }).optional(),
  /** Largest Lyapunov exponents of the hidden dynamics at initialisation and at the end. */
  lyapunov: z
    .strictObject({ k: z.number().int().min(1).max(64).default(1), batchSize: z.number().int().min(1).default(4) })
    .optional(),
  /** Spectral norms of the step Jacobians at initialisation and at the end. */
  jacobian: z.strictObject({ batchSize: z.number().int().min(1).default(4) }).optional(),
});

/**
 * Which models run on which tasks. `seeds`, `training` and `instruments` override the study's for this pair's trials
 * (merged key by key: `{ steps: 0 }` makes probe-only trials); `staircase: T` runs the tasks' T values in
 * ascending stages and stops a model condition after a stage in which no seed solved the task (see
 * runner/staircase.ts).
 */
const pairSchema = z.strictObject({
  tasks: z.array(z.string()).min(1),
  models: z.array(z.string()).min(1),
  training: z.record(z.string(), z.unknown()).optional(),
  instruments: z.record(z.string(), z.unknown()).optional(),
  staircase: z.literal('T').optional(),
  /** Seeds for this pair's trials (default: the study's). */
  seeds: z.array(z.number().int().min(0)).min(1).max(1000).optional(),
});

/**
 * The learning-rate pilot: every listed model (default: every trained model) is trained on `task` once per
 * learning rate and pilot seed with `training` merged onto the study's; the lr with the lowest mean final
 * evaluation loss (ties: the smaller lr) is frozen into that model's main trials (optimizer and schedule).
 * Where no lr leaves the baseline, the pilot steps down its `fallback` ladder (runner/pilot.ts).
 */
export { DEFAULT_INFORMATIVE };

const pilotSchema = z.strictObject({
  task: z.string().min(1),
  /** Grid values of the pilot task, e.g. { T: 64 } (the task entry's grid is otherwise not expanded). */
  taskValues: z.record(z.string(), z.unknown()).optional(),
  /** Easier settings tried in turn for a model whose every lr stays at the baseline, e.g. [{ T: 32 }, { T: 16 }]. */
  fallback: z.array(z.record(z.string(), z.unknown())).max(8).optional(),
  /** A setting decides when some lr's mean final loss is below this fraction of the task's baseline loss. */
  informative: z.number().gt(0).max(1).default(DEFAULT_INFORMATIVE),
  lrs: z.array(z.number().positive().max(10)).min(2).max(16),
  seeds: z.array(z.number().int().min(0)).min(1).max(16).default([1000]),
  models: z.array(z.string()).min(1).optional(),
  training: z.record(z.string(), z.unknown()).optional(),
});

export const studyBodySchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"'),
  description: z.string().optional(),
  seeds: z.union([
    z.array(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)).min(1).max(MAX_LIST),
    z.number().int().min(1).max(MAX_LIST),
  ]),
  training: trainingSchema,
  instruments: instrumentsSchema.default({}),
  tasks: z.record(entryName, taskEntrySchema).refine((r) => Object.keys(r).length > 0, 'at least one task'),
  models: z.record(entryName, modelEntrySchema).refine((r) => Object.keys(r).length > 0, 'at least one model'),
  /** Restrict which models run on which tasks (default: every model on every task). */
  pairs: z.array(pairSchema).max(MAX_LIST).optional(),
  /** A per-model learning-rate pilot run before the main trials (see runner/pilot.ts). */
  pilot: pilotSchema.optional(),
  /** Global grid axes over training settings, e.g. { "training.optimizer.lr": [0.001, 0.01] }. */
  grid: gridSchema.optional(),
  /** Raise (or lower) the bounds on the work the study may ask for; see runner/limits.ts. */
  limits: limitsSchema.optional(),
});

export const studyFileSchema = studyBodySchema.extend({
  profiles: z.record(entryName, z.record(z.string(), z.unknown())).optional(),
});

export type StudyBody = z.output<typeof studyBodySchema>;
export type TrainingConfig = z.output<typeof trainingSchema>;
export type InstrumentsConfig = z.output<typeof instrumentsSchema>;
export type PairConfig = z.output<typeof pairSchema>;
export type PilotConfig = z.output<typeof pilotSchema>;

/** The study's pairs: as written, or every model on every task. */
export function studyPairs(study: StudyBody): PairConfig[] {
  return study.pairs ?? [{ tasks: Object.keys(study.tasks), models: Object.keys(study.models) }];
}

/** A user mistake in a study file: printed as one clear message, exit code 2, no stack trace. */
export class StudyError extends Error {
  override name = 'StudyError';
}

/** Format a zod error as `file: path: message (found …)` lines. */
export function formatStudyIssues(source: string, error: z.ZodError, input: unknown): string {
  return error.issues
    .slice(0, 8)
    .map((issue) => {
      const path = issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');
      let found = '';
      if (issue.code === 'invalid_key') {
        // a record key (a task, model or profile name) that fails its pattern: say which name and why
        const inner =
          (issue as { issues?: { message: string }[] }).issues?.map((i) => i.message).join('; ') ?? issue.message;
        return `${source}: ${path}: "${String(issue.path[issue.path.length - 1]).slice(0, 60)}" is not a valid name: ${inner}`;
      }
      if (issue.code !== 'unrecognized_keys') {
        const value = issue.path.reduce<unknown>(
          (v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k as string] : undefined),
          input,
        );
        found = `, found ${value === undefined ? 'nothing' : JSON.stringify(value)?.slice(0, 60)}`;
      }
      return `${source}: ${path || '(top level)'}: ${issue.message}${found}`;
    })
    .join('\n');
}

/** Deep-merge `over` onto `base` (objects merge, everything else replaces). */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    // defineProperty, not assignment: a key "__proto__" from a file must stay a plain (rejected) key.
    Object.defineProperty(out, k, {
      value: Object.hasOwn(base, k) ? deepMerge(base[k], v) : v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse a study from text (YAML is a superset of JSON), apply a profile, validate. */
export function parseStudy(text: string, source: string, profile?: string): StudyBody {
  // Flow nesting ([ and {) is counted on the text first: the YAML parser recurses, and is slow at depth.
  if (jsonNestingDepth(text, MAX_NESTING) > MAX_NESTING)
    throw new StudyError(`${source}: objects and lists nest more than ${MAX_NESTING} levels deep`);
  let raw: unknown;
  try {
    raw = JSON.parse(text); // fast path for JSON files; anything else is read as YAML (a superset of JSON)
  } catch {
    const parseYaml = yaml().parse; // (before the try: a missing package is said as such)
    try {
      raw = parseYaml(text);
    } catch (e) {
      if (e instanceof RangeError || /Maximum call stack/.test((e as Error).message))
        throw new StudyError(`${source}: nested too deeply to read (at most ${MAX_NESTING} levels)`);
      throw new StudyError(`${source}: not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (nestingDepth(raw) > MAX_NESTING)
    throw new StudyError(`${source}: objects and lists nest more than ${MAX_NESTING} levels deep`);
  const file = studyFileSchema.safeParse(raw);
  if (!file.success) throw new StudyError(formatStudyIssues(source, file.error, raw));
  const { profiles, ...body } = raw as Record<string, unknown> & { profiles?: Record<string, unknown> };
  let merged: unknown = body;
  if (profile) {
    const over = profiles && Object.hasOwn(profiles, profile) ? profiles[profile] : undefined;
    if (!over) {
      const known = Object.keys(profiles ?? {});
      throw new StudyError(
        `${source}: no profile '${profile}' (${known.length ? `known: ${known.join(', ')}` : 'the study defines none'})`,
      );
    }
    merged = deepMerge(body, over);
  }
  const r = studyBodySchema.safeParse(merged);
  if (!r.success)
    throw new StudyError(formatStudyIssues(profile ? `${source} (profile ${profile})` : source, r.error, merged));
  return r.data;
}

/** Read and parse a study file (.json, .yaml or .yml). */
export function loadStudyFile(path: string, profile?: string): StudyBody {
  const ext = extname(path).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(ext))
    throw new StudyError(`${path}: a study file must end in .json, .yaml or .yml`);
  let text: string;
  try {
    text = readBoundedText(path);
  } catch (e) {
    throw new StudyError((e as Error).message);
  }
  return parseStudy(text, basename(path), profile);
}
