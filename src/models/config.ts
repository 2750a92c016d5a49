/**
 * The model's config schema, composed of the cells' schemas (each in its cell's file) and the readout's; it
 * carries the defaults. `ModelConfig` (as written) and `ResolvedModelConfig` (defaults filled in) are derived
 * from it. Every entry point validates through it once: the Model constructor (the fields here, the cell in
 * its constructor), `parseModelConfig` (model files), the CLI's model flags and study files (`modelShapeSchema`
 * through `asWritten`, so stored configs and trial keys stay as the user wrote them).
 */
import { z } from 'zod';
import { cellConfigSchema } from '../cells/index.js';
import { asWritten, describeZodError, oneOf, parseConfig, shown, size } from '../cells/schema.js';
import { readoutConfigSchema } from './readout.js';

/** Everything of a model but its input/output sizes and target, which come from the task. */
export const modelShapeSchema = z.strictObject({
  /** The transition f_θ (its `hidden` is each direction's state size). */
  cell: cellConfigSchema,
  /** Stacked recurrent layers. */
  layers: size.max(64).default(1),
  bidirectional: z.boolean().default(false),
  /** Dropout probability on the outputs of every recurrent layer but the last (training only). */
  dropout: z
    .number()
    .min(0)
    .lt(1, { error: (i) => `must be in [0, 1), got ${shown(i.input)}` })
    .default(0),
  /** Learn h_0 (default: zeros, or the states passed to forward). */
  learnInitialState: z.boolean().default(false),
  readout: readoutConfigSchema.default({ hidden: [], activation: 'tanh' }),
});

export const modelConfigSchema = modelShapeSchema.extend({
  inputSize: size,
  outputSize: size,
  /** 'last': y = g(h_T) (one output per sequence); 'all': y_t = g(h_t) at every step. */
  target: oneOf(['last', 'all']),
});

/** A model shape as written in a study file or built from CLI flags. */
export type ModelShape = z.input<typeof modelShapeSchema>;
/** A model config as written (optional fields may be left out). */
export type ModelConfig = z.input<typeof modelConfigSchema>;
/** A model config with every default filled in. */
export type ResolvedModelConfig = z.output<typeof modelConfigSchema>;

/** The model shape schema that keeps a shape as written (study files, CLI flags): see cells/schema.ts. */
export const writtenModelShapeSchema = asWritten(modelShapeSchema);

const modelFieldsSchema = modelConfigSchema.omit({ cell: true });
const cellKindSchema = z.enum(cellConfigSchema.options.map((o) => o.shape.kind.value));

/** The model's own fields, resolved (the Model constructor; its cell is checked by the cell's constructor). */
export function parseModelFields(config: ModelConfig): Omit<ResolvedModelConfig, 'cell'> {
  // no config, or no cell of a known kind: the schema's own message (a cell's constructor checks the rest of it)
  const kind = (config as { cell?: { kind?: unknown } } | undefined)?.cell?.kind;
  if (typeof config !== 'object' || config === null || !cellKindSchema.safeParse(kind).success)
    parseModelConfig(config);
  const { cell: _cell, ...fields } = config;
  return parseConfig(modelFieldsSchema, fields, 'model');
}

/** Parse and check a model config; throws one readable error per problem (joined by newlines). Returns it as written. */
export function parseModelConfig(input: unknown, where = 'model'): ModelConfig {
  const r = asWritten(modelConfigSchema).safeParse(input);
  if (!r.success) throw new Error(describeZodError(where, r.error));
  return r.data;
}

export { cellConfigSchema, describeZodError, readoutConfigSchema };
