/** predict() checks its input in the caller's terms (T, B, inputSize) and takes batch-first arrays too. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getBackend } from '../../src/kernels/index.js';
import { Model } from '../../src/models/model.js';
import { predict } from '../../src/models/infer.js';
import { loadModel, saveModel } from '../../src/io/model-file.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = new Model(
  { inputSize: 3, outputSize: 2, target: 'all', cell: { kind: 'gru', hidden: 4 } },
  getBackend('reference'),
  1,
);

describe('predict', () => {
  it('names T, B and inputSize when the input does not fit', () => {
    expect(() => predict(model, { x: new Float64Array(12) } as never)).toThrow(
      'predict: input.T (the sequence length) must be a positive integer, got nothing',
    );
    expect(() => predict(model, { x: new Float64Array(12), T: 4, B: 0 })).toThrow(
      'predict: input.B (the number of sequences) must be a positive integer, got 0',
    );
    expect(() => predict(model, { x: new Float64Array(80), T: 10, B: 4 })).toThrow(
      'predict: input.x has 80 values, expected T·B·inputSize = 10·4·3 = 120',
    );
    expect(() => predict(model, { x: new Float64Array(24), T: 4, B: 2, batchFirst: true, mask: [1, 1] })).toThrow(
      'predict: input.mask has 2 values, expected B·T = 8',
    );
    expect(() => predict(model, { x: [1, 2, NaN], T: 1, B: 1 })).toThrow(
      'predict: input.x[2] is NaN (values must be finite)',
    );
  });

  it('batch-first in and out equals time-major', () => {
    const T = 3,
      B = 2,
      I = 3,
      O = 2;
    const tm = Float64Array.from({ length: T * B * I }, (_, i) => Math.sin(i));
    const bf = new Float64Array(T * B * I);
    for (let t = 0; t < T; t++)
      for (let b = 0; b < B; b++) for (let i = 0; i < I; i++) bf[(b * T + t) * I + i] = tm[(t * B + b) * I + i];
    const a = predict(model, { x: tm, T, B, mask: [1, 1, 1, 1, 1, 0] });
    const c = predict(model, { x: bf, T, B, batchFirst: true, mask: [1, 1, 1, 1, 1, 0] }); // [B, T]: sequence 1 has 2 steps
    const d = predict(model, { x: tm, T, B, mask: [1, 1, 1, 1, 1, 0] });
    expect(c.shape).toEqual([B, T, O]);
    expect(a.shape).toEqual([T, B, O]);
    for (let t = 0; t < T; t++)
      for (let b = 0; b < B; b++)
        for (let o = 0; o < O; o++) {
          expect(c.y[(b * T + t) * O + o]).toBe(d.y[(t * B + b) * O + o]);
        }
    expect(c.final).toEqual(d.final);
  });
});

describe('model files: errors say what the file is not', () => {
  it('a text file is not a safetensors file; an empty one neither', () => {
    const text = join(dir, 'notes.md'),
      empty = join(dir, 'empty.safetensors');
    writeFileSync(text, '# recur\n\nRecurrent neural networks in TypeScript\n');
    writeFileSync(empty, '');
    expect(() => loadModel(text, getBackend('reference'))).toThrow(
      `${text}: not a safetensors file (it does not start with a header length and a JSON header)`,
    );
    expect(() => loadModel(empty, getBackend('reference'))).toThrow(
      `${empty}: not a safetensors file (the file is empty)`,
    );
    expect(() => loadModel(dir, getBackend('reference'))).toThrow(`${dir}: not a regular file (a directory)`);
  });
  it('saving into a missing directory names that directory, not a temp file', () => {
    const target = join(dir, 'missing', 'm.safetensors');
    expect(() => saveModel(target, model)).toThrow(
      `cannot write ${target}: the directory ${join(dir, 'missing')} does not exist`,
    );
  });
});
