/** Bad input fails loudly: errors name the op and the shapes or values involved. */
import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autodiff/tape.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { Model } from '../../src/models/model.js';
import * as ops from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/tensor.js';

const t = (shape: number[], fill = 0.5) => Tensor.zeros(referenceBackend, shape).fill(fill);

describe('errors name the op and the shapes', () => {
  const tape = new Tape(referenceBackend);
  it('shape mismatches', () => {
    expect(() => ops.add(tape, t([2, 3]), t([3, 2]))).toThrow('add: shapes differ: [2,3] vs [3,2]');
    expect(() => ops.matmul(tape, t([2, 3]), t([4, 5]))).toThrow('matmul: inner dimensions differ: a [2,3] · b [4,5]');
    expect(() => ops.linear(tape, t([5, 7]), t([4, 6]))).toThrow(
      'linear: expected input size 6 (weight [4,6]), got input [5,7]',
    );
    expect(() => ops.addRow(tape, t([2, 3]), t([4]))).toThrow(
      'addRow: row vector [4] does not match the last axis of [2,3]',
    );
    expect(() => ops.mse(tape, t([2, 1]), t([2, 2]))).toThrow(
      'mse: prediction and target shapes differ: [2,1] vs [2,2]',
    );
    expect(() => ops.concat(tape, [t([2, 3]), t([3, 3])])).toThrow('concat: leading dimensions differ: [2,3] vs [3,3]');
    expect(() => ops.slice(tape, t([2, 3]), 2, 2)).toThrow('slice: columns [2, 4) out of range for [2,3]');
    expect(() => ops.lstmPointwise(tape, t([2, 8]), t([2, 3]))).toThrow(
      'lstmPointwise: c_prev must be [2,2], got [2,3]',
    );
  });
  it('values that are not allowed', () => {
    expect(() => t([2]).set([1, NaN])).toThrow('value NaN at index 1 is not finite');
    expect(() => ops.softmaxCrossEntropy(tape, t([2, 3]), Tensor.from(referenceBackend, [2], [0, 3]))).toThrow(
      'softmaxCrossEntropy: label 3 at row 1 is not a class index in [0, 3)',
    );
    expect(() => ops.softmaxCrossEntropy(tape, t([2, 3]), Tensor.from(referenceBackend, [2], [0.5, 1]))).toThrow(
      'label 0.5 at row 0',
    );
    expect(() => ops.dropout(tape, t([2]), 1, undefined as never)).toThrow(
      'dropout: probability must be in [0, 1), got 1',
    );
  });
  it('models name the layer and what was expected', () => {
    const model = new Model(
      { inputSize: 4, outputSize: 1, target: 'last', layers: 2, cell: { kind: 'gru', hidden: 3 } },
      referenceBackend,
    );
    expect(() => model.forward(tape, t([5, 2, 3]))).toThrow('model: expected input [T, B, 4], got [5,2,3]');
    expect(
      () =>
        new Model({ inputSize: 4, outputSize: 1, target: 'last', cell: { kind: 'gru', hidden: 0 } }, referenceBackend),
    ).toThrow('layer 0 (gru): gru cell: hidden must be a positive integer, got 0');
    expect(() => model.forward(tape, t([5, 2, 4]), { mask: t([5, 3]) })).toThrow(
      /layer 0: gru layer: mask must be \[T, B\] = \[5,2\], got \[5,3\]/,
    );
  });
  it('a disposed tape refuses to be used', () => {
    const other = new Tape(referenceBackend);
    other.dispose();
    expect(() => other.tensor([1])).toThrow('tape: used after dispose()');
  });
});
