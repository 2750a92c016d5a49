/**
 * Deep transitions (plain, tanh) with L = 1, 2, 4, 8 at initialisation: every instrument produces a decay
 * per time step, and the numbers are mutually consistent. What they are is the study's business; here only
 * the relations that must hold whatever the weights:
 *   ‖∂L/∂h_t‖ ≤ ‖∂L/∂h_T‖·‖J_T⋯J_{t+1}‖ ≤ ‖∂L/∂h_T‖·Π_s ‖J_s‖,  ‖J_s‖ ≤ Π_l γ‖W_l‖ (rigorous bound),
 *   T·λ₁ (QR method, k = 1, no burn-in) = log‖J_T⋯J_1·q₀‖ ≤ log‖J_T⋯J_1‖,
 * per sample; and the fitted gradient decay rate agrees with the product-norm growth rate.
 */
import { describe, expect, it } from 'vitest';
import {
  createStepProbe,
  gradientThroughTime,
  jacobianProductNorms,
  lyapunovSpectrum,
  stepJacobianNorms,
  transitionBound,
} from '../../src/diagnostics/index.js';
import { makeBatch, makeModel, mseLast } from './helpers.js';

const H = 8,
  T = 40,
  B = 6,
  slack = 1e-9;

describe('deep transition, L = 1, 2, 4, 8: decay per step, computed consistently', () => {
  for (const L of [1, 2, 4, 8]) {
    it(`L = ${L}`, () => {
      const model = makeModel({ kind: 'deep', hidden: H, depth: L }, 1);
      const batch = makeBatch(T, B);
      const flow = gradientThroughTime(model, mseLast, batch).cells[0];
      const probe = createStepProbe(model, batch);
      const steps = stepJacobianNorms(probe);
      const spans: [number, number][] = [
        [1, T],
        [10, T],
        [20, T],
        [30, T],
        [T - 1, T],
      ];
      const prod = jacobianProductNorms(probe, { spans: [...spans, [0, T]] });
      const lyap = lyapunovSpectrum(probe, { burnIn: 0 });
      const bound = transitionBound(probe.cell);
      expect(bound.rigorous).toBe(true);
      const logBeta = Math.log(bound.perStep as number);
      const gAt = (t: number, b: number): number => flow.perSample[(t - 1) * B + b];
      for (let b = 0; b < B; b++) {
        // step norms under the weight bound
        steps.estimates.forEach((e) => expect(e.logNorm[b]).toBeLessThanOrEqual(logBeta + slack));
        spans.forEach(([t0], i) => {
          const logP = prod.estimates[i].logNorm[b];
          // the gradient at t0 is g_T·P: under ‖g_T‖·‖P‖
          expect(Math.log(gAt(t0, b))).toBeLessThanOrEqual(Math.log(gAt(T, b)) + logP + slack);
          // ‖P‖ under the product of the step norms
          let sum = 0;
          for (let s = t0 + 1; s <= T; s++) sum += steps.estimates[s - 1].logNorm[b];
          expect(logP).toBeLessThanOrEqual(sum + slack);
        });
        expect(T * (lyap.perSample as Float64Array[])[b][0]).toBeLessThanOrEqual(
          prod.estimates[spans.length].logNorm[b] + slack,
        );
      }
      // the fitted decay rate per step and the growth rate of ‖J_T⋯J_1‖ describe the same decay
      const rate = flow.fit.slope,
        growth = prod.meanLogNorm[spans.length] / T;
      for (const x of [rate, growth, lyap.exponents[0], ...steps.meanLogNorm]) expect(Number.isFinite(x)).toBe(true);
      expect(Math.abs(rate - growth)).toBeLessThan(0.1 * Math.max(1, Math.abs(rate)));
      expect(rate).toBeLessThanOrEqual(Math.max(...steps.meanLogNorm) + slack);
      probe.dispose();
    });
  }
});
