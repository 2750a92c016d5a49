/**
 * What every task generator shares: batch buffers reused across calls, config parsing with zod (defaults,
 * unknown fields rejected, errors naming the field, the expected and the found value), and small checks.
 */
import { z } from 'zod';
import type { Batch } from './task.js';

/** A cross-field problem found after the schema has parsed (e.g. `T` too short for a variant). */
export interface ConfigProblem {
  field: string;
  expected: string;
  found: unknown;
}

/** `42`, `"abc"`, `[1,2]`, `undefined` — a found value as error messages show it (long values truncated). */
export function showValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function expectedOf(issue: z.core.$ZodIssue): string {
  const i = issue as z.core.$ZodIssue & Record<string, unknown>;
  switch (issue.code) {
    case 'invalid_type':
      return String(i.expected === 'int' ? 'an integer' : i.expected);
    case 'too_small':
      return `a value ${i.inclusive ? '>=' : '>'} ${String(i.minimum)}`;
    case 'too_big':
      return `a value ${i.inclusive ? '<=' : '<'} ${String(i.maximum)}`;
    case 'invalid_value':
      return `one of ${(i.values as unknown[]).map((x) => showValue(x)).join(' | ')}`;
    case 'invalid_union':
      return Array.isArray(i.options)
        ? `one of ${(i.options as unknown[]).map((x) => showValue(x)).join(' | ')}`
        : issue.message;
    default:
      return issue.message;
  }
}

/**
 * One line per zod issue: `<where>.<field>: expected <what>, found <value>`; unknown fields are reported as
 * `<where>: unknown field "<name>"` with the allowed fields when the schema knows them.
 */
export function formatIssues(where: string, issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      const at = path ? `${where}.${path}` : where;
      if (issue.code === 'unrecognized_keys') {
        return `${at}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      // a union issue carries the whole object as its input; show the value at the path instead
      if (issue.code === 'custom') return `${at}: ${issue.message}`; // already 'expected …, found …'
      const found = issue.code === 'invalid_union' || !('input' in issue) ? valueAt(input, issue.path) : issue.input;
      return `${at}: expected ${expectedOf(issue)}, found ${showValue(found)}`;
    })
    .join('\n');
}

/** Lines for cross-field problems, in the same form as `formatIssues`. */
export function formatProblems(where: string, problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${where}.${p.field}: expected ${p.expected}, found ${showValue(p.found)}`).join('\n');
}

/**
 * Parse a task config: defaults filled in, unknown fields rejected, then the task's cross-field `check`.
 * Throws one Error listing every problem, each naming the field, what was expected and what was found.
 */
export function parseConfig<S extends z.ZodType>(
  task: string,
  schema: S,
  input: unknown,
  check?: (c: z.output<S>) => ConfigProblem[],
): z.output<S> {
  const r = schema.safeParse(input ?? {}, { reportInput: true });
  if (!r.success) throw new Error(`invalid ${task} config:\n${formatIssues(task, r.error.issues, input)}`);
  const problems = check ? check(r.data) : [];
  if (problems.length > 0) throw new Error(`invalid ${task} config:\n${formatProblems(task, problems)}`);
  return r.data;
}

/** Common schema pieces. */
export const positiveInt = (): z.ZodNumber => z.number().int().min(1);

/**
 * The batch to fill: `out` itself when given (each array reused when its length matches, replaced
 * otherwise), else a fresh one. `mask`/`lossMask` are present only when asked for. Arrays are not cleared.
 */
export function prepareBatch(
  out: Batch | undefined,
  T: number,
  B: number,
  xLength: number,
  yLength: number,
  want: { mask?: boolean; lossMask?: boolean } = {},
): Batch {
  checkBatchSize(B);
  const b: Batch = out ?? { T, B, x: new Float64Array(xLength), y: new Float64Array(yLength) };
  b.T = T;
  b.B = B;
  if (b.x.length !== xLength) b.x = new Float64Array(xLength);
  if (b.y.length !== yLength) b.y = new Float64Array(yLength);
  if (want.mask) {
    if (!b.mask || b.mask.length !== T * B) b.mask = new Float64Array(T * B);
  } else if (b.mask) delete b.mask;
  if (want.lossMask) {
    if (!b.lossMask || b.lossMask.length !== T * B) b.lossMask = new Float64Array(T * B);
  } else if (b.lossMask) delete b.lossMask;
  return b;
}

export function checkBatchSize(B: number): void {
  if (!Number.isInteger(B) || B < 1)
    throw new Error(`sample: batch size B must be a positive integer, got ${showValue(B)}`);
}

/** Uniform integer in the inclusive range [lo, hi]. */
export function intInclusive(rng: { int(n: number): number }, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}
