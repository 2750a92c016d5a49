import { describe, expect, it } from 'vitest';
import {
  constant,
  cosine,
  exponential,
  resolveScheduleConfig,
  scheduleFromConfig,
  stepDecay,
  warmup,
  type ScheduleConfig,
} from '../../src/optim/index.js';

const at = (s: (t: number) => number, steps: number[]): number[] => steps.map(s);

describe('schedules', () => {
  it('constant', () => expect(at(constant(0.1), [0, 1, 1000])).toEqual([0.1, 0.1, 0.1]));

  it('stepDecay: lr·γ^⌊t/every⌋', () => {
    const s = stepDecay(1, 10, 0.5);
    expect(at(s, [0, 9, 10, 19, 20, 35])).toEqual([1, 1, 0.5, 0.5, 0.25, 0.125]);
  });

  it('exponential: lr·γᵗ', () => {
    const s = exponential(2, 0.5);
    expect(at(s, [0, 1, 2, 5])).toEqual([2, 1, 0.5, 0.0625]);
  });

  it('cosine: lr at 0, the midpoint halfway, min at and after total', () => {
    const s = cosine(1, 100, 0.1);
    expect(s(0)).toBe(1);
    expect(s(50)).toBeCloseTo(0.55, 15);
    expect(s(25)).toBeCloseTo(0.1 + (0.9 * (1 + Math.SQRT1_2)) / 2, 15);
    expect(at(s, [100, 101, 10_000])).toEqual([0.1, 0.1, 0.1]);
    expect(cosine(1, 4)(2)).toBeCloseTo(0.5, 15);
    for (let t = 1; t <= 100; t++) expect(s(t)).toBeLessThanOrEqual(s(t - 1));
  });

  it('warmup: s(t)·(t+1)/w for t < w, then s(t)', () => {
    const s = warmup(constant(1), 4);
    expect(at(s, [0, 1, 2, 3, 4, 100])).toEqual([0.25, 0.5, 0.75, 1, 1, 1]);
    const c = cosine(1, 100);
    const wc = warmup(c, 10);
    expect(wc(0)).toBeCloseTo(c(0) / 10, 15);
    expect(wc(9)).toBe(c(9));
    expect(wc(50)).toBe(c(50));
    expect(warmup(c, 0)).toBe(c);
  });

  it('refuse bad arguments, naming them', () => {
    expect(() => constant(-1)).toThrow('constant: lr must be a finite number ≥ 0, got -1');
    expect(() => stepDecay(1, 0, 0.5)).toThrow('stepDecay: every must be an integer > 0, got 0');
    expect(() => stepDecay(1, 2, 0)).toThrow('stepDecay: gamma must be a finite number > 0, got 0');
    expect(() => exponential(NaN, 0.5)).toThrow('exponential: lr must be a finite number ≥ 0, got NaN');
    expect(() => cosine(1, 1.5)).toThrow('cosine: totalSteps must be an integer > 0, got 1.5');
    expect(() => cosine(1, 10, 2)).toThrow('cosine: minLr must be in [0, lr = 1], got 2');
    expect(() => warmup(constant(1), -3)).toThrow('warmup: warmupSteps must be an integer ≥ 0, got -3');
  });
});

describe('scheduleFromConfig', () => {
  it('builds each kind, with warm-up and defaults', () => {
    expect(at(scheduleFromConfig({ kind: 'constant', lr: 0.5 }), [0, 9])).toEqual([0.5, 0.5]);
    expect(at(scheduleFromConfig({ kind: 'step', lr: 1, every: 2 }), [0, 2, 4])).toEqual([1, 0.1, 1 * 0.1 ** 2]);
    expect(at(scheduleFromConfig({ kind: 'exponential', lr: 1, gamma: 0.5, warmup: 2 }), [0, 1, 2])).toEqual([
      0.5, 0.5, 0.25,
    ]);
    const s = scheduleFromConfig({ kind: 'cosine', lr: 1, total: 100, min: 0.1, warmup: 10 });
    const c = cosine(1, 100, 0.1);
    expect(s(0)).toBeCloseTo(0.1, 15);
    expect(at(s, [10, 50, 200])).toEqual(at(c, [10, 50, 200]));
  });

  it('resolves defaults', () => {
    expect(resolveScheduleConfig({ kind: 'cosine', lr: 1, total: 5 })).toEqual({
      kind: 'cosine',
      lr: 1,
      total: 5,
      min: 0,
      warmup: 0,
    });
    expect(resolveScheduleConfig({ kind: 'step', lr: 1, every: 5 })).toEqual({
      kind: 'step',
      lr: 1,
      every: 5,
      gamma: 0.1,
      warmup: 0,
    });
  });

  it('gives errors naming the field and the value', () => {
    const bad =
      (cfg: unknown): (() => unknown) =>
      () =>
        scheduleFromConfig(cfg as ScheduleConfig);
    expect(bad({ kind: 'linear', lr: 1 })).toThrow(
      `schedule: kind must be one of 'constant', 'step', 'exponential', 'cosine', got "linear"`,
    );
    expect(bad({ lr: 1 })).toThrow(/schedule: kind must be one of .*, got nothing/);
    expect(bad('cosine')).toThrow('schedule: expected a config object, got "cosine"');
    expect(bad({ kind: 'cosine', lr: 1 })).toThrow('schedule cosine: total is required');
    expect(bad({ kind: 'cosine', lr: 1, total: 0 })).toThrow('schedule cosine: total must be > 0, got 0');
    expect(bad({ kind: 'cosine', lr: 1, total: 10, min: 2 })).toThrow('schedule cosine: min must be ≤ lr (1), got 2');
    expect(bad({ kind: 'cosine', lr: '1e-3', total: 10 })).toThrow(
      'schedule cosine: lr must be a finite number, got "1e-3"',
    );
    expect(bad({ kind: 'step', lr: 1, every: 2.5 })).toThrow('schedule step: every must be an integer, got 2.5');
    expect(bad({ kind: 'constant', lr: 1, warmup: -1 })).toThrow('schedule constant: warmup must be ≥ 0, got -1');
    expect(bad({ kind: 'constant', lr: 1, totl: 3 })).toThrow(
      /schedule constant: unknown field "totl" \(known fields: kind, lr, warmup\)/,
    );
  });
});
