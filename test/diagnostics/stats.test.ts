/** Statistics helpers: summaries, least-squares lines with t-based intervals, Student's t quantiles. */
import { describe, expect, it } from 'vitest';
import { fitLine, lnGamma, studentTCdf, studentTQuantile, summarize } from '../../src/diagnostics/index.js';

describe('statistics', () => {
  it("Student's t quantiles (tables) and CDF", () => {
    const table: [number, number, number][] = [
      [0.975, 1, 12.7062047],
      [0.975, 2, 4.30265273],
      [0.975, 10, 2.22813885],
      [0.975, 30, 2.04227246],
      [0.995, 5, 4.03214298],
      [0.9, 3, 1.63774435],
      [0.975, 1000, 1.96233908],
    ];
    for (const [p, nu, t] of table) expect(Math.abs(studentTQuantile(p, nu) - t)).toBeLessThan(1e-6 * t);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.22813885, 7);
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 14);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });

  it('least-squares line: exact data, noisy data with the textbook interval', () => {
    const xs = [0, 1, 2, 3, 4],
      exact = xs.map((x) => 2 - 0.5 * x);
    const f = fitLine(xs, exact);
    expect(f.slope).toBeCloseTo(-0.5, 14);
    expect(f.intercept).toBeCloseTo(2, 14);
    expect(f.r2).toBeCloseTo(1, 14);
    // y = 1, 3, 2, 5, 4: b = 0.8, a = 1.4, SSR = 3.6, se = √(3.6/3/10), t(0.975, 3) = 3.182446
    const g = fitLine(xs, [1, 3, 2, 5, 4]);
    const se = Math.sqrt(3.6 / 3 / 10);
    expect(g.slope).toBeCloseTo(0.8, 14);
    expect(g.stderr).toBeCloseTo(se, 14);
    expect(g.ci[0]).toBeCloseTo(0.8 - 3.18244631 * se, 7);
    expect(g.ci[1]).toBeCloseTo(0.8 + 3.18244631 * se, 7);
    expect(fitLine([0, 1, 2], [0, -Infinity, 2]).n).toBe(2);
  });

  it('summaries with quantiles', () => {
    const s = summarize([4, 1, 3, 2, NaN], [0, 0.25, 0.5, 1]);
    expect(s).toMatchObject({ n: 4, mean: 2.5, min: 1, max: 4 });
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(s.quantiles).toEqual([1, 1.75, 2.5, 4]);
  });
});
