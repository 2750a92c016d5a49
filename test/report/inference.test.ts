import { describe, expect, it } from 'vitest';
import {
  binomialUpper,
  clopperPearson,
  fisherGreater,
  holm,
  mcnemar,
  meanTest,
  pairedTest,
} from '../../src/report/inference.js';
import { fitLogistic, fitT50, separation } from '../../src/report/logistic.js';
import { t975 } from '../../src/report/stats.js';

describe('tests behind the findings', () => {
  it('binomial tail and exact McNemar match hand-computed values', () => {
    expect(binomialUpper(5, 5)).toBeCloseTo(1 / 32, 14);
    expect(binomialUpper(4, 5)).toBeCloseTo(6 / 32, 14);
    expect(binomialUpper(0, 5)).toBe(1);
    const m = mcnemar([
      [true, false],
      [true, false],
      [true, true],
      [false, false],
      [true, false],
    ]);
    expect([m.onlyA, m.onlyB, m.both, m.neither]).toEqual([3, 0, 1, 1]);
    expect(m.p).toBeCloseTo(1 / 8, 14);
    // no discordant pair: no information, p = 1 and the CI is the whole interval
    const none = mcnemar([
      [true, true],
      [false, false],
    ]);
    expect(none.p).toBe(1);
    expect(none.ci).toEqual([0, 1]);
  });

  it('Clopper–Pearson limits solve the binomial tails (k = 0: 1 − (α/2)^(1/n))', () => {
    expect(clopperPearson(0, 5)[1]).toBeCloseTo(1 - 0.025 ** (1 / 5), 9);
    expect(clopperPearson(5, 5)[0]).toBeCloseTo(0.025 ** (1 / 5), 9);
    const [lo, hi] = clopperPearson(3, 10);
    expect(binomialUpper(3, 10, lo)).toBeCloseTo(0.025, 7); // P(X ≥ 3 | lo) = α/2
    expect(1 - binomialUpper(4, 10, hi)).toBeCloseTo(0.025, 7); // P(X ≤ 3 | hi) = α/2
  });

  it('Fisher exact test (one-sided) matches hand-computed values', () => {
    expect(fisherGreater(3, 3, 0, 3)).toBeCloseTo(1 / 20, 12);
    expect(fisherGreater(0, 3, 0, 3)).toBe(1);
    expect(fisherGreater(6, 6, 4, 6)).toBeCloseTo(210 / 924, 12);
  });

  it('paired t test: only shared seeds pair up; CI and p from the t distribution', () => {
    const t = pairedTest(
      new Map([
        [1, 1.0],
        [2, 1.2],
        [3, 0.8],
        [9, 50],
      ]),
      new Map([
        [1, 0.5],
        [2, 0.6],
        [3, 0.4],
      ]),
    )!;
    expect(t.n).toBe(3);
    expect(t.mean).toBeCloseTo(0.5, 12);
    expect(t.sd).toBeCloseTo(0.1, 12);
    expect(t.hi - t.mean).toBeCloseTo((4.302653 * 0.1) / Math.sqrt(3), 5);
    expect(t.p).toBeLessThan(0.01);
    expect(meanTest([1])).toBeNull();
    expect(meanTest([2, 2, 2])!.p).toBe(0); // no spread: the sign decides
    expect(t975(10)).toBeCloseTo(2.228139, 5);
  });

  it('Holm: step-down adjustment, monotone, capped at 1', () => {
    expect(holm([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
    expect(holm([0.5, 0.5])).toEqual([1, 1]);
    expect(holm([])).toEqual([]);
  });
});

describe('T₅₀ by logistic regression on log T', () => {
  const curve = (t50: number, slope: number, n: number) =>
    [8, 16, 32, 64, 128, 256, 512].map((T) => ({
      T,
      n,
      k: Math.round(n / (1 + Math.exp(-slope * (Math.log(T) - Math.log(t50))))),
    }));

  it('recovers the T₅₀ of a known curve, with a bootstrap CI around it, reproducibly', () => {
    const f = fitT50(curve(60, -2.5, 400), 'known');
    expect(f.kind).toBe('estimate');
    expect(f.t50!).toBeGreaterThan(60 * 0.97);
    expect(f.t50!).toBeLessThan(60 / 0.97);
    expect(f.slope!).toBeCloseTo(-2.5, 1);
    expect(f.lo).toBeLessThan(f.t50!);
    expect(f.hi).toBeGreaterThan(f.t50!);
    expect(f.hi / f.lo).toBeLessThan(1.5);
    expect(fitT50(curve(60, -2.5, 400), 'known')).toEqual(f);
    expect(f.text).toMatch(/^T₅₀ = \d+(\.\d+)? \[\d+(\.\d+)?, \d+(\.\d+)?\]$/);
  });

  it('exact ML fit: the score equations hold at the estimate', () => {
    const levels = [
      { T: 16, n: 5, k: 5 },
      { T: 32, n: 5, k: 3 },
      { T: 64, n: 5, k: 4 },
      { T: 128, n: 5, k: 0 },
    ];
    const { b0, b1 } = fitLogistic(levels)!;
    let g0 = 0,
      g1 = 0;
    for (const l of levels) {
      const p = 1 / (1 + Math.exp(-(b0 + b1 * Math.log(l.T))));
      g0 += l.k - l.n * p;
      g1 += (l.k - l.n * p) * Math.log(l.T);
    }
    expect(Math.abs(g0)).toBeLessThan(1e-8);
    expect(Math.abs(g1)).toBeLessThan(1e-8);
  });

  it('separation gives a bound, never a number', () => {
    const all = fitT50(
      [
        { T: 16, n: 3, k: 3 },
        { T: 64, n: 3, k: 3 },
      ],
      's',
    );
    expect([all.kind, all.t50, all.lo, all.hi, all.text]).toEqual(['above', null, 64, Infinity, 'T₅₀ > 64']);
    const none = fitT50(
      [
        { T: 16, n: 3, k: 0 },
        { T: 64, n: 3, k: 0 },
      ],
      's',
    );
    expect([none.kind, none.text]).toEqual(['below', 'T₅₀ < 16']);
    const step = fitT50(
      [
        { T: 16, n: 3, k: 3 },
        { T: 32, n: 3, k: 3 },
        { T: 64, n: 3, k: 0 },
        { T: 128, n: 3, k: 0 },
      ],
      's',
    );
    expect([step.kind, step.lo, step.hi, step.text]).toEqual(['between', 32, 64, 'T₅₀ between 32 and 64']);
    // quasi-complete: one mixed level between an always-solved and an always-failed one
    expect(
      separation([
        { T: 16, n: 3, k: 3 },
        { T: 32, n: 3, k: 1 },
        { T: 64, n: 3, k: 0 },
      ]),
    ).toMatchObject({ kind: 'between', lo: 16, hi: 64 });
    // overlap (a success after a failure): the maximum exists
    expect(
      separation([
        { T: 16, n: 3, k: 2 },
        { T: 32, n: 3, k: 1 },
        { T: 64, n: 3, k: 0 },
      ]),
    ).toBeNull();
  });
});
