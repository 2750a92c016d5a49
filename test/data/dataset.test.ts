/** Your own data: padding, datasets from nested or flat arrays, splits, fit/evaluate on them, custom losses, files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { padSequences } from '../../src/data/pad.js';
import { dataset } from '../../src/data/dataset.js';
import { loadSequences } from '../../src/data/load.js';
import { getBackend } from '../../src/kernels/index.js';
import { Model } from '../../src/models/model.js';
import { predict } from '../../src/models/infer.js';
import { fit } from '../../src/train/fit.js';
import { evaluate } from '../../src/train/evaluate.js';
import { mean, square, sub } from '../../src/ops/index.js';
import { Rng } from '../../src/tensor/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('padSequences', () => {
  it('pads right, returns lengths and a mask, batch-first or time-major', () => {
    const p = padSequences([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(p.shape).toEqual([2, 3, 1]);
    expect(Array.from(p.x)).toEqual([1, 2, 3, 4, 5, 0]);
    expect(Array.from(p.lengths)).toEqual([3, 2]);
    expect(Array.from(p.mask)).toEqual([1, 1, 1, 1, 1, 0]);
    const q = padSequences(
      [
        [[1, 10]],
        [
          [2, 20],
          [3, 30],
        ],
      ],
      { layout: 'time-major', value: -1 },
    );
    expect(q.shape).toEqual([2, 2, 2]);
    expect(Array.from(q.x)).toEqual([1, 10, 2, 20, -1, -1, 3, 30]);
    expect(Array.from(q.mask)).toEqual([1, 1, 0, 1]);
  });
  it('names the sequence and step of a bad value', () => {
    expect(() =>
      padSequences([
        [1, 2],
        [3, NaN],
      ]),
    ).toThrow('padSequences: sequence 1, step 1 is NaN (values must be finite numbers)');
    expect(() => padSequences([[[1, 2]], [[3]]])).toThrow(
      'padSequences: sequence 1, step 0 has 1 features, sequence 0 step 0 has 2',
    );
    expect(() => padSequences([[1], []])).toThrow('padSequences: sequence 1 is empty');
  });
});

describe('dataset', () => {
  it('assembles time-major batches with a mask for variable lengths', () => {
    const d = dataset({
      x: [
        [1, 2, 3],
        [4, 5],
      ],
      y: [7, 8],
    });
    expect([d.size, d.T, d.inputSize, d.outputSize, d.target, d.loss, d.metric]).toEqual([
      2,
      3,
      1,
      1,
      'last',
      'mse',
      'mse',
    ]);
    expect(d.baseline).toBeCloseTo(0.25, 12); // variance of [7, 8]
    const b = d.gather([1, 0], 0, 2);
    expect(Array.from(b.x)).toEqual([4, 1, 5, 2, 0, 3]);
    expect(Array.from(b.mask!)).toEqual([1, 1, 1, 1, 0, 1]);
    expect(Array.from(b.y)).toEqual([8, 7]);
  });

  it('reads flat time-major arrays with lengths or a mask the same as nested ones', () => {
    const nested = dataset({
      x: [
        [
          [1, 0],
          [2, 0],
        ],
        [[3, 1]],
      ],
      y: [
        [1, 2],
        [3, 4],
      ],
    });
    const flatTM = dataset({
      x: new Float32Array([1, 0, 3, 1, 2, 0, 9, 9]),
      shape: [2, 2, 2],
      layout: 'time-major',
      lengths: [2, 1],
      y: new Float64Array([1, 2, 3, 4]),
    });
    const flatMask = dataset({
      x: [1, 0, 2, 0, 3, 1, 9, 9],
      shape: [2, 2, 2],
      mask: [1, 1, 1, 0],
      y: [
        [1, 2],
        [3, 4],
      ],
    });
    for (const d of [flatTM, flatMask]) {
      expect(Array.from(d.x)).toEqual(Array.from(nested.x));
      expect(Array.from(d.lengths)).toEqual([2, 1]);
      expect(Array.from(d.y)).toEqual(Array.from(nested.y));
      expect(d.outputSize).toBe(2);
    }
  });

  it('splits into disjoint shuffled parts', () => {
    const d = dataset({ x: Array.from({ length: 10 }, (_, n) => [n]), y: Array.from({ length: 10 }, (_, n) => n) });
    const { train, validation } = d.split(0.3, { seed: 4 });
    expect([train.size, validation.size]).toEqual([7, 3]);
    const seen = [...train.y, ...validation.y].sort((a, b) => a - b);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(d.split(0.3, { seed: 4 }).validation.y).toEqual(validation.y);
  });

  it('says what is wrong, in the words of its options', () => {
    expect(() => dataset({ x: [[1], [2]], y: [1] })).toThrow(
      'dataset: y has 1 values for 2 sequences (expected N or N·outputs)',
    );
    expect(() => dataset({ x: [[1], [2]], y: [[1], [2, 3]] })).toThrow('dataset: y[1] has 2 values, y[0] has 1');
    expect(() => dataset({ x: [[1], [2]], y: [0, 1.5], loss: 'xent' })).toThrow(
      'dataset: y value 1.5 (entry 1) is not a class index (an integer ≥ 0)',
    );
    expect(() => dataset({ x: [1, 2, 3], shape: [2, 2, 1], y: [0, 1] })).toThrow(
      'dataset: x has 3 values, shape [2,2,1] needs 4',
    );
    expect(() => dataset({ x: [1, 2, 3, 4], y: [0, 1] })).toThrow('dataset: a flat x needs shape [N, T, I]');
    expect(() => dataset({ x: [1, 2, 3, 4], shape: [2, 2, 1], mask: [1, 0, 0, 0], y: [0, 1] })).toThrow(
      'dataset: mask of sequence 1 is all zeros',
    );
    expect(() => dataset({ x: [1, 2, 3, 4], shape: [2, 2, 1], mask: [0, 1, 1, 1], y: [0, 1] })).toThrow(
      'dataset: mask of sequence 0 has a 1 at step 1 after padding',
    );
    expect(() => dataset({ x: [[1]], y: [0], numLayers: 2 } as never)).toThrow('dataset: unknown option numLayers');
    expect(() => dataset({ x: [[1, 2]], y: [[1]], target: 'all' })).toThrow(
      'dataset: y[0] has 1 steps, sequence 0 has 2',
    );
  });
});

/** Class = whether the sequence's mean is positive; lengths 3..8. */
function signData(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = Array.from({ length: n }, () =>
    Array.from({ length: 3 + rng.int(6) }, () => rng.normal() + (rng.uniform() < 0.5 ? 0.8 : -0.8)),
  );
  return dataset({ x, y: x.map((s) => (s.reduce((a, b) => a + b, 0) > 0 ? 1 : 0)), loss: 'xent' });
}

