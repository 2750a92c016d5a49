/**
 * Optimizers from typed configs: `createOptimizer({ kind: 'adamw', lr: 3e-4 }, params)`.
 * Every field but `kind` has PyTorch's default; the resolved config (defaults filled in) is the
 * optimizer's `config`, for the run record. Errors name the field and the value
 * (`optimizer sgd: momentum must be in [0, 1), got 1.2`).
 */
import { z } from 'zod';
import type { Tensor } from '../tensor/tensor.js';
import { Adam, AdamW, adamConfigSchema, adamwConfigSchema } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop, rmspropConfigSchema } from './rmsprop.js';
import { SGD, sgdConfigSchema } from './sgd.js';
import { checkKind, parseConfig } from './validate.js';

const schemas = {
  sgd: sgdConfigSchema,
  adam: adamConfigSchema,
  adamw: adamwConfigSchema,
  rmsprop: rmspropConfigSchema,
} as const;
const KINDS = Object.keys(schemas) as OptimizerKind[];

export type OptimizerKind = keyof typeof schemas;

/** All optimizer configs, discriminated by `kind` (for composing into larger config schemas). */
export const optimizerConfigSchema = z.discriminatedUnion('kind', [
  sgdConfigSchema.required({ kind: true }),
  adamConfigSchema.required({ kind: true }),
  adamwConfigSchema.required({ kind: true }),
  rmspropConfigSchema.required({ kind: true }),
]);

/** An optimizer config as written: `kind` plus any fields to override. */
export type OptimizerConfig = z.input<typeof optimizerConfigSchema>;
/** An optimizer config with every default filled in. */
export type ResolvedOptimizerConfig = z.output<typeof optimizerConfigSchema>;

/** Validate an optimizer config and fill in its defaults. */
export function resolveOptimizerConfig(cfg: OptimizerConfig): ResolvedOptimizerConfig {
  const kind = checkKind(cfg, KINDS, 'optimizer');
  return parseConfig(schemas[kind], cfg, `optimizer ${kind}`) as ResolvedOptimizerConfig;
}

/** The optimizer a config describes, over `params` (state allocated on their backend). */
export function createOptimizer(cfg: OptimizerConfig, params: readonly Tensor[]): Optimizer {
  const kind = checkKind(cfg, KINDS, 'optimizer');
  switch (kind) {
    case 'sgd':
      return new SGD(params, cfg as z.input<typeof sgdConfigSchema>);
    case 'adam':
      return new Adam(params, cfg as z.input<typeof adamConfigSchema>);
    case 'adamw':
      return new AdamW(params, cfg as z.input<typeof adamwConfigSchema>);
    case 'rmsprop':
      return new RMSprop(params, cfg as z.input<typeof rmspropConfigSchema>);
  }
}
