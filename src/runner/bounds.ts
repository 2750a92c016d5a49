/**
 * The checks behind the limits (limits.ts): counting a study's trials from axis lengths and seeds, and
 * bounding its training budgets, tasks and models — all from the config, before anything is expanded or
 * built. Each refusal is a StudyError naming the key, the value and the limit, and how to raise it.
 */
import type { ModelConfig } from '../models/model.js';
import type { ResolvedTaskSpec } from '../tasks/registry.js';
import { StudyError, studyPairs, type StudyBody, type TrainingConfig } from './study.js';
import { formatCount, raiseHint, resolveLimits, type StudyLimits } from './limits.js';

/** Combinations a grid defines, from its axis lengths (no expansion; may be astronomically large). */
function gridSize(grid: Record<string, readonly unknown[]> | undefined): number {
  return Object.values(grid ?? {}).reduce((n, values) => n * values.length, 1);
}

/**
 * The number of trials a study defines (an upper bound when pairs overlap), from axis lengths and seed
 * counts alone; throws a StudyError naming the limit when it, or any one entry's grid, is past `trials`.
 */
export function countTrials(
  study: StudyBody,
  source = study.name,
  limits: StudyLimits = resolveLimits(study.limits),
): number {
  const over = (what: string, n: number): StudyError =>
    new StudyError(
      `${source}: ${what} ${formatCount(n)} trials, more than the limit of ${formatCount(limits.trials)} ${raiseHint('trials')}`,
    );
  const sizes = new Map<string, number>();
  for (const [kind, entries] of [
    ['tasks', study.tasks],
    ['models', study.models],
  ] as const) {
    for (const [name, entry] of Object.entries(entries)) {
      const n = gridSize(entry.grid);
      if (n > limits.trials) throw over(`${kind}.${name}.grid defines`, n);
      sizes.set(`${kind}.${name}`, n);
    }
  }
  const seeds = Array.isArray(study.seeds) ? study.seeds.length : study.seeds;
  const pairs = studyPairs(study);
  const sum = (kind: string, names: string[]): number =>
    names.reduce((s, n) => s + (sizes.get(`${kind}.${n}`) ?? 0), 0);
  const count =
    pairs.reduce((s, p) => s + sum('tasks', p.tasks) * sum('models', p.models) * (p.seeds?.length ?? seeds), 0) *
    gridSize(study.grid);
  if (count > limits.trials) throw over('the grids and seeds define', count);
  return count;
}

/** Training budget bounds: steps, and the sequences one evaluation draws (fit's defaults when unset). */
export function checkTraining(t: TrainingConfig, where: string, limits: StudyLimits): void {
  if (t.steps > limits.steps)
    throw new StudyError(
      `${where}.steps: ${formatCount(t.steps)} is more than the limit of ${formatCount(limits.steps)} ${raiseHint('steps')}`,
    );
  const n = (t.evalBatches ?? 4) * (t.evalBatchSize ?? Math.max(t.batchSize, 64));
  if (n > limits.evalSamples) {
    throw new StudyError(
      `${where}: evalBatches × evalBatchSize = ${formatCount(n)} sequences per evaluation, more than the limit of ${formatCount(limits.evalSamples)} ${raiseHint('evalSamples')}`,
    );
  }
}

/** Bounds on a task's own size: its sequence length, and a teacher network's parameters. */
export function checkTaskSpec(spec: ResolvedTaskSpec, where: string, limits: StudyLimits): void {
  const s = spec as Record<string, unknown>;
  if (typeof s.T === 'number' && s.T > limits.T)
    throw new StudyError(
      `${where}.T: ${formatCount(s.T)} is more than the limit of ${formatCount(limits.T)} ${raiseHint('T')}`,
    );
  if (typeof s.hiddenSize === 'number') {
    const H = s.hiddenSize,
      n = (typeof s.depth === 'number' ? s.depth : 1) * H * (H + 1) + H * 64;
    if (n > limits.parameters)
      throw new StudyError(
        `${where}.hiddenSize: a teacher of ${formatCount(H)} units has about ${formatCount(n)} parameters, more than the limit of ${formatCount(limits.parameters)} ${raiseHint('parameters')}`,
      );
  }
}

/** The same model with every size cut to at most 2: builds in microseconds and fails where the real one would. */
export function miniature(config: ModelConfig): ModelConfig {
  const small = (n: number | undefined): number | undefined => (n === undefined ? undefined : Math.min(n, 2));
  const cell = { ...config.cell, hidden: 2 } as Record<string, unknown>;
  for (const k of ['depth', 'state', 'mlpHidden']) if (typeof cell[k] === 'number') cell[k] = small(cell[k] as number);
  const readout = config.readout ? { ...config.readout, hidden: config.readout.hidden?.map(() => 2) } : undefined;
  return {
    ...config,
    inputSize: small(config.inputSize)!,
    outputSize: small(config.outputSize)!,
    layers: small(config.layers),
    cell: cell as unknown as ModelConfig['cell'],
    readout,
  };
}
