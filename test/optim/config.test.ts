import { describe, expect, it } from 'vitest';
import { referenceBackend as be } from '../../src/kernels/reference/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import {
  Adam,
  AdamW,
  RMSprop,
  SGD,
  createOptimizer,
  optimizerConfigSchema,
  resolveOptimizerConfig,
  type OptimizerConfig,
} from '../../src/optim/index.js';

const params = (): Tensor[] => [Tensor.zeros(be, [2, 3]).markGrad(), Tensor.zeros(be, [3]).markGrad()];

describe('createOptimizer', () => {
  it('builds each kind with PyTorch defaults, recorded in config', () => {
    const sgd = createOptimizer({ kind: 'sgd' }, params());
    expect(sgd).toBeInstanceOf(SGD);
    expect(sgd.config).toEqual({ kind: 'sgd', lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
    const adam = createOptimizer({ kind: 'adam', lr: 3e-4 }, params());
    expect(adam).toBeInstanceOf(Adam);
    expect(adam.config).toEqual({ kind: 'adam', lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    const adamw = createOptimizer({ kind: 'adamw' }, params());
    expect(adamw).toBeInstanceOf(AdamW);
    expect(adamw.config).toEqual({ kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
    const rms = createOptimizer({ kind: 'rmsprop' }, params());
    expect(rms).toBeInstanceOf(RMSprop);
    expect(rms.config).toEqual({
      kind: 'rmsprop',
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
    });
    expect(Object.isFrozen(rms.config)).toBe(true);
  });

  it('the classes take the same options without kind', () => {
    expect(new SGD(params(), { lr: 0.5, momentum: 0.9, nesterov: true }).config.nesterov).toBe(true);
    expect(resolveOptimizerConfig({ kind: 'rmsprop', centered: true }).kind).toBe('rmsprop');
  });

  it('the union schema composes into larger schemas and requires kind', () => {
    expect(optimizerConfigSchema.parse({ kind: 'adamw', lr: 0.1 })).toMatchObject({
      kind: 'adamw',
      lr: 0.1,
      weightDecay: 0.01,
    });
    expect(optimizerConfigSchema.safeParse({ lr: 0.1 }).success).toBe(false);
    expect(optimizerConfigSchema.safeParse({ kind: 'sgd', nesterov: true }).success).toBe(false);
  });

  it('gives errors naming the field and the value', () => {
    const bad =
      (cfg: unknown): (() => unknown) =>
      () =>
        createOptimizer(cfg as OptimizerConfig, params());
    expect(bad({ kind: 'adagrad' })).toThrow(
      `optimizer: kind must be one of 'sgd', 'adam', 'adamw', 'rmsprop', got "adagrad"`,
    );
    expect(bad({ lr: 0.1 })).toThrow(/optimizer: kind must be one of .*, got nothing/);
    expect(bad(undefined)).toThrow('optimizer: expected a config object, got nothing');
    expect(bad({ kind: 'sgd', lr: -0.1 })).toThrow('optimizer sgd: lr must be ≥ 0, got -0.1');
    expect(bad({ kind: 'sgd', momentum: 1.2 })).toThrow('optimizer sgd: momentum must be in [0, 1), got 1.2');
    expect(bad({ kind: 'sgd', nesterov: true })).toThrow(
      'optimizer sgd: nesterov needs momentum > 0 and dampening 0 (momentum is 0, dampening 0), got true',
    );
    expect(bad({ kind: 'sgd', momentum: 0.9, nesterov: 'yes' })).toThrow(
      'optimizer sgd: nesterov must be true or false, got "yes"',
    );
    expect(bad({ kind: 'adam', beta2: 1 })).toThrow('optimizer adam: beta2 must be in [0, 1), got 1');
    expect(bad({ kind: 'adam', lr: Infinity })).toThrow('optimizer adam: lr must be a finite number, got Infinity');
    expect(bad({ kind: 'adamw', weightDecay: -1, eps: -1 })).toThrow(
      /optimizer adamw: eps must be ≥ 0, got -1; weightDecay must be ≥ 0, got -1/,
    );
    expect(bad({ kind: 'adam', weight_decay: 0.1 })).toThrow(
      'optimizer adam: unknown field "weight_decay" (known fields: kind, lr, beta1, beta2, eps, weightDecay)',
    );
    expect(bad({ kind: 'rmsprop', centered: 1 })).toThrow('optimizer rmsprop: centered must be true or false, got 1');
    expect(() => new Adam(params(), { kind: 'adamw' } as never)).toThrow(/optimizer adam: kind/);
  });
});
