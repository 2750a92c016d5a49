/**
 * What fit checks before it trains: the options object (present, no unknown keys, the required ones given)
 * and that the model fits the data (input and output sizes, target mode), each with a message in the
 * caller's terms.
 */
import type { Model } from '../models/model.js';
import type { Task } from '../tasks/task.js';
import { isDataset } from '../data/dataset.js';
import type { FitOptions } from './types.js';

/** Throw a clear error unless the model fits the data (sizes and target mode). */
export function checkModelFitsTask(model: Model, task: Task, who: string): void {
  model.assertLive(who);
  const c = model.config,
    name = `the ${isDataset(task) ? 'data' : `task '${task.name}'`}`;
  if (c.inputSize !== task.inputSize)
    throw new Error(
      `${who}: the model's inputSize is ${c.inputSize} but ${name} has ${task.inputSize} input feature${task.inputSize > 1 ? 's' : ''} per step (set inputSize: ${task.inputSize})`,
    );
  if (c.outputSize !== task.outputSize)
    throw new Error(
      `${who}: the model's outputSize is ${c.outputSize} but ${name} needs ${task.outputSize} (${task.loss === 'xent' ? 'classes' : 'regression outputs'}; set outputSize: ${task.outputSize})`,
    );
  if (c.target !== task.target)
    throw new Error(
      `${who}: the model's target is '${c.target}' but ${name} has targets ${task.target === 'all' ? 'at every step' : 'per sequence'} (set target: '${task.target}')`,
    );
}

/** Every key FitOptions (and fitAsync's yieldEveryMs) has — the type keeps this list complete: a misspelt
 * option is an error, not a silent default. */
const FIT_OPTIONS: Record<keyof FitOptions | 'yieldEveryMs', true> = {
  steps: true,
  batchSize: true,
  optimizer: true,
  schedule: true,
  clipNorm: true,
  clipValue: true,
  seed: true,
  evalEvery: true,
  validation: true,
  evalBatches: true,
  evalBatchSize: true,
  stopWhenSolved: true,
  earlyStopping: true,
  loss: true,
  checkpoint: true,
  resume: true,
  signal: true,
  eager: true,
  detectAnomaly: true,
  onEvent: true,
  yieldEveryMs: true,
};

/** The options object itself: present, no unknown keys, and the three fit cannot default. */
export function checkOptions(o: unknown): asserts o is FitOptions {
  const example = "e.g. { steps: 1000, batchSize: 32, optimizer: { kind: 'adam', lr: 0.001 } }";
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new Error(`fit: options must be an object, ${example}; got ${o === undefined ? 'nothing' : String(o)}`);
  const unknown = Object.keys(o).filter((k) => !Object.hasOwn(FIT_OPTIONS, k));
  if (unknown.length)
    throw new Error(`fit: unknown option ${unknown.join(', ')} (expected ${Object.keys(FIT_OPTIONS).join(', ')})`);
  for (const k of ['steps', 'batchSize', 'optimizer'] as const)
    if ((o as Record<string, unknown>)[k] === undefined) throw new Error(`fit: options.${k} is required, ${example}`);
}

/** Throw unless `v` is a positive integer, naming `who` and `name`. */
export function positiveInt(who: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new Error(`${who}: ${name} must be a positive integer, got ${String(v)}`);
}
