/**
 * GRU, exactly PyTorch nn.GRU (gate order r|z|n, separate input and hidden biases):
 *
 *   r = σ(W_ir·x + b_ir + W_hr·h + b_hr)
 *   z = σ(W_iz·x + b_iz + W_hz·h + b_hz)
 *   n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))
 *   h' = (1 − z) ⊙ n + z ⊙ h
 *
 * Layout: weight_ih [3H, I] = [W_ir; W_iz; W_in], weight_hh [3H, H], bias_ih [3H], bias_hh [3H].
 * `step` is the fused path (one GEMM + one pointwise kernel); `composedStep` builds the same step from
 * elementary ops and is kept for tests (they must agree); `sequence` runs the whole loop as one tape node.
 */
import { z } from 'zod';
import type { Tape } from '../autodiff/tape.js';
import type { Backend } from '../kernels/backend.js';
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, chunk, gruPointwise, gruSequence, linear, mul, oneMinus, sigmoid, tanh } from '../ops/index.js';
import type { Cell } from './cell.js';
import { createRnnParams } from './params.js';
import { recurrentInitSchema } from './init.js';
import { checkSize, parseConfig, size } from './schema.js';

export const gruConfigSchema = z.strictObject({
  kind: z.literal('gru'),
  hidden: size,
  /** Initialiser of each of the three H×H blocks of weight_hh (default PyTorch's U(±1/√H)). */
  recurrentInit: recurrentInitSchema.optional(),
});
export type GruConfig = z.input<typeof gruConfigSchema>;

export type GruCell = Cell & { composedStep(tape: Tape, xpt: Tensor, state: readonly Tensor[]): Tensor[] };

export function createGruCell(cfg: GruConfig, inputSize: number, backend: Backend, rng: Rng): GruCell {
  const { hidden: H, recurrentInit } = parseConfig(gruConfigSchema, cfg, 'gru cell');
  checkSize('gru cell', 'input size', inputSize);
  const params = createRnnParams(backend, 3, H, inputSize, recurrentInit, rng);
  return {
    kind: 'gru',
    inputSize,
    outputSize: H,
    stateSizes: [H],
    params,
    // gi = W_ih·x_t + b_ih for all t: [T, B, 3H]
    project: (tape, x) => linear(tape, x, params.weight_ih, params.bias_ih),
    step: (tape, gi, [h]) => [gruPointwise(tape, gi, linear(tape, h, params.weight_hh, params.bias_hh), h)],
    sequence: (tape, gi, [h0], { mask, reverse }) =>
      gruSequence(tape, gi, params.weight_hh, params.bias_hh, h0, { mask, reverse }),
    composedStep(tape, gi, [h]) {
      const gh = linear(tape, h, params.weight_hh, params.bias_hh);
      const [ir, iz, inn] = chunk(tape, gi, 3);
      const [hr, hz, hn] = chunk(tape, gh, 3);
      const r = sigmoid(tape, add(tape, ir, hr));
      const z = sigmoid(tape, add(tape, iz, hz));
      const n = tanh(tape, add(tape, inn, mul(tape, r, hn)));
      return [add(tape, mul(tape, oneMinus(tape, z), n), mul(tape, z, h))];
    },
  };
}
