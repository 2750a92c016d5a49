/**
 * The feed-forward readout g: an MLP  y = W_k·σ(…σ(W_1·h + b_1)…) + b_k  applied to every row of its input
 * ([B, F] for many-to-one, [T, B, F] for many-to-many: one GEMM per layer over all rows).
 */
import type { Tape } from '../autodiff/tape.js';
import { z } from 'zod';
import type { Backend } from '../kernels/backend.js';
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { activation, linear } from '../ops/index.js';
import { createParam } from '../cells/params.js';
import { activationSchema, checkSize, parseConfig, size } from '../cells/schema.js';
import { initGlorot, initUniform } from '../cells/init.js';

export const readoutConfigSchema = z.strictObject({
  /** Hidden layer sizes of the MLP ([]: a single linear layer). */
  hidden: z.array(size).default([]),
  /** Activation between hidden layers. */
  activation: activationSchema.default('tanh'),
});
export type ReadoutConfig = z.input<typeof readoutConfigSchema>;

export interface Readout {
  readonly params: Readonly<Record<string, Tensor>>;
  apply(tape: Tape, h: Tensor): Tensor;
}

export function createReadout(
  cfg: ReadoutConfig,
  inputSize: number,
  outputSize: number,
  backend: Backend,
  rng: Rng,
): Readout {
  const { hidden, activation: act } = parseConfig(readoutConfigSchema, cfg, 'readout');
  checkSize('readout', 'input size', inputSize);
  checkSize('readout', 'output size', outputSize);
  const sizes = [inputSize, ...hidden, outputSize];
  const params: Record<string, Tensor> = {};
  const layers: { w: Tensor; b: Tensor }[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const w = createParam(backend, `${i}.weight`, [sizes[i + 1], sizes[i]]);
    const b = createParam(backend, `${i}.bias`, [sizes[i + 1]]);
    initGlorot(w, rng);
    initUniform(b, 1 / Math.sqrt(sizes[i]), rng);
    params[w.name] = w;
    params[b.name] = b;
    layers.push({ w, b });
  }
  return {
    params,
    apply(tape, h) {
      let y = h;
      layers.forEach(({ w, b }, i) => {
        y = linear(tape, y, w, b);
        if (i + 1 < layers.length) y = activation(tape, act, y);
      });
      return y;
    },
  };
}
