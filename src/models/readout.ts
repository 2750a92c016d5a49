/**
 * The feed-forward readout g: an MLP  y = W_k·σ(…σ(W_1·h + b_1)…) + b_k  applied to every row of its input
 * ([B, F] for many-to-one, [T, B, F] for many-to-many: one GEMM per layer over all rows).
 */
import type { Tape } from '../autodiff/tape.js';
import type { Activation, Backend } from '../kernels/backend.js';
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { activation, linear } from '../ops/index.js';
import { createParam, expectPositiveInt } from '../cells/params.js';
import { initGlorot, initUniform } from '../cells/init.js';

export interface ReadoutConfig {
  /** Hidden layer sizes of the MLP (default []: a single linear layer). */
  hidden?: number[];
  /** Activation between hidden layers (default tanh). */
  activation?: Activation;
}

export interface Readout {
  readonly params: Readonly<Record<string, Tensor>>;
  apply(tape: Tape, h: Tensor): Tensor;
}

export function createReadout(cfg: ReadoutConfig, inputSize: number, outputSize: number, backend: Backend, rng: Rng): Readout {
  const sizes = [inputSize, ...(cfg.hidden ?? []), outputSize];
  sizes.forEach((s, i) => expectPositiveInt('readout', i === 0 ? 'input size' : i === sizes.length - 1 ? 'output size' : `hidden[${i - 1}]`, s));
  const act = cfg.activation ?? 'tanh';
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
