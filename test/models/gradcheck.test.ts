/** Full BPTT through every transition and model variant against central finite differences (float64). */
import { describe, expect, it } from 'vitest';
import { gradcheckInPlace } from '../../src/autodiff/gradcheck.js';
import type { Tape } from '../../src/autodiff/tape.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { Model, type ModelConfig } from '../../src/models/model.js';
import { mse, softmaxCrossEntropy } from '../../src/ops/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import type { CellConfig } from '../../src/cells/index.js';
import { randomLabels, randomTensor } from '../helpers/random.js';

const T = 4, B = 3, I = 3;

/** A [T, B] mask with sequence lengths 4, 2, 3 (right padding). */
function lengthsMask(): Tensor {
  const lengths = [4, 2, 3];
  const v = new Float64Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) v[t * B + b] = t < lengths[b] ? 1 : 0;
  return Tensor.from(referenceBackend, [T, B], v);
}

function check(config: ModelConfig, opts: { mask?: boolean; xent?: boolean } = {}): void {
  const model = new Model(config, referenceBackend, 3);
  const rng = new Rng(11);
  const x = randomTensor(rng, [T, B, I]).markGrad();
  const mask = opts.mask ? lengthsMask() : null;
  const rows = config.target === 'all' ? T * B : B;
  const target = opts.xent ? randomLabels(rng, rows, config.outputSize) : randomTensor(rng, config.target === 'all' ? [T, B, config.outputSize] : [B, config.outputSize]);
  const fn = (tape: Tape): Tensor => {
    const { y } = model.forward(tape, x, { mask });
    if (opts.xent) return softmaxCrossEntropy(tape, y.reshape([rows, config.outputSize]), target, config.target === 'all' && mask ? mask.reshape([rows]) : null);
    return mse(tape, y, target);
  };
  const r = gradcheckInPlace(fn, [...model.parameters(), x]);
  expect(r.checked).toBeGreaterThan(50);
  expect(r.maxRelError, `${JSON.stringify(config.cell)}: worst ${JSON.stringify(r.worst)}`).toBeLessThan(1e-6);
}

const cells: CellConfig[] = [
  { kind: 'vanilla', hidden: 5, activation: 'tanh' },
  { kind: 'vanilla', hidden: 4, activation: 'sigmoid' },
  { kind: 'vanilla', hidden: 5, activation: 'identity' },
  { kind: 'vanilla', hidden: 3, activation: 'relu', recurrentInit: { kind: 'identity' } },
  { kind: 'gru', hidden: 5 },
  { kind: 'lstm', hidden: 4, forgetBias: 1 },
];

describe('BPTT gradient check of every transition (reference backend)', () => {
  for (const cell of cells) {
    const name = `${cell.kind}${'activation' in cell ? `/${cell.activation}` : ''}`;
    it(`${name}: many-to-one, mse`, () => check({ inputSize: I, outputSize: 2, cell, target: 'last' }));
    it(`${name}: stacked ×2, bidirectional, masked, many-to-many xent, MLP readout`, () => check({
      inputSize: I, outputSize: 3, cell, target: 'all', layers: 2, bidirectional: true,
      readout: { hidden: [4], activation: 'tanh' },
    }, { mask: true, xent: true }));
    it(`${name}: masked many-to-one with learned initial state`, () => check({
      inputSize: I, outputSize: 2, cell, target: 'last', learnInitialState: true, bidirectional: true,
    }, { mask: true }));
  }
});