describe('fit and evaluate on a dataset', () => {
  it('learns a variable-length classification with a validation split; evaluate agrees with predict', () => {
    const data = signData(120, 1);
    const model = new Model(
      { inputSize: 1, outputSize: 2, target: 'last', cell: { kind: 'gru', hidden: 8 } },
      getBackend('reference'),
      1,
    );
    const r = fit(model, data, {
      steps: 150,
      batchSize: 16,
      seed: 2,
      optimizer: { kind: 'adam', lr: 0.03 },
      validation: 0.25,
    });
    expect(r.final!.accuracy).toBeGreaterThan(0.9);
    const { validation } = data.split(0.25, { seed: 2 });
    const m = evaluate(model, validation, { batchSize: 7 });
    expect(m.accuracy).toBe(r.final!.accuracy);
    // the same accuracy from predict on the padded batch
    const b = validation.gather(
      Int32Array.from({ length: validation.size }, (_, i) => i),
      0,
      validation.size,
    );
    const p = predict(model, { x: b.x, T: b.T, B: b.B, mask: b.mask });
    let correct = 0;
    for (let i = 0; i < b.B; i++) if ((p.y[2 * i + 1] > p.y[2 * i] ? 1 : 0) === b.y[i]) correct++;
    expect(correct / b.B).toBe(m.accuracy);
    model.dispose();
  });

  it('per-step targets with padding: the loss ignores padded steps', () => {
    const x = [
      [1, 2, 3, 4],
      [5, 6],
    ];
    const a = dataset({
      x,
      y: [
        [1, 1, 1, 1],
        [0, 0],
      ],
      target: 'all',
    });
    const flatY = dataset({ x, y: [1, 1, 1, 1, 0, 0, 123, -5], target: 'all' }); // padded targets are garbage
    const model = new Model(
      { inputSize: 1, outputSize: 1, target: 'all', cell: { kind: 'vanilla', hidden: 4 } },
      getBackend('reference'),
      1,
    );
    expect(evaluate(model, flatY).loss).toBe(evaluate(model, a).loss);
  });

  it('a custom loss goes through the tape: mean squared error by hand equals the built-in one', () => {
    const data = signData(40, 3);
    const regression = dataset({
      x: Array.from({ length: 40 }, (_, n) => [n / 40, 1 - n / 40]),
      y: Array.from({ length: 40 }, (_, n) => n / 20),
    });
    const cfg = { inputSize: 1, outputSize: 1, target: 'last' as const, cell: { kind: 'lstm' as const, hidden: 4 } };
    const opts = { steps: 20, batchSize: 8, seed: 1, optimizer: { kind: 'sgd' as const, lr: 0.1 } };
    const m1 = new Model(cfg, getBackend('reference'), 1),
      m2 = new Model(cfg, getBackend('reference'), 1);
    const builtIn = fit(m1, regression, opts);
    const custom = fit(m2, regression, { ...opts, loss: (tape, y, t) => mean(tape, square(tape, sub(tape, y, t))) });
    for (let i = 0; i < 20; i++) expect(custom.history.loss[i]).toBeCloseTo(builtIn.history.loss[i], 12);
    expect(custom.history.loss[19]).toBeLessThan(custom.history.loss[0]);
    expect(() =>
      fit(new Model({ ...cfg, outputSize: 2 }, getBackend('reference'), 1), data, { ...opts, loss: (tape, y) => y }),
    ).toThrow('custom loss: must return a scalar tensor recorded on the tape, got shape [8,2]');
  });

  it('names what does not fit between model and data', () => {
    const model = new Model(
      { inputSize: 3, outputSize: 2, target: 'last', cell: { kind: 'gru', hidden: 4 } },
      getBackend('reference'),
      1,
    );
    expect(() => evaluate(model, signData(4, 1))).toThrow(
      "evaluate: the model's inputSize is 3 but the data has 1 input feature per step (set inputSize: 1)",
    );
    const m2 = new Model(
      { inputSize: 1, outputSize: 3, target: 'last', cell: { kind: 'gru', hidden: 4 } },
      getBackend('reference'),
      1,
    );
    expect(() => fit(m2, signData(4, 1), { steps: 1, batchSize: 2, optimizer: { kind: 'sgd', lr: 1 } })).toThrow(
      "fit: the model's outputSize is 3 but the data needs 2 (classes; set outputSize: 2)",
    );
    expect(() => fit(m2, signData(4, 1), { steps: -5, batchSize: 2, optimizer: { kind: 'sgd', lr: 1 } })).toThrow(
      'fit: steps must be a positive integer, got -5',
    );
  });
});

