/**
 * PyTorch interchange for nn.RNN (tanh/relu), nn.GRU and nn.LSTM state dicts, multi-layer and
 * bidirectional, with PyTorch's names:
 *
 *   recur                          PyTorch
 *   layers.<k>.fwd.weight_ih   ↔   weight_ih_l<k>          (and weight_hh, bias_ih, bias_hh)
 *   layers.<k>.bwd.weight_ih   ↔   weight_ih_l<k>_reverse
 *   readout.<i>.weight|bias    ↔   readout.<i>.weight|bias  (recur's own; PyTorch's RNN modules have no readout)
 *
 * The gate layouts already match (GRU r|z|n, LSTM i|f|g|o), so tensors are copied unchanged.
 */
import type { Backend } from '../kernels/backend.js';
import { Model, type ModelConfig } from '../models/model.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import type { SafeTensor } from './safetensors.js';

/** PyTorch's RNN module kinds. */
export type TorchMode = 'RNN_TANH' | 'RNN_RELU' | 'GRU' | 'LSTM';

/** A state dict as read from a safetensors file: name → {shape, data}. */
export type StateDict = Record<string, { shape: number[]; data: ArrayLike<number> | BigInt64Array }>;

/** PyTorch's name for one recur parameter (null when PyTorch has no counterpart). */
export function torchName(recurName: string): string | null {
  const m = /^layers\.(\d+)\.(fwd|bwd)\.(weight_ih|weight_hh|bias_ih|bias_hh)$/.exec(recurName);
  if (m) return `${m[3]}_l${m[1]}${m[2] === 'bwd' ? '_reverse' : ''}`;
  if (recurName.startsWith('readout.')) return recurName;
  return null;
}

function checkTorchCompatible(model: Model): void {
  const cell = model.config.cell;
  const ok =
    cell.kind === 'gru' ||
    cell.kind === 'lstm' ||
    (cell.kind === 'vanilla' && (cell.activation ?? 'tanh') !== 'sigmoid' && cell.activation !== 'identity');
  if (!ok)
    throw new Error(
      `PyTorch state dicts exist for nn.RNN (tanh/relu), nn.GRU and nn.LSTM, not for a '${cell.kind}' transition${'activation' in cell ? ` with ${cell.activation}` : ''}`,
    );
  if (model.config.learnInitialState)
    throw new Error('PyTorch state dicts have no learned initial state; build the model without learnInitialState');
}

/** The model's parameters under PyTorch's names (float32, as PyTorch stores them by default). */
export function toTorchStateDict(model: Model, options: { readout?: boolean } = {}): Record<string, SafeTensor> {
  checkTorchCompatible(model);
  const out: Record<string, SafeTensor> = {};
  for (const [name, t] of model.namedParameters()) {
    const tn = torchName(name);
    if (!tn || (tn.startsWith('readout.') && options.readout === false)) continue;
    out[tn] = { dtype: 'F32', shape: [...t.shape], data: t.toFloat32() };
  }
  return out;
}

/**
 * Load a PyTorch state dict into `model` (names as PyTorch writes them; an optional `prefix` such as
 * 'rnn.' is stripped). Every recurrent parameter must be present with its exact shape; readout tensors
 * are loaded when present. Errors name the tensor and both shapes.
 */
export function loadTorchStateDict(
  model: Model,
  dict: StateDict,
  options: { prefix?: string; requireReadout?: boolean } = {},
): void {
  checkTorchCompatible(model);
  const prefix = options.prefix ?? '';
  const used = new Set<string>();
  for (const [name, t] of model.namedParameters()) {
    const tn = torchName(name);
    if (!tn) continue;
    const key = prefix + tn;
    const src = dict[key];
    if (!src) {
      if (tn.startsWith('readout.') && !options.requireReadout) continue;
      throw new Error(`state dict: missing tensor "${key}" (expected shape ${formatShape(t.shape)} for ${name})`);
    }
    if (!sameShape(src.shape, t.shape)) {
      throw new Error(
        `state dict: tensor "${key}" has shape ${formatShape(src.shape)}, expected ${formatShape(t.shape)} (${name})`,
      );
    }
    if (src.data instanceof BigInt64Array)
      throw new Error(`state dict: tensor "${key}" holds 64-bit integers, expected floating-point weights`);
    try {
      t.set(src.data);
    } catch (e) {
      throw new Error(`state dict: tensor "${key}": ${(e as Error).message}`);
    }
    used.add(key);
  }
  const unknown = Object.keys(dict).filter(
    (k) =>
      k.startsWith(prefix) && /^(weight|bias)_(ih|hh)_l\d+(_reverse)?$/.test(k.slice(prefix.length)) && !used.has(k),
  );
  if (unknown.length)
    throw new Error(
      `state dict: tensors not used by this model: ${unknown.join(', ')} (more layers or directions than the model has?)`,
    );
}

/** Infer the layer structure of a PyTorch RNN state dict: layers, directions, input and hidden sizes. */
export function inspectTorchStateDict(
  dict: StateDict,
  mode: TorchMode,
  prefix = '',
): { inputSize: number; hidden: number; layers: number; bidirectional: boolean } {
  const gates = mode === 'GRU' ? 3 : mode === 'LSTM' ? 4 : 1;
  const w = dict[`${prefix}weight_hh_l0`];
  if (!w) throw new Error(`state dict: missing tensor "${prefix}weight_hh_l0"`);
  if (w.shape.length !== 2 || w.shape[0] !== gates * w.shape[1]) {
    throw new Error(
      `state dict: "${prefix}weight_hh_l0" has shape ${formatShape(w.shape)}, not [${gates}·H, H] for ${mode}`,
    );
  }
  const hidden = w.shape[1];
  let layers = 0;
  while (dict[`${prefix}weight_hh_l${layers}`]) layers++;
  const wi = dict[`${prefix}weight_ih_l0`];
  if (wi?.shape.length !== 2) throw new Error(`state dict: missing or malformed "${prefix}weight_ih_l0"`);
  return { inputSize: wi.shape[1], hidden, layers, bidirectional: !!dict[`${prefix}weight_hh_l0_reverse`] };
}

/**
 * Build a recur model from a PyTorch RNN/GRU/LSTM state dict (plus a readout of `outputSize` outputs,
 * freshly initialised unless the dict holds `readout.*` tensors).
 */
export function modelFromTorchStateDict(
  dict: StateDict,
  mode: TorchMode,
  backend: Backend,
  rest: Pick<ModelConfig, 'outputSize' | 'target'> & {
    readout?: ModelConfig['readout'];
    prefix?: string;
    seed?: number;
  },
): Model {
  const s = inspectTorchStateDict(dict, mode, rest.prefix);
  const cell: ModelConfig['cell'] =
    mode === 'GRU'
      ? { kind: 'gru', hidden: s.hidden }
      : mode === 'LSTM'
        ? { kind: 'lstm', hidden: s.hidden }
        : { kind: 'vanilla', hidden: s.hidden, activation: mode === 'RNN_RELU' ? 'relu' : 'tanh' };
  const model = new Model(
    {
      inputSize: s.inputSize,
      outputSize: rest.outputSize,
      target: rest.target,
      cell,
      layers: s.layers,
      bidirectional: s.bidirectional,
      readout: rest.readout,
    },
    backend,
    rest.seed ?? 0,
  );
  loadTorchStateDict(model, dict, { prefix: rest.prefix });
  return model;
}
