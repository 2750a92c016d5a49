/** ‖∂L/∂h_t‖ per step: exact decay for linear RNNs, constancy for orthogonal A, the statistics. */
import { describe, expect, it } from 'vitest';
import { gradientThroughTime } from '../../src/diagnostics/index.js';
import { randomOrthogonal } from '../../src/linalg/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { makeBatch, makeModel, maxRel, mseAll, mseLast, scaledIdentity, setRecurrent } from './helpers.js';

describe('gradient through time (reference backend)', () => {
  const H = 4,
    T = 30,
    B = 5;

  it('linear RNN with A = a·I: ‖∂L/∂h_t‖ ∝ a^(T−t), fitted slope = log a', () => {
    for (const a of [0.9, 0.5, 1.1]) {
      const model = makeModel({ kind: 'vanilla', hidden: H, activation: 'identity' });
      setRecurrent(model, scaledIdentity(H, a));
      const r = gradientThroughTime(model, mseLast, makeBatch(T, B));
      const c = r.cells[0];
      expect(Math.abs(c.fit.slope - Math.log(a))).toBeLessThan(1e-9);
      expect(c.fit.ci[0]).toBeLessThanOrEqual(c.fit.slope);
      expect(c.fit.ci[1] - c.fit.ci[0]).toBeLessThan(1e-9);
      // every sample decays exactly as a^(T−t)
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const expected = c.perSample[(T - 1) * B + b] * a ** (T - 1 - t);
          expect(Math.abs(c.perSample[t * B + b] - expected)).toBeLessThan(1e-12 * expected);
        }
      }
      if (a < 1) {
        const k = Math.log(1e-3) / Math.log(a);
        expect(c.horizon.fitted).toBeCloseTo(k, 6);
        expect(c.horizon.measured).toBe(k < T - 1 ? Math.floor(k) + 1 : null);
      } else {
        expect(c.horizon.fitted).toBeNull();
        expect(c.horizon.measured).toBeNull();
      }
    }
  });

  it('linear RNN with A orthogonal: norms constant over t', () => {
    const model = makeModel({ kind: 'vanilla', hidden: H, activation: 'identity' });
    setRecurrent(model, randomOrthogonal(H, new Rng(4)));
    const c = gradientThroughTime(model, mseLast, makeBatch(T, B)).cells[0];
    for (let t = 0; t < T; t++) {
      expect(maxRel(c.perSample.subarray(t * B, (t + 1) * B), c.perSample.subarray((T - 1) * B))).toBeLessThan(1e-9);
    }
    expect(Math.abs(c.fit.slope)).toBeLessThan(1e-9);
  });

  it('statistics over the batch, windows, stacked bidirectional many-to-many models', () => {
    const model = makeModel({ kind: 'gru', hidden: H }, 3, undefined, {
      layers: 2,
      bidirectional: true,
      target: 'all',
    });
    const r = gradientThroughTime(model, mseAll, makeBatch(12, 6, 5, 'all'), {
      window: [2, 9],
      quantiles: [0, 0.5, 1],
    });
    expect(r.cells.map((c) => `${c.layer}.${c.direction}`)).toEqual(['0.fwd', '0.bwd', '1.fwd', '1.bwd']);
    for (const c of r.cells) {
      expect(c.fit.n).toBe(8);
      expect(c.fit.window).toEqual([2, 9]);
      for (let t = 0; t < 12; t++) {
        const xs = Array.from(c.perSample.subarray(t * 6, (t + 1) * 6));
        expect(c.min[t]).toBe(Math.min(...xs));
        expect(c.max[t]).toBe(Math.max(...xs));
        expect(c.quantiles[0][t]).toBe(c.min[t]);
        expect(c.quantiles[2][t]).toBe(c.max[t]);
        expect(Math.abs(c.mean[t] - xs.reduce((s, x) => s + x, 0) / 6)).toBeLessThan(1e-15);
        expect(c.std[t]).toBeGreaterThan(0);
      }
    }
    expect(() => gradientThroughTime(model, mseAll, makeBatch(12, 6, 5, 'all'), { window: [3, 12] })).toThrow(/window/);
  });
});
