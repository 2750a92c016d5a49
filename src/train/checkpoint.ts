/**
 * Training checkpoints: everything `fit` needs to continue a run exactly where it stopped, in one safetensors
 * file written atomically:
 *
 *   param.<name>        the model's parameters (F32 on the wasm backend, F64 on the reference: exact)
 *   optimizer.<key>     the optimizer state (step counts, moments; F64 holds float32 values exactly)
 *   history.loss, history.gradNorm   the per-step history so far (F64)
 *   __metadata__        format "recur-checkpoint", version, the model config, and as JSON the step, the data
 *                       stream's and dropout's Rng states, evaluations, early-stopping state and the
 *                       options that must not change on resume (batch size, optimizer, schedule, seed, clipping)
 *
 * The learning-rate schedule is a pure function of the step, so the step restores it. Resuming with the same
 * options gives bit-identical parameters to a run that never stopped (tested).
 */
import type { Model, ModelConfig } from '../models/model.js';
import type { RngState } from '../tensor/rng.js';
import { writeSafetensorsFile, type SafeTensor } from '../io/safetensors.js';
import { readModelFile } from '../io/model-file.js';
import type { Metrics } from './metrics.js';
import type { SourceState } from './sampler.js';
import type { FitResult } from './types.js';

export const CHECKPOINT_FORMAT = 'recur-checkpoint';

/** The state of a training run between two steps. */
export interface TrainingCheckpoint {
  config: ModelConfig;
  /** Parameters by recur name. */
  params: Record<string, Float32Array | Float64Array>;
  /** Steps taken. */
  step: number;
  status: FitResult['status'];
  source: SourceState;
  dropout: RngState;
  optimizer: Record<string, Float64Array>;
  history: { loss: Float64Array; gradNorm: Float64Array };
  evals: { step: number; metrics: Metrics }[];
  solvedAt: number | null;
  /** Early stopping: best metric so far (oriented so lower is better) and evaluations since. */
  best: number;
  sinceBest: number;
  /** Options that must be the same on resume. */
  fingerprint: Record<string, unknown>;
}

/** Write a checkpoint of `model` and its training state to `path` (atomically: temp file + rename). */
export function saveCheckpoint(path: string, model: Model, state: Omit<TrainingCheckpoint, 'config' | 'params'>): void {
  model.assertLive('saveCheckpoint');
  const tensors: Record<string, SafeTensor> = {};
  const f64 = model.backend.dtype === 'float64';
  for (const [name, t] of model.namedParameters()) {
    tensors[`param.${name}`] = f64
      ? { dtype: 'F64', shape: [...t.shape], data: t.toArray() }
      : { dtype: 'F32', shape: [...t.shape], data: t.toFloat32() };
  }
  for (const [key, v] of Object.entries(state.optimizer))
    tensors[`optimizer.${key}`] = { dtype: 'F64', shape: [v.length], data: v };
  if (state.step > 0) {
    tensors['history.loss'] = { dtype: 'F64', shape: [state.step], data: state.history.loss.slice(0, state.step) };
    tensors['history.gradNorm'] = {
      dtype: 'F64',
      shape: [state.step],
      data: state.history.gradNorm.slice(0, state.step),
    };
  }
  const training = {
    step: state.step,
    status: state.status,
    source: state.source,
    dropout: state.dropout,
    evals: state.evals,
    solvedAt: state.solvedAt,
    best: Number.isFinite(state.best) ? state.best : null,
    sinceBest: state.sinceBest,
    fingerprint: state.fingerprint,
  };
  writeSafetensorsFile(path, tensors, {
    format: CHECKPOINT_FORMAT,
    version: '1',
    config: JSON.stringify(model.config),
    training: JSON.stringify(training),
  });
}

/** Read a checkpoint written by `fit` (or saveCheckpoint); every problem names the file. */
export function loadCheckpoint(path: string): TrainingCheckpoint {
  const file = readModelFile(path);
  const meta = file.metadata;
  if (meta.format !== CHECKPOINT_FORMAT) {
    throw new Error(
      `${path}: not a recur training checkpoint (metadata format is ${meta.format === undefined ? 'missing' : `"${meta.format}"`})`,
    );
  }
  let config: ModelConfig, t: Record<string, unknown>;
  try {
    config = JSON.parse(meta.config ?? '') as ModelConfig;
    t = JSON.parse(meta.training ?? '') as Record<string, unknown>;
  } catch {
    throw new Error(`${path}: the checkpoint header's config or training state is not valid JSON`);
  }
  const step = t.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0)
    throw new Error(`${path}: the checkpoint's step is not a step count`);
  const params: Record<string, Float32Array | Float64Array> = {};
  const optimizer: Record<string, Float64Array> = {};
  let loss = new Float64Array(0),
    gradNorm = new Float64Array(0);
  for (const [name, tensor] of Object.entries(file.tensors)) {
    const data = tensor.data;
    if (!(data instanceof Float32Array || data instanceof Float64Array))
      throw new Error(`${path}: tensor "${name}" has dtype ${tensor.dtype}, expected F32 or F64`);
    if (name.startsWith('param.')) params[name.slice(6)] = data;
    else if (name.startsWith('optimizer.')) optimizer[name.slice(10)] = Float64Array.from(data);
    else if (name === 'history.loss') loss = Float64Array.from(data);
    else if (name === 'history.gradNorm') gradNorm = Float64Array.from(data);
    else throw new Error(`${path}: unexpected tensor "${name}" in a checkpoint`);
  }
  if (loss.length !== step || gradNorm.length !== step)
    throw new Error(`${path}: the checkpoint's history has ${loss.length} steps, its step is ${step}`);
  return {
    config,
    params,
    step,
    status: t.status as FitResult['status'],
    source: t.source as SourceState,
    dropout: t.dropout as RngState,
    optimizer,
    history: { loss, gradNorm },
    evals: (t.evals ?? []) as TrainingCheckpoint['evals'],
    solvedAt: (t.solvedAt ?? null) as number | null,
    best: typeof t.best === 'number' ? t.best : Infinity,
    sinceBest: typeof t.sinceBest === 'number' ? t.sinceBest : 0,
    fingerprint: (t.fingerprint ?? {}) as Record<string, unknown>,
  };
}

/** Copy a checkpoint's parameters into `model`, checking that the architecture is the same. */
export function restoreParameters(model: Model, ckpt: TrainingCheckpoint, source: string): void {
  const a = JSON.stringify(model.config),
    b = JSON.stringify(ckpt.config);
  if (a !== b)
    throw new Error(`${source}: the checkpoint was made for another model (checkpoint ${b}, this model ${a})`);
  for (const [name, t] of model.namedParameters()) {
    const v = ckpt.params[name];
    if (!v) throw new Error(`${source}: the checkpoint has no parameter "${name}"`);
    if (v.length !== t.size)
      throw new Error(
        `${source}: parameter "${name}" has ${v.length} values in the checkpoint, the model needs ${t.size}`,
      );
    t.set(v);
  }
}
