/**
 * LSTM, exactly PyTorch nn.LSTM (gate order i|f|g|o, separate input and hidden biases):
 *
 *   i = σ(W_ii·x + b_ii + W_hi·h + b_hi)      f = σ(W_if·x + b_if + W_hf·h + b_hf)
 *   g = tanh(W_ig·x + b_ig + W_hg·h + b_hg)   o = σ(W_io·x + b_io + W_ho·h + b_ho)
 *   c' = f ⊙ c + i ⊙ g                         h' = o ⊙ tanh(c')
 *
 * Layout: weight_ih [4H, I] = [W_ii; W_if; W_ig; W_io], weight_hh [4H, H], bias_ih [4H], bias_hh [4H].
 * State: (h, c). `step` is the fused path (one GEMM with the precomputed input part added in the same
 * node, then one pointwise kernel); `composedStep` is the same step from elementary ops, for tests;
 * `sequence` runs the whole loop as one tape node (ops/sequence.ts).
 */
import { z } from 'zod';
import type { Tape } from '../autodiff/tape.js';
import type { Backend } from '../kernels/backend.js';
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, chunk, linear, lstmPointwise, lstmSequence, mul, sigmoid, tanh } from '../ops/index.js';
import type { Cell } from './cell.js';
import { createRnnParams } from './params.js';
import { recurrentInitSchema } from './init.js';
import { checkSize, finite, parseConfig, size } from './schema.js';

export const lstmConfigSchema = z.strictObject({
  kind: z.literal('lstm'),
  hidden: size,
  /** Added to the forget-gate part of bias_hh after initialisation (0, as PyTorch; 1 is common). */
  forgetBias: finite.default(0),
  recurrentInit: recurrentInitSchema.optional(),
});
export type LstmConfig = z.input<typeof lstmConfigSchema>;

export type LstmCell = Cell & { composedStep(tape: Tape, xpt: Tensor, state: readonly Tensor[]): Tensor[] };

export function createLstmCell(cfg: LstmConfig, inputSize: number, backend: Backend, rng: Rng): LstmCell {
  const { hidden: H, forgetBias, recurrentInit } = parseConfig(lstmConfigSchema, cfg, 'lstm cell');
  checkSize('lstm cell', 'input size', inputSize);
  const params = createRnnParams(backend, 4, H, inputSize, recurrentInit, rng);
  if (forgetBias) {
    const b = params.bias_hh.toArray();
    for (let j = H; j < 2 * H; j++) b[j] += forgetBias;
    params.bias_hh.set(b);
  }
  return {
    kind: 'lstm',
    inputSize,
    outputSize: H,
    stateSizes: [H, H],
    params,
    // W_ih·x_t + b_ih for all t: [T, B, 4H]
    project: (tape, x) => linear(tape, x, params.weight_ih, params.bias_ih),
    step(tape, xpt, [h, c]) {
      const out = lstmPointwise(tape, linear(tape, h, params.weight_hh, params.bias_hh, xpt), c);
      return [out.h, out.c];
    },
    sequence: (tape, xp, [h0, c0], { mask, reverse }) =>
      lstmSequence(tape, xp, params.weight_hh, params.bias_hh, h0, c0, { mask, reverse }),
    composedStep(tape, xpt, [h, c]) {
      const pre = linear(tape, h, params.weight_hh, params.bias_hh, xpt);
      const [pi, pf, pg, po] = chunk(tape, pre, 4);
      const i = sigmoid(tape, pi),
        f = sigmoid(tape, pf),
        g = tanh(tape, pg),
        o = sigmoid(tape, po);
      const c2 = add(tape, mul(tape, f, c), mul(tape, i, g));
      return [mul(tape, o, tanh(tape, c2)), c2];
    },
  };
}
