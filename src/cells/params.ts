/** Parameter tensors: named, requiring gradients, gradient buffer allocated up front. */
import type { Backend } from '../kernels/backend.js';
import { Tensor } from '../tensor/tensor.js';
import type { Rng } from '../tensor/rng.js';
import { initRecurrentBlocks, initUniform, type RecurrentInit } from './init.js';
import type { Shape } from '../tensor/shape.js';

/** A new zero parameter tensor named `name` (initialise it with one of `cells/init.ts`). */
export function createParam(backend: Backend, name: string, shape: Shape): Tensor {
  const t = Tensor.zeros(backend, shape);
  t.name = name;
  return t.markGrad();
}

/**
 * The parameters of a PyTorch-style recurrent cell with G gates stacked in rows — weight_ih [G·H, I],
 * weight_hh [G·H, H], bias_ih, bias_hh [G·H] — initialised as PyTorch does (U(±1/√H)), except that each
 * H×H block of weight_hh follows `recurrentInit` when one is given.
 */
export function createRnnParams(
  backend: Backend,
  gates: number,
  H: number,
  inputSize: number,
  recurrentInit: RecurrentInit | undefined,
  rng: Rng,
): { weight_ih: Tensor; weight_hh: Tensor; bias_ih: Tensor; bias_hh: Tensor } {
  const params = {
    weight_ih: createParam(backend, 'weight_ih', [gates * H, inputSize]),
    weight_hh: createParam(backend, 'weight_hh', [gates * H, H]),
    bias_ih: createParam(backend, 'bias_ih', [gates * H]),
    bias_hh: createParam(backend, 'bias_hh', [gates * H]),
  };
  const k = 1 / Math.sqrt(H);
  initUniform(params.weight_ih, k, rng);
  initRecurrentBlocks(params.weight_hh, gates, H, recurrentInit, rng);
  initUniform(params.bias_ih, k, rng);
  initUniform(params.bias_hh, k, rng);
  return params;
}
