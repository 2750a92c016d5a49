/**
 * The flags of `recur train` beyond the shared model and task flags (cli/options.ts): their type, their
 * range checks, conflicts and paths in the flags' own words (each refusal one line naming the flag), and the
 * learning-rate schedule they describe.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import type { ScheduleConfig } from '../optim/index.js';
import type { SpecFlags } from './options.js';
import { UserError } from './errors.js';
import { DEFAULT_LIMITS, formatCount } from '../runner/limits.js';

/** The parsed flags of `recur train` (commander has converted the numbers). */
export interface TrainFlags extends SpecFlags {
  steps: number;
  batch: number;
  lr: number;
  optimizer: string;
  clip?: number;
  schedule: string;
  warmup?: number;
  gamma?: number;
  decayEvery?: number;
  weightDecay?: number;
  dropout?: number;
  earlyStopping?: number;
  stopWhenSolved?: boolean;
  seed: number;
  evalEvery?: number;
  out?: string;
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: boolean;
  backend?: string;
  threads?: number;
  json?: boolean;
  quiet?: boolean;
  detectAnomaly?: boolean;
}

/** Flags that shape the model: they conflict with --model-config, which gives the whole shape. */
const MODEL_FLAGS = [
  'cell',
  'hidden',
  'depth',
  'variant',
  'activation',
  'init',
  'spectralNorm',
  'layers',
  'bidirectional',
  'dropout',
] as const;
const writable = (dir: string): boolean => {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};
const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Range checks and conflicts, in the flags' own words (commander has already parsed the numbers). */
export function validate(f: TrainFlags, cmd: Command): void {
  const positive = [
    'steps',
    'batch',
    'evalEvery',
    'T',
    'hidden',
    'depth',
    'layers',
    'threads',
    'checkpointEvery',
    'decayEvery',
    'earlyStopping',
  ] as const;
  for (const k of positive) {
    const v = f[k];
    if (v !== undefined && !(v >= 1)) throw new UserError(`${flagName(k)} must be a positive integer, got ${v}`);
  }
  if (!(f.seed >= 0)) throw new UserError(`--seed must be an integer ≥ 0, got ${f.seed}`);
  if (f.threads !== undefined && !(f.threads <= 256))
    throw new UserError(`--threads must be a whole number from 1 to 256, got ${f.threads}`);
  if (!(f.steps <= DEFAULT_LIMITS.steps))
    throw new UserError(`--steps must be at most ${formatCount(DEFAULT_LIMITS.steps)}, got ${f.steps}`);
  if (f.warmup !== undefined && !(f.warmup >= 0))
    throw new UserError(`--warmup must be an integer ≥ 0, got ${f.warmup}`);
  if (f.weightDecay !== undefined && !(f.weightDecay >= 0))
    throw new UserError(`--weight-decay must be a number ≥ 0, got ${f.weightDecay}`);
  if (f.dropout !== undefined && !(f.dropout >= 0 && f.dropout < 1))
    throw new UserError(`--dropout must be a probability in [0, 1), got ${f.dropout}`);
  if (f.dropout && !f.modelConfig && !((f.layers ?? 1) >= 2))
    throw new UserError('--dropout acts between stacked layers: add --layers 2 (or more)');
  if (!['constant', 'cosine', 'step', 'exponential'].includes(f.schedule))
    throw new UserError(`--schedule must be one of constant, cosine, step, exponential, got "${f.schedule}"`);
  if (f.schedule === 'exponential' && f.gamma === undefined)
    throw new UserError('--schedule exponential needs --gamma (the factor per step, e.g. 0.999)');
  for (const k of ['lr', 'clip', 'spectralNorm', 'gamma'] as const) {
    const v = f[k];
    if (v !== undefined && !(v > 0)) throw new UserError(`${flagName(k)} must be a number > 0, got ${v}`);
  }
  if (!['adam', 'adamw', 'sgd', 'rmsprop'].includes(f.optimizer))
    throw new UserError(`--optimizer must be one of adam, adamw, sgd, rmsprop, got "${f.optimizer}"`);
  if (f.backend !== undefined && f.backend !== 'wasm' && f.backend !== 'reference')
    throw new UserError(`--backend must be wasm or reference, got "${f.backend}"`);
  const explicit = (k: string): boolean => cmd.getOptionValueSource(k) === 'cli';
  if (f.modelConfig) {
    const clash = MODEL_FLAGS.filter(explicit);
    if (clash.length)
      throw new UserError(
        `${clash.map(flagName).join(', ')} conflict${clash.length === 1 ? 's' : ''} with --model-config, which gives the whole model shape: use one or the other`,
      );
  }
  if (f.taskConfig && explicit('task'))
    throw new UserError('--task conflicts with --task-config, which names the task ("kind"): use one or the other');
  if (f.resume && !f.checkpoint)
    throw new UserError('--resume needs --checkpoint FILE (the checkpoint to continue from)');
  if (f.resume && !existsSync(f.checkpoint!)) throw new UserError(`--resume: no checkpoint at ${f.checkpoint}`);
  if (f.checkpointEvery !== undefined && !f.checkpoint)
    throw new UserError('--checkpoint-every needs --checkpoint FILE');
  for (const k of ['out', 'checkpoint'] as const) {
    const dir = f[k] !== undefined ? dirname(f[k]!) : null;
    if (dir !== null && !statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      throw new UserError(`${flagName(k)} ${f[k]}: the directory ${dir} does not exist`);
    if (dir !== null && !writable(dir)) throw new UserError(`${flagName(k)} ${f[k]}: permission denied: ${dir}`); // before training, not after
  }
}

/** The learning-rate schedule the flags describe (undefined: constant --lr without warm-up). */
export function scheduleFromFlags(f: TrainFlags): ScheduleConfig | undefined {
  const warmup = f.warmup ?? 0;
  switch (f.schedule) {
    case 'cosine':
      return { kind: 'cosine', lr: f.lr, total: f.steps, warmup };
    case 'step':
      return {
        kind: 'step',
        lr: f.lr,
        every: f.decayEvery ?? Math.max(1, Math.floor(f.steps / 3)),
        gamma: f.gamma ?? 0.1,
        warmup,
      };
    case 'exponential':
      return { kind: 'exponential', lr: f.lr, gamma: f.gamma!, warmup };
    default:
      return warmup > 0 ? { kind: 'constant', lr: f.lr, warmup } : undefined;
  }
}
