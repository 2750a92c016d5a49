/** Full BPTT through every transition and model variant against central finite differences (float64). */
import { describe, it } from 'vitest';

import type { CellConfig } from '../../src/cells/index.js';
import { I, checkModelGradients } from '../helpers/model-gradcheck.js';

const check = checkModelGradients;

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
    it(`${name}: stacked ×2, bidirectional, masked, many-to-many xent, MLP readout`, () =>
      check(
        {
          inputSize: I,
          outputSize: 3,
          cell,
          target: 'all',
          layers: 2,
          bidirectional: true,
          readout: { hidden: [4], activation: 'tanh' },
        },
        { mask: true, xent: true },
      ));
    it(`${name}: masked many-to-one with learned initial state`, () =>
      check(
        {
          inputSize: I,
          outputSize: 2,
          cell,
          target: 'last',
          learnInitialState: true,
          bidirectional: true,
        },
        { mask: true },
      ));
  }
});
