/**
 * The instruments on the wasm backend (float32) agree with the reference backend (float64) within float32
 * tolerance: same model (same seed), same batch.
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
import { getBackend } from '../../src/kernels/index.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import type { CellConfig } from '../../src/cells/index.js';
import { makeBatch, makeModel, maxRel, mseLast } from './helpers.js';

const T = 20,
  B = 4;
const cells: [string, CellConfig][] = [
  ['vanilla', { kind: 'vanilla', hidden: 8 }],
  ['gru', { kind: 'gru', hidden: 8 }],
  ['lstm', { kind: 'lstm', hidden: 8 }],
  ['deep highway + layerNorm', { kind: 'deep', hidden: 6, depth: 2, variant: 'highway', layerNorm: true }],
  ['lru', { kind: 'lru', hidden: 6, state: 4 }],
];

describe('wasm backend agrees with the reference', () => {
  const wasm = getBackend('wasm');
  for (const [name, cfg] of cells) {
    it(name, () => {
      const batch = makeBatch(T, B);
      const run = (backend = referenceBackend) => {
        const model = makeModel(cfg, 4, backend);
        const flow = gradientThroughTime(model, mseLast, batch).cells[0];
        const probe = createStepProbe(model, batch);
        const steps = stepJacobianNorms(probe, { steps: [1, 10, T] });
        const prod = jacobianProductNorms(probe, {
          spans: [
            [0, T],
            [10, T],
            [T - 1, T],
          ],
        });
        const lyap = lyapunovSpectrum(probe, { k: 2, burnIn: 2 });
        const bound = transitionBound(probe.cell);
        probe.dispose();
        return { flow, steps, prod, lyap, bound };
      };
      const ref = run(),
        w = run(wasm);
      expect(maxRel(w.flow.mean, ref.flow.mean)).toBeLessThan(1e-3);
      expect(Math.abs(w.flow.fit.slope - ref.flow.fit.slope)).toBeLessThan(1e-3);
      ref.steps.estimates.forEach((e, i) =>
        expect(maxRel(w.steps.estimates[i].norm, e.norm), `σ₁(J_${ref.steps.steps[i]})`).toBeLessThan(1e-3),
      );
      ref.prod.estimates.forEach((e, i) =>
        expect(maxRel(w.prod.estimates[i].norm, e.norm), `span ${ref.prod.spans[i]}`).toBeLessThan(2e-3),
      );
      ref.lyap.exponents.forEach((l, i) => expect(Math.abs(w.lyap.exponents[i] - l)).toBeLessThan(1e-3));
      if (ref.bound.perStep !== null)
        expect(Math.abs((w.bound.perStep as number) / ref.bound.perStep - 1)).toBeLessThan(1e-5);
      for (const e of w.steps.estimates) expect(e.converged).toBe(true);
    });
  }
});
