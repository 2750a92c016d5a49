/**
 * Validation of model configs coming from users (study files, model files, the CLI): a zod schema that
 * mirrors ModelConfig and the cell configs, with unknown fields rejected.
 */
import { z } from 'zod';
import type { ModelConfig } from './model.js';

const posInt = z.number().int().min(1);
const activation = z.enum(['tanh', 'sigmoid', 'relu', 'identity']);
const recurrentInit = z.strictObject({
  kind: z.enum(['uniform', 'glorot', 'orthogonal', 'identity', 'normal']),
  gain: z.number().finite().optional(),
  spectralNorm: z.number().finite().min(0).optional(),
  spectralRadius: z.number().finite().min(0).optional(),
}).refine((v) => v.spectralNorm === undefined || v.spectralRadius === undefined, { message: 'give spectralNorm or spectralRadius, not both' });

export const cellConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('vanilla'), hidden: posInt, activation: activation.optional(), recurrentInit: recurrentInit.optional() }),
  z.strictObject({ kind: z.literal('gru'), hidden: posInt, recurrentInit: recurrentInit.optional() }),
  z.strictObject({ kind: z.literal('lstm'), hidden: posInt, forgetBias: z.number().finite().optional(), recurrentInit: recurrentInit.optional() }),
  z.strictObject({
    kind: z.literal('deep'), hidden: posInt, depth: posInt.max(64),
    variant: z.enum(['plain', 'shortcut', 'residual', 'highway']).optional(),
    activation: activation.optional(), layerNorm: z.boolean().optional(), recurrentInit: recurrentInit.optional(),
    transformBias: z.union([z.number().finite(), z.literal('depth-aware')]).optional(),
    residualScale: z.union([z.number().finite(), z.literal('sqrt-depth')]).optional(),
  }),
  z.strictObject({
    kind: z.literal('lru'), hidden: posInt, state: posInt.optional(),
    rMin: z.number().min(0).lt(1).optional(), rMax: z.number().gt(0).lt(1).optional(),
    maxPhase: z.number().gt(0).optional(), mlpHidden: posInt.optional(),
  }),
]);

export const readoutConfigSchema = z.strictObject({ hidden: z.array(posInt).optional(), activation: activation.optional() });

/** Everything of a model but its input/output sizes and target, which come from the task. */
export const modelShapeSchema = z.strictObject({
  cell: cellConfigSchema,
  layers: posInt.max(64).optional(),
  bidirectional: z.boolean().optional(),
  dropout: z.number().min(0).lt(1).optional(),
  learnInitialState: z.boolean().optional(),
  readout: readoutConfigSchema.optional(),
});

export const modelConfigSchema = modelShapeSchema.extend({
  inputSize: posInt,
  outputSize: posInt,
  target: z.enum(['last', 'all']),
});

export type ModelShape = z.infer<typeof modelShapeSchema>;

/** `where: path: message` for the first few problems of a zod error. */
export function describeZodError(where: string, error: z.ZodError): string {
  return error.issues.slice(0, 5).map((i) => {
    const path = i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '';
    return `${where}${path ? `: ${path}` : ''}: ${i.message}`;
  }).join('\n');
}

/** Parse and check a model config; throws one readable error per problem (joined by newlines). */
export function parseModelConfig(input: unknown, where = 'model'): ModelConfig {
  const r = modelConfigSchema.safeParse(input);
  if (!r.success) throw new Error(describeZodError(where, r.error));
  return r.data as ModelConfig;
}
