/**
 * Vanilla transition (Elman RNN), PyTorch nn.RNN's equations and layout:
 *
 *   h_t = σ(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh)          σ ∈ {tanh, sigmoid, relu, identity}
 *
 * In the seed's notation f(h, x) = σ(A·h + B·x + v): A = W_hh [H, H], B = W_ih [H, I], v = b_ih + b_hh [H].
 * σ = identity is the linear RNN. Per step: one GEMM (h·W_hhᵀ, with x_t·W_ihᵀ + b_ih precomputed for all
 * t at once and added in the same node) and one pointwise activation; `sequence` runs the whole loop as one
 * tape node (ops/sequence.ts).
 */
import { z } from 'zod';
import type { Tape } from '../autodiff/tape.js';
import type { Activation, Backend } from '../kernels/backend.js';
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { activation, linear, rnnSequence } from '../ops/index.js';
import type { Cell, CellTheory } from './cell.js';
import { createRnnParams } from './params.js';
import { recurrentInitSchema } from './init.js';
import { activationSchema, checkSize, parseConfig, size } from './schema.js';

export const vanillaConfigSchema = z.strictObject({
  kind: z.literal('vanilla'),
  hidden: size,
  /** σ. */
  activation: activationSchema.default('tanh'),
  /** Recurrent matrix A = W_hh (default PyTorch's U(±1/√H)). */
  recurrentInit: recurrentInitSchema.optional(),
});
export type VanillaConfig = z.input<typeof vanillaConfigSchema>;

/** γ = sup|σ′| of each activation (Pascanu et al. 2013). */
export const ACTIVATION_GAMMA: Record<Activation, number> = { tanh: 1, sigmoid: 0.25, relu: 1, identity: 1 };

export function createVanillaCell(cfg: VanillaConfig, inputSize: number, backend: Backend, rng: Rng): Cell {
  const { hidden: H, activation: act, recurrentInit } = parseConfig(vanillaConfigSchema, cfg, 'vanilla cell');
  checkSize('vanilla cell', 'input size', inputSize);
  const params = createRnnParams(backend, 1, H, inputSize, recurrentInit, rng);
  const theory: CellTheory = { gamma: ACTIVATION_GAMMA[act], recurrentMatrices: [params.weight_hh], shortcut: 'none' };
  return {
    kind: 'vanilla',
    inputSize,
    outputSize: H,
    stateSizes: [H],
    params,
    theory,
    // x [T, B, I] → W_ih·x_t + b_ih for every t: [T, B, H]
    project: (tape: Tape, x: Tensor) => linear(tape, x, params.weight_ih, params.bias_ih),
    // h_t = σ(xp_t + W_hh·h_{t−1} + b_hh)
    step: (tape: Tape, xpt: Tensor, [h]: readonly Tensor[]) => [
      activation(tape, act, linear(tape, h, params.weight_hh, params.bias_hh, xpt)),
    ],
    sequence: (tape, xp, [h0], { mask, reverse }) =>
      rnnSequence(tape, act, xp, params.weight_hh, params.bias_hh, h0, { mask, reverse }),
  };
}
