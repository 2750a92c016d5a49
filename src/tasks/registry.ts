/**
 * The task registry: `createTask({ kind, ...config })` for every task, the zod schema of such specs
 * (`taskSpecSchema`, for study-file validators), and `listTasks()` for `recur tasks`.
 *
 * A spec is a discriminated union on `kind`; unknown fields are rejected; cross-field rules (e.g. adding's
 * original1997 needs T ≥ 20, text needs exactly one of path/text) are checked by the same schema.
 */
import { z } from 'zod';
import { addingConfigProblems, addingConfigSchema, addingDefinition, addingTask } from './adding.js';
import { chaosConfigProblems, chaosConfigSchema, chaosDefinition, chaosTask } from './chaos.js';
import { formatIssues, showValue, type ConfigProblem } from './common.js';
import { copyConfigSchema, copyDefinition, copyTask } from './copy.js';
import { memoryConfigSchema, memoryDefinition, memoryTask } from './memory.js';
import { mnistConfigSchema, mnistDefinition, mnistTask } from './mnist.js';
import type { Task } from './task.js';
import { teacherConfigSchema, teacherDefinition, teacherTask } from './teacher.js';
import {
  temporalOrderConfigProblems,
  temporalOrderConfigSchema,
  temporalOrderDefinition,
  temporalOrderTask,
} from './temporal-order.js';
import { textConfigProblems, textConfigSchema, textDefinition, textTask } from './text.js';

/** Each task: its config schema, one-paragraph definition and factory. */
const TASKS = {
  adding: { schema: addingConfigSchema, definition: addingDefinition, create: addingTask, check: addingConfigProblems },
  copy: { schema: copyConfigSchema, definition: copyDefinition, create: copyTask },
  'temporal-order': {
    schema: temporalOrderConfigSchema,
    definition: temporalOrderDefinition,
    create: temporalOrderTask,
    check: temporalOrderConfigProblems,
  },
  teacher: { schema: teacherConfigSchema, definition: teacherDefinition, create: teacherTask },
  memory: { schema: memoryConfigSchema, definition: memoryDefinition, create: memoryTask },
  chaos: { schema: chaosConfigSchema, definition: chaosDefinition, create: chaosTask, check: chaosConfigProblems },
  mnist: { schema: mnistConfigSchema, definition: mnistDefinition, create: mnistTask },
  text: { schema: textConfigSchema, definition: textDefinition, create: textTask, check: textConfigProblems },
} as const;

export type TaskKind = keyof typeof TASKS;
export const taskKinds = Object.keys(TASKS) as TaskKind[];

const withKind = <K extends TaskKind>(kind: K) => TASKS[kind].schema.extend({ kind: z.literal(kind) });

/** The zod schema of a task spec: `{ kind: 'adding', T: 200 }` etc. Defaults are filled in on parse. */
export const taskSpecSchema = z
  .discriminatedUnion('kind', [
    withKind('adding'),
    withKind('copy'),
    withKind('temporal-order'),
    withKind('teacher'),
    withKind('memory'),
    withKind('chaos'),
    withKind('mnist'),
    withKind('text'),
  ])
  .superRefine((spec, ctx) => {
    const entry = TASKS[spec.kind] as { check?: (c: unknown) => ConfigProblem[] };
    const check = entry.check;
    for (const p of check ? check(spec) : []) {
      ctx.addIssue({
        code: 'custom',
        path: [p.field],
        message: `expected ${p.expected}, found ${showValue(p.found)}`,
        input: p.found,
      });
    }
  });

/** A task spec as written by a user: `kind` plus any of that task's config fields (the rest default). */
export type TaskSpec = z.input<typeof taskSpecSchema>;
/** A resolved task spec, every default filled in (what a run records). */
export type ResolvedTaskSpec = z.output<typeof taskSpecSchema>;

/**
 * Validate a user-supplied spec; throws one Error with a line per problem, each naming the field, the
 * expected and the found value (`task.T: expected a value >= 2, found 1`).
 */
export function parseTaskSpec(input: unknown, where = 'task'): ResolvedTaskSpec {
  const r = taskSpecSchema.safeParse(input, { reportInput: true });
  if (!r.success) {
    throw new Error(`invalid task spec:\n${formatIssues(where, r.error.issues, input)}`);
  }
  return r.data;
}

/** Build the task a spec describes (validated first). */
export function createTask(spec: TaskSpec): Task {
  const { kind, ...config } = parseTaskSpec(spec);
  const create = TASKS[kind].create as (c: unknown) => Task;
  return create(config);
}

/** One configurable parameter, for `recur tasks`. */
export interface TaskParameter {
  name: string;
  /** JSON-schema type or the allowed values, e.g. 'integer >= 2' or "'modern' | 'original1997'". */
  type: string;
  default?: unknown;
  description: string;
}

export interface TaskInfo {
  name: TaskKind;
  definition: string;
  parameters: TaskParameter[];
}

/** The parts of a JSON-schema property that `listTasks` reads. */
interface JsonProperty {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

/** Every task with its definition and parameters (defaults included), in registry order. */
export function listTasks(): TaskInfo[] {
  return taskKinds.map((name) => {
    const json = z.toJSONSchema(TASKS[name].schema, { io: 'input' }) as {
      properties: Record<string, JsonProperty>;
    };
    const parameters = Object.entries(json.properties).map(([key, p]) => {
      let type = p.enum ? p.enum.map((v) => `'${String(v)}'`).join(' | ') : (p.type ?? 'unknown');
      if (p.minimum !== undefined && p.minimum > -Number.MAX_SAFE_INTEGER) type += ` >= ${p.minimum}`;
      if (p.exclusiveMinimum !== undefined) type += ` > ${p.exclusiveMinimum}`;
      if (p.maximum !== undefined && p.maximum < Number.MAX_SAFE_INTEGER) type += ` <= ${p.maximum}`;
      return {
        name: key,
        type,
        ...(p.default !== undefined ? { default: p.default } : {}),
        description: p.description ?? '',
      };
    });
    return { name, definition: TASKS[name].definition, parameters };
  });
}
