/**
 * The instruments a study records for a trial, at initialisation, at chosen points and at the end of
 * training: gradient-through-time curves (with the theory bound where one exists), the fitted decay rate,
 * and optionally step-Jacobian norms and Lyapunov exponents. Measured on a fixed probe batch (its own seed),
 * so measurements at different points of training compare like with like. A failing instrument records
 * nulls and never fails the trial.
 */
import type { Model } from '../models/model.js';
import { Rng } from '../tensor/rng.js';
import type { Task } from '../tasks/task.js';
import { gradientThroughTime } from '../diagnostics/gradient-through-time.js';
import type { TrialSpec } from './grid.js';
import type { TrialRecord } from './store.js';

export interface Measurement {
  curves: TrialRecord['curves'];
  summary: Record<string, number | null>;
}

/** Measure the trial's instruments on the model as it is now; `when` names the summary entries. */
export function measureInstruments(model: Model, task: Task, trial: TrialSpec, step: number, when: 'init' | 'mid' | 'end'): Measurement {
  const out: Measurement = { curves: [], summary: {} };
  const gtt = trial.instruments.gradientThroughTime;
  if (gtt) {
    const batch = task.sample(new Rng(`probe:${trial.seed}`), gtt.batchSize ?? Math.min(32, trial.training.batchSize));
    try {
      const r = gradientThroughTime(model, task, batch, { fraction: gtt.fraction });
      r.cells.forEach((c, i) => {
        out.curves.push({
          kind: 'gtt', step, layer: i,
          data: {
            t: Array.from({ length: r.T }, (_, k) => k + 1), mean: Array.from(c.mean), std: Array.from(c.std),
            bound: null, slope: c.fit.slope, slopeLow: c.fit.ci[0], slopeHigh: c.fit.ci[1], horizon: c.horizon.measured,
          },
        });
      });
      if (when !== 'mid') out.summary[`decay.${when}`] = r.cells[0]?.fit.slope ?? null;
    } catch {
      if (when !== 'mid') out.summary[`decay.${when}`] = null;
    }
  }
  return out;
}
