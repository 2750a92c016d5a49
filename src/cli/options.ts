/** Shared option parsing for the CLI: numbers, JSON configs, task and model specs from flags. */
import { type Command, InvalidArgumentError } from 'commander';
import { parseTaskSpec, type ResolvedTaskSpec } from '../tasks/registry.js';
import { writtenModelShapeSchema, describeZodError, type ModelShape } from '../models/config.js';
import { UserError } from './errors.js';
import { modelSize } from '../models/size.js';
import type { ModelConfig } from '../models/model.js';
import { DEFAULT_LIMITS, formatCount } from '../runner/limits.js';

export function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got "${v}"`);
    return n;
  };
}

export function num(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got "${v}"`);
    return n;
  };
}

export function json(name: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UserError(`${name}: not valid JSON: ${text.slice(0, 80)}`);
  }
}

export interface SpecFlags {
  task?: string;
  T?: number;
  taskConfig?: string;
  cell?: string;
  hidden?: number;
  depth?: number;
  variant?: string;
  activation?: string;
  init?: string;
  spectralNorm?: number;
  layers?: number;
  bidirectional?: boolean;
  modelConfig?: string;
}

/** The task spec from --task/--T or --task-config (validated). */
export function taskFromFlags(f: SpecFlags): ResolvedTaskSpec {
  const raw = f.taskConfig
    ? (json('--task-config', f.taskConfig) as Record<string, unknown>)
    : { kind: f.task ?? 'adding', ...(f.T !== undefined ? { T: f.T } : {}) };
  if (f.taskConfig && f.T !== undefined) raw.T = f.T;
  try {
    return parseTaskSpec(raw, '--task');
  } catch (e) {
    throw new UserError((e as Error).message.replace(/^invalid task spec:\n/, ''));
  }
}

/**
 * The model flags, declared once for every command that builds a model (train, inspect). The cell's own
 * defaults live in its schema (src/cells/<kind>.ts); the CLI adds only what a config must state: hidden 64,
 * depth 2 for a deep transition, and the cell kind (`cell`: lstm, the same for train and inspect).
 */
export function addModelOptions(command: Command, cell: string, when = ''): Command {
  return command
    .option('--cell <kind>', `transition${when}: vanilla | gru | lstm | deep | lru`, cell)
    .option('--hidden <n>', 'state size per direction (default 64)', int('--hidden'))
    .option('--depth <L>', 'transition depth (deep; default 2)', int('--depth'))
    .option('--variant <v>', 'deep variant: plain | shortcut | residual | highway')
    .option('--activation <a>', 'tanh | sigmoid | relu | identity (vanilla, deep)')
    .option('--init <kind>', 'recurrent init: uniform | glorot | orthogonal | identity | normal')
    .option('--spectral-norm <s>', 'rescale the recurrent matrix to this spectral norm ‖A‖', num('--spectral-norm'))
    .option('--layers <n>', 'stacked layers (default 1)', int('--layers'))
    .option('--bidirectional', 'bidirectional layers')
    .option('--model-config <json>', 'full model shape as JSON (cell, layers, bidirectional, readout, …)');
}

/** The model-shape flags addModelOptions declares that were given on the command line, as written (`--cell`). */
export function givenModelFlags(command: Command): string[] {
  const keys = ['cell', 'hidden', 'depth', 'variant', 'activation', 'init', 'spectralNorm', 'layers', 'bidirectional'];
  return keys
    .filter((k) => command.getOptionValueSource(k) === 'cli')
    .map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
}

/** The model shape from --cell/--hidden/… or --model-config (validated, as written). */
export function modelFromFlags(f: SpecFlags): ModelShape {
  let raw: Record<string, unknown>;
  if (f.modelConfig) raw = json('--model-config', f.modelConfig) as Record<string, unknown>;
  else {
    const kind = f.cell ?? 'lstm';
    const cell: Record<string, unknown> = { kind, hidden: f.hidden ?? 64 };
    if (f.depth !== undefined) cell.depth = f.depth;
    else if (kind === 'deep') cell.depth = 2;
    if (f.variant) cell.variant = f.variant;
    if (f.activation) cell.activation = f.activation;
    if (f.init || f.spectralNorm !== undefined)
      cell.recurrentInit = {
        kind: f.init ?? 'orthogonal',
        ...(f.spectralNorm !== undefined ? { spectralNorm: f.spectralNorm } : {}),
      };
    raw = { cell };
    if (f.layers !== undefined) raw.layers = f.layers;
    if (f.bidirectional) raw.bidirectional = true;
  }
  const r = writtenModelShapeSchema.safeParse(raw);
  if (!r.success) throw new UserError(describeZodError('model', r.error));
  return r.data;
}

/**
 * Refuse, before anything is allocated, a model and batch past the limits a study has by default (see
 * runner/limits.ts): parameters, T, and T × batch × values per step. Counted from the config (NaN, from a
 * config the schema will refuse anyway, passes here and fails there).
 */
export function checkWorkload(config: ModelConfig, T: number, batch: number): void {
  const L = DEFAULT_LIMITS,
    size = modelSize(config);
  if (T > L.T) throw new UserError(`T ${T} is more than the limit of ${formatCount(L.T)}`);
  if (size.parameters > L.parameters)
    throw new UserError(
      `the model has ${formatCount(size.parameters)} parameters, more than the limit of ${formatCount(L.parameters)}`,
    );
  const activations = T * batch * size.activationsPerStep;
  if (activations > L.activations)
    throw new UserError(
      `T ${T} × batch ${batch} × ${size.activationsPerStep} values per step = ${formatCount(activations)} activations, more than the limit of ${formatCount(L.activations)} (use a smaller --batch)`,
    );
}
