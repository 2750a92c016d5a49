/** The transitions f_θ, one file each, and the factory that builds one from its config. */
import type { Backend } from '../kernels/backend.js';
import type { Rng } from '../tensor/rng.js';
import type { Cell } from './cell.js';
import { createVanillaCell, type VanillaConfig } from './vanilla.js';
import { createGruCell, type GruConfig } from './gru.js';
import { createLstmCell, type LstmConfig } from './lstm.js';
import { createDeepCell, type DeepConfig } from './deep.js';
import { createLruCell, type LruConfig } from './lru.js';

export type { Cell, CellTheory } from './cell.js';
export * from './init.js';
export { createParam } from './params.js';
export { createVanillaCell, ACTIVATION_GAMMA, type VanillaConfig } from './vanilla.js';
export { createGruCell, type GruConfig } from './gru.js';
export { createLstmCell, type LstmConfig } from './lstm.js';
export { createDeepCell, type DeepConfig, type DeepVariant } from './deep.js';
export { createLruCell, lruEigenvalues, type LruConfig } from './lru.js';

/** Any transition's config; `kind` selects the transition. */
export type CellConfig = VanillaConfig | GruConfig | LstmConfig | DeepConfig | LruConfig;

/** Build the cell a config describes, on `backend`, initialised from `rng`. */
export function createCell(cfg: CellConfig, inputSize: number, backend: Backend, rng: Rng): Cell {
  switch (cfg.kind) {
    case 'vanilla': return createVanillaCell(cfg, inputSize, backend, rng);
    case 'gru': return createGruCell(cfg, inputSize, backend, rng);
    case 'lstm': return createLstmCell(cfg, inputSize, backend, rng);
    case 'deep': return createDeepCell(cfg, inputSize, backend, rng);
    case 'lru': return createLruCell(cfg, inputSize, backend, rng);
    default: throw new Error(`unknown transition kind '${(cfg as { kind: string }).kind}'`);
  }
}
