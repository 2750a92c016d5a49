/** The transitions f_θ, one file each, and the factory that builds one from its config. */
import { z } from 'zod';
import type { Backend } from '../kernels/backend.js';
import type { Rng } from '../tensor/rng.js';
import type { Cell } from './cell.js';
import { createVanillaCell, vanillaConfigSchema } from './vanilla.js';
import { createGruCell, gruConfigSchema } from './gru.js';
import { createLstmCell, lstmConfigSchema } from './lstm.js';
import { createDeepCell, deepConfigSchema } from './deep.js';
import { createLruCell, lruConfigSchema } from './lru.js';

export type { Cell, CellTheory } from './cell.js';
export * from './init.js';
export { createParam } from './params.js';
export { asWritten, describeZodError } from './schema.js';
export { createVanillaCell, ACTIVATION_GAMMA, vanillaConfigSchema, type VanillaConfig } from './vanilla.js';
export { createGruCell, gruConfigSchema, type GruConfig } from './gru.js';
export { createLstmCell, lstmConfigSchema, type LstmConfig } from './lstm.js';
export { createDeepCell, deepConfigSchema, type DeepCell, type DeepConfig, type DeepVariant } from './deep.js';
export { createLruCell, lruConfigSchema, lruEigenvalues, type LruConfig } from './lru.js';

/** Any transition's config, one schema per cell file; `kind` selects the transition. */
export const cellConfigSchema = z.discriminatedUnion('kind', [
  vanillaConfigSchema,
  gruConfigSchema,
  lstmConfigSchema,
  deepConfigSchema,
  lruConfigSchema,
]);
/** A transition's config as written (optional fields may be left out). */
export type CellConfig = z.input<typeof cellConfigSchema>;

/** Build the cell a config describes, on `backend`, initialised from `rng`. */
export function createCell(cfg: CellConfig, inputSize: number, backend: Backend, rng: Rng): Cell {
  switch (cfg.kind) {
    case 'vanilla':
      return createVanillaCell(cfg, inputSize, backend, rng);
    case 'gru':
      return createGruCell(cfg, inputSize, backend, rng);
    case 'lstm':
      return createLstmCell(cfg, inputSize, backend, rng);
    case 'deep':
      return createDeepCell(cfg, inputSize, backend, rng);
    case 'lru':
      return createLruCell(cfg, inputSize, backend, rng);
    default:
      throw new Error(`unknown transition kind '${(cfg as { kind: string }).kind}'`);
  }
}
