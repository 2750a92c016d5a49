/**
 * The size of a model, computed from its config alone — nothing is allocated. Used to bound work before it
 * starts: a study refuses a model past its parameter budget without building it, and a model file's config
 * is checked against the tensors the file holds before the model is built from it.
 *
 * The formulas mirror the parameter layouts stated in each cell's header (PyTorch layout, G gates):
 *   vanilla / GRU / LSTM (G = 1, 3, 4)  weight_ih [G·H, I] + weight_hh [G·H, H] + bias_ih, bias_hh [G·H]
 *   deep (G = 2 for highway, else 1)    weight_ih [G·H, I] (+ bias_ih [H] unless highway)
 *                                       + L × (weight_hh_l [G·H, H] + bias_hh_l [G·H] (+ 2·G·H with layer norm))
 *                                       (+ weight_skip [H, H] for shortcut with L ≥ 2)
 *   lru (N = state ?? H, M = mlpHidden ?? H)  2N + 2·N·I + 2·H·N + H·I + M·H + M + H·M + H
 *   learned initial state: the cell's state sizes (LSTM 2H, LRU 2N, others H) per layer and direction
 *   readout: Σ (n_in·n_out + n_out) over [directions·H, ...hidden, outputSize]
 * `test/models/size.test.ts` checks these against `Model.parameterCount()` for every kind and option.
 */
import type { CellConfig } from '../cells/index.js';
import type { ModelConfig } from './model.js';

/** What a model's config implies, before anything is built. */
export interface ModelSize {
  /** Trainable scalars (exactly `new Model(config).parameterCount()`). */
  parameters: number;
  /** Width of one direction's hidden state (the cell's output size). */
  hidden: number;
  /**
   * Scalars the time loop keeps per sequence element and time step over all layers, directions and inner
   * depth (gates included): multiply by T × batch for the activations a training step records.
   */
  activationsPerStep: number;
}

/** Parameters of one cell with input size `I`, and the numbers the activation estimate needs. */
function cellSize(cell: CellConfig, I: number): { parameters: number; state: number; perStep: number } {
  const H = cell.hidden;
  switch (cell.kind) {
    case 'vanilla':
    case 'gru':
    case 'lstm': {
      const G = cell.kind === 'vanilla' ? 1 : cell.kind === 'gru' ? 3 : 4;
      return { parameters: G * H * (I + H) + 2 * G * H, state: cell.kind === 'lstm' ? 2 * H : H, perStep: (G + 2) * H };
    }
    case 'deep': {
      const L = cell.depth,
        highway = cell.variant === 'highway',
        G = highway ? 2 : 1;
      const perLayer = G * H * H + G * H + (cell.layerNorm ? 2 * G * H : 0);
      const skip = cell.variant === 'shortcut' && L >= 2 ? H * H : 0;
      return {
        parameters: G * H * I + (highway ? 0 : H) + L * perLayer + skip,
        state: H,
        // the fused step's tape (ops/deep-step.ts): per layer z_l (highway: hl, tl, s_l), with layer norm
        // also a_l [G·H]; per step the output and its gradient
        perStep: L * (highway ? 3 : 1) * H + (cell.layerNorm ? L * G * H : 0) + 2 * H,
      };
    }
    case 'lru': {
      const N = cell.state ?? H,
        M = cell.mlpHidden ?? H;
      return {
        parameters: 2 * N + 2 * N * I + 2 * H * N + H * I + 2 * M * H + M + H,
        state: 2 * N,
        perStep: 4 * N + 2 * M + 2 * H,
      };
    }
    default:
      throw new Error(`unknown transition kind '${(cell as { kind: string }).kind}'`);
  }
}

/**
 * Count a model's parameters and estimate its per-step activations from the config, without allocating.
 * Assumes a config that passed the model schema (positive integer sizes); results may exceed 2^53 for
 * absurd configs, which every limit rejects.
 *
 * @example
 * modelSize({ inputSize: 2, outputSize: 1, target: 'last', cell: { kind: 'lstm', hidden: 64 } }).parameters // 17_473
 */
export function modelSize(config: ModelConfig): ModelSize {
  const layers = config.layers ?? 1,
    directions = config.bidirectional ? 2 : 1;
  let parameters = 0,
    perStep = 0,
    input = config.inputSize;
  for (let k = 0; k < layers; k++) {
    const c = cellSize(config.cell, input);
    parameters += directions * (c.parameters + (config.learnInitialState ? c.state : 0));
    perStep += directions * c.perStep;
    input = directions * config.cell.hidden;
  }
  const sizes = [input, ...(config.readout?.hidden ?? []), config.outputSize];
  for (let i = 0; i + 1 < sizes.length; i++) parameters += sizes[i] * sizes[i + 1] + sizes[i + 1];
  return { parameters, hidden: config.cell.hidden, activationsPerStep: perStep };
}
