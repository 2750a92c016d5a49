/** Full-BPTT gradient check of a Model (float64 reference backend), shared by the cell and model tests. */
import { expect } from 'vitest';
import { gradcheckInPlace } from '../../src/autodiff/gradcheck.js';
import type { Tape } from '../../src/autodiff/tape.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { Model, type ModelConfig } from '../../src/models/model.js';
import { mse, softmaxCrossEntropy } from '../../src/ops/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomLabels, randomTensor } from './random.js';

/** Sequence length, batch and input size of every model gradient check. */
export const T = 4,
  B = 3,
  I = 3;

/** A [T, B] mask with sequence lengths 4, 2, 3 (right padding). */
export function lengthsMask(): Tensor {
  const lengths = [4, 2, 3];
  const v = new Float64Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) v[t * B + b] = t < lengths[b] ? 1 : 0;
  return Tensor.from(referenceBackend, [T, B], v);
}

/**
 * Check ∂loss/∂(every parameter and the input) of `config` against central differences: max relative
 * error ≤ 1e-6. mse on random targets, or (xent) softmax cross-entropy on random labels, masked when asked.
 */
export function checkModelGradients(config: ModelConfig, opts: { mask?: boolean; xent?: boolean } = {}): void {
  const model = new Model(config, referenceBackend, 3);
  const rng = new Rng(11);
  const x = randomTensor(rng, [T, B, I]).markGrad();
  const mask = opts.mask ? lengthsMask() : null;
  const rows = config.target === 'all' ? T * B : B;
  const target = opts.xent
    ? randomLabels(rng, rows, config.outputSize)
    : randomTensor(rng, config.target === 'all' ? [T, B, config.outputSize] : [B, config.outputSize]);
  const fn = (tape: Tape): Tensor => {
    const { y } = model.forward(tape, x, { mask });
    if (opts.xent)
      return softmaxCrossEntropy(
        tape,
        y.reshape([rows, config.outputSize]),
        target,
        config.target === 'all' && mask ? mask.reshape([rows]) : null,
      );
    return mse(tape, y, target);
  };
  const r = gradcheckInPlace(fn, [...model.parameters(), x]);
  expect(r.checked).toBeGreaterThan(50);
  expect(r.maxRelError, `${JSON.stringify(config.cell)}: worst ${JSON.stringify(r.worst)}`).toBeLessThan(1e-6);
}