describe('loadSequences', () => {
  it('reads CSV rows grouped into sequences, and JSON lines', () => {
    const csv = join(dir, 'series.csv');
    writeFileSync(csv, 'id,a,b,label\ns1,1,2,0\ns1,3,4,1\n"s2",5,6,0\n');
    expect(loadSequences(csv, { sequence: 'id', target: 'label' })).toEqual({
      x: [
        [
          [1, 2],
          [3, 4],
        ],
        [[5, 6]],
      ],
      y: [1, 0],
      target: 'last',
    });
    expect(loadSequences(csv, { sequence: 'id', target: 'label', features: ['b'], targetMode: 'all' })).toEqual({
      x: [[[2], [4]], [[6]]],
      y: [[0, 1], [0]],
      target: 'all',
    });
    const d = dataset({ ...loadSequences(csv, { sequence: 'id', target: 'label' }), loss: 'xent' });
    expect([d.size, d.T, d.inputSize, d.outputSize]).toEqual([2, 2, 2, 2]);
    const jl = join(dir, 'seqs.jsonl');
    writeFileSync(jl, '{"x": [1, 2, 3], "y": 1}\n\n{"x": [[4], [5]], "y": 0}\n');
    expect(loadSequences(jl)).toEqual({
      x: [
        [[1], [2], [3]],
        [[4], [5]],
      ],
      y: [1, 0],
      target: 'last',
    });
  });
  it('names the file, line and column of a problem', () => {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'id,a,label\ns1,x,0\n');
    expect(() => loadSequences(csv, { sequence: 'id', target: 'label' })).toThrow(
      `${csv}:2: column "a" is "x", not a number`,
    );
    expect(() => loadSequences(csv, { target: 'y' })).toThrow(
      `${csv}: no target column "y" (the header has id, a, label)`,
    );
    expect(() => loadSequences(join(dir, 'data.txt'))).toThrow('no such file');
  });
});
