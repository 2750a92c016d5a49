/**
 * Config validation shared by optimizers and schedules: zod schemas with messages phrased as
 * "must be …", and one formatter that turns zod issues into errors naming the field and the value
 * (`optimizer adam: beta2 must be in [0, 1), got 1.5`).
 */
import { z } from 'zod';

const finite = () => z.number({ error: 'must be a finite number' });
/** A finite number ≥ 0. */
export const nonNegative = () => finite().min(0, 'must be ≥ 0');
/** A finite number in [0, 1). */
export const unitInterval = () => finite().min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)');
/** A finite number > 0. */
export const positive = () => finite().positive('must be > 0');
/** An integer > 0. */
export const positiveInt = () => finite().int('must be an integer').positive('must be > 0');
/** An integer ≥ 0. */
export const nonNegativeInt = () => finite().int('must be an integer').min(0, 'must be ≥ 0');
/** true or false. */
export const flag = () => z.boolean({ error: 'must be true or false' });

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v); // JSON would print NaN and Infinity as null
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/**
 * Parse `input` with an object schema; on failure throw one Error listing every problem, each naming the
 * field and the value found, prefixed with `where` (e.g. "optimizer adam").
 */
export function parseConfig<S extends z.ZodObject>(schema: S, input: unknown, where: string): z.output<S> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new Error(`${where}: expected a config object, got ${show(input)}`);
  }
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const known = Object.keys(schema.shape).join(', ');
  const problems = r.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys} (known fields: ${known})`;
    }
    const value = valueAt(input, issue.path);
    if (value === undefined) return `${field} is required`;
    return `${field} ${issue.message}, got ${show(value)}`;
  });
  throw new Error(`${where}: ${problems.join('; ')}`);
}

/** Check a config's `kind` against the known ones before parsing the matching schema. */
export function checkKind<K extends string>(input: unknown, kinds: readonly K[], where: string): K {
  const kind = input !== null && typeof input === 'object' ? (input as { kind?: unknown }).kind : undefined;
  if (typeof kind === 'string' && (kinds as readonly string[]).includes(kind)) return kind as K;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new Error(`${where}: expected a config object, got ${show(input)}`);
  }
  throw new Error(`${where}: kind must be one of ${kinds.map((k) => `'${k}'`).join(', ')}, got ${show(kind)}`);
}
