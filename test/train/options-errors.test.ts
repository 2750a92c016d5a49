/**
 * Issue 12: the library's entry points check what they are given at run time (a JavaScript caller has no
 * type checker) and say what is wrong in the caller's terms: `new Model` without a cell of a known kind gives
 * the schema's message, as parseModelConfig does; `fit` names a missing or misspelt option.
 */
import { describe, expect, it } from 'vitest';
import { getBackend } from '../../src/kernels/index.js';
import { Model } from '../../src/models/model.js';
import { parseModelConfig, type ModelConfig } from '../../src/models/config.js';
import { addingTask } from '../../src/tasks/adding.js';
import { fit, fitAsync, type FitOptions } from '../../src/train/fit.js';

const backend = getBackend('reference');
const sizes = { inputSize: 2, outputSize: 1, target: 'last' } as const;

describe('new Model checks its config like parseModelConfig', () => {
  it.each([
    ['no config', undefined],
    ['no cell', { ...sizes }],
    ['a cell without a kind', { ...sizes, cell: { hidden: 4 } }],
    ['an unknown kind', { ...sizes, cell: { kind: 'transformer', hidden: 4 } }],
    ['an unknown model key', { ...sizes, cell: { kind: 'lstm', hidden: 4 }, numLayers: 2 }],
  ])('%s', (_, config) => {
    let expected = '';
    try {
      parseModelConfig(config);
    } catch (e) {
      expected = (e as Error).message;
    }
    expect(expected).toMatch(/^model: /);
    expect(() => new Model(config as ModelConfig, backend, 1)).toThrow(expected);
  });

  it('an unknown cell key is named with its layer', () => {
    const config = { ...sizes, cell: { kind: 'lstm', hidden: 4, dropout: 0.5 } } as ModelConfig;
    expect(() => new Model(config, backend, 1)).toThrow('layer 0 (lstm): lstm cell: Unrecognized key: "dropout"');
  });
});

describe('fit names a missing or misspelt option', () => {
  const model = new Model({ ...sizes, cell: { kind: 'lstm', hidden: 4 } }, backend, 1);
  const task = addingTask({ T: 5 });
  const ok = { steps: 1, batchSize: 2, optimizer: { kind: 'adam' as const, lr: 0.01 }, evalBatches: 1 };
  const example = "e.g. { steps: 1000, batchSize: 32, optimizer: { kind: 'adam', lr: 0.001 } }";

  it('no options', () => {
    expect(() => fit(model, task, undefined as never)).toThrow(
      `fit: options must be an object, ${example}; got nothing`,
    );
  });
  it.each(['steps', 'batchSize', 'optimizer'] as const)('no %s', (key) => {
    const { [key]: _, ...rest } = ok;
    expect(() => fit(model, task, rest as FitOptions)).toThrow(`fit: options.${key} is required, ${example}`);
  });
  it('a misspelt option', () => {
    expect(() => fit(model, task, { ...ok, evalEvry: 3 } as FitOptions)).toThrow(
      /^fit: unknown option evalEvry \(expected steps, batchSize, optimizer, .*yieldEveryMs\)$/,
    );
  });
  it('fitAsync checks the same, and takes its own yieldEveryMs', async () => {
    await expect(fitAsync(model, task, { ...ok, lrr: 1 } as FitOptions)).rejects.toThrow('fit: unknown option lrr');
    expect((await fitAsync(model, task, { ...ok, yieldEveryMs: 10 })).status).toBe('completed');
  });
  it('every documented option is accepted', () => {
    const all: Required<Omit<FitOptions, 'resume' | 'signal' | 'validation' | 'checkpoint'>> = {
      ...ok,
      schedule: { kind: 'cosine', lr: 0.01, total: 1 },
      clipNorm: 1,
      clipValue: 1,
      seed: 1,
      evalEvery: 1,
      evalBatchSize: 2,
      stopWhenSolved: false,
      detectAnomaly: false,
      earlyStopping: { patience: 3 },
      loss: undefined as never,
      eager: false,
      onEvent: () => {},
    };
    expect(fit(model, task, all).status).toBe('completed');
  });
});
