/**
 * The pieces every config schema is built from (cells here, the model in models/config.ts), and the two ways
 * a config is read: `parseConfig` resolves it (defaults filled in, z.output) for a constructor, `asWritten`
 * checks it but keeps it as the user wrote it (z.input), so stored configs — study trials and their keys,
 * model files — do not change when a default is declared. Messages say what is wrong and where:
 * `gru cell: hidden must be a positive integer, got 0`.
 */
import { z } from 'zod';

/** A value as an error message shows it: short, whatever it is (a fuzzed config may hold a huge array). */
export function shown(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : `a${typeof v === 'object' ? 'n object' : ` ${typeof v}`}`;
}

/** A size: a positive integer. */
export const size = z
  .number({
    error: (i) => (i.code === 'invalid_type' ? `must be a positive integer, got ${shown(i.input)}` : undefined),
  })
  .int({ error: (i) => `must be a positive integer, got ${shown(i.input)}` })
  .min(1, { error: (i) => `must be a positive integer, got ${shown(i.input)}` });

/** A finite number. */
export const finite = z.number({
  error: (i) => (i.code === 'invalid_type' ? `must be a finite number, got ${shown(i.input)}` : undefined),
});

/** One of a fixed list of strings. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (i) => `must be one of ${values.join(', ')}, got ${shown(i.input)}` });

/** The activations a transition or readout may use. */
export const activationSchema = oneOf(['tanh', 'sigmoid', 'relu', 'identity']);

/** `where: path: message` for the first few problems of a zod error (`where: message` at the top level). */
export function describeZodError(where: string, error: z.ZodError, separator = ': '): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const path = i.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');
      return `${where}: ${path ? `${path}${separator}` : ''}${i.message}`;
    })
    .join('\n');
}

/** Validate `value` with `schema` and fill in its defaults; throws `where: field message` per problem. */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(describeZodError(where, r.error, ' '));
  return r.data;
}

/** A schema that checks a value with `schema` but yields it as written (no defaults filled in, z.input). */
export function asWritten<S extends z.ZodType>(schema: S) {
  return z.custom<z.input<S>>().superRefine((value, ctx) => {
    const r = schema.safeParse(value);
    if (!r.success) for (const issue of r.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
  });
}

/** Check a size that is not part of a config (e.g. the input size a cell is built for). */
export function checkSize(where: string, field: string, n: number): void {
  const r = size.safeParse(n);
  if (!r.success) throw new Error(`${where}: ${field} ${r.error.issues[0].message}`);
}
