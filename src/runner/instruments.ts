/**
 * The instruments a study records for a trial, at initialisation, at chosen points and at the end of
 * training: gradient-through-time curves with the theory bound overlaid where one exists, the fitted
 * decay rate, the per-step bound, and optionally step-Jacobian norms and Lyapunov exponents. Measured on
 * a fixed probe batch (its own seed), so measurements at different points compare like with like.
 * A failing instrument records nulls and never fails the trial.
 */
import type { Model } from '../models/model.js';
import { Rng } from '../tensor/rng.js';
import type { Task } from '../tasks/task.js';
import { gradientThroughTime } from '../diagnostics/gradient-through-time.js';
import { transitionBound } from '../diagnostics/bounds.js';
import { createStepProbe } from '../diagnostics/probe.js';
import { stepJacobianNorms } from '../diagnostics/jacobian.js';
import { lyapunovSpectrum } from '../diagnostics/lyapunov.js';
import { explodingOf, gradientDecay } from '../diagnostics/gradient-decay.js';
import type { Batch } from '../tasks/task.js';
import type { TrialSpec } from './grid.js';
import type { TrialRecord } from './store.js';

export interface Measurement {
  curves: TrialRecord['curves'];
  summary: Record<string, number | null>;
}

const finiteOrNull = (x: number | undefined | null): number | null =>
  x !== undefined && x !== null && Number.isFinite(x) ? x : null;

/** Measure the trial's instruments on the model as it is now; `when` names the summary entries. */
export function measureInstruments(
  model: Model,
  task: Task,
  trial: TrialSpec,
  step: number,
  when: 'init' | 'mid' | 'end',
): Measurement {
  const out: Measurement = { curves: [], summary: {} };
  const ins = trial.instruments;
  const probeRng = (): Rng => new Rng(`probe:${trial.seed}`);
  const bound = (() => {
    try {
      return transitionBound(model.layers[0].cells[0]);
    } catch {
      return null;
    }
  })();
  if (when !== 'mid') out.summary[`bound.perStep.${when}`] = bound?.perStep ? Math.log(bound.perStep) : null;
  if (when === 'init') out.summary['bound.perStep'] = bound?.perStep ? Math.log(bound.perStep) : null;
  if (ins.gradientThroughTime) {
    const g = ins.gradientThroughTime;
    try {
      const r = gradientThroughTime(
        model,
        task,
        task.sample(probeRng(), g.batchSize ?? Math.min(32, trial.training.batchSize)),
        { fraction: g.fraction },
      );
      r.cells.forEach((c, i) => {
        const last = c.mean[r.T - 1];
        // The bound on ‖∂L/∂h_t‖ given ‖∂L/∂h_T‖: ‖∂L/∂h_T‖·β^(T−t). It holds when h_t is the whole carried
        // state and only h_T leads to the loss: one layer, forward direction, a cell whose output is its state.
        const cell = model.layers[0].cells[0];
        const boundApplies =
          i === 0 && model.layers.length === 1 && !cell.emit && cell.stateSizes.length === 1 && task.target === 'last';
        const curveBound =
          boundApplies && bound?.perStep
            ? Array.from({ length: r.T }, (_, k) => last * bound.perStep! ** (r.T - 1 - k))
            : null;
        out.curves.push({
          kind: 'gtt',
          step,
          layer: i,
          data: {
            t: Array.from({ length: r.T }, (_, k) => k + 1),
            mean: Array.from(c.mean),
            std: Array.from(c.std),
            bound: curveBound?.map((v) => (Number.isFinite(v) ? v : null)) ?? null,
            slope: finiteOrNull(c.fit.slope),
            slopeLow: finiteOrNull(c.fit.ci[0]),
            slopeHigh: finiteOrNull(c.fit.ci[1]),
            horizon: c.horizon.measured,
          },
        });
      });
      if (when !== 'mid') out.summary[`decay.${when}`] = finiteOrNull(r.cells[0]?.fit.slope);
    } catch {
      if (when !== 'mid') out.summary[`decay.${when}`] = null;
    }
  }
  if (when === 'mid' || (!ins.jacobian && !ins.lyapunov && !ins.gradientDecay)) return out;
  let probe: ReturnType<typeof createStepProbe> | null = null;
  try {
    if (ins.gradientDecay)
      measureDecay(model, task.sample(probeRng(), ins.gradientDecay.batchSize), trial.seed, step, when, out);
    if (!ins.jacobian && !ins.lyapunov) return out;
    probe = createStepProbe(model, task.sample(probeRng(), ins.jacobian?.batchSize ?? ins.lyapunov?.batchSize ?? 4));
    if (ins.jacobian) {
      const j = stepJacobianNorms(probe);
      const logs = Array.from(j.meanLogNorm);
      out.summary[`jacobian.${when}`] = finiteOrNull(Math.exp(logs.reduce((s, x) => s + x, 0) / logs.length));
      out.curves.push({
        kind: 'jacobian',
        step,
        layer: 0,
        data: { t: j.steps, meanLogNorm: logs.map((v) => finiteOrNull(v)) },
      });
    }
    if (ins.lyapunov) {
      const l = lyapunovSpectrum(probe, { k: Math.min(ins.lyapunov.k, probe.D) });
      out.summary[`lyapunov.${when}`] = finiteOrNull(l.exponents[0]);
      out.curves.push({
        kind: 'lyapunov',
        step,
        layer: 0,
        data: {
          exponents: Array.from(l.exponents, (v) => finiteOrNull(v)),
          stderr: Array.from(l.stderr, (v) => finiteOrNull(v)),
        },
      });
    }
  } catch {
    if (ins.gradientDecay) out.summary[`decay.${when}`] ??= null;
    if (ins.jacobian) out.summary[`jacobian.${when}`] ??= null;
    if (ins.lyapunov) out.summary[`lyapunov.${when}`] ??= null;
  } finally {
    probe?.dispose();
  }
  return out;
}

/**
 * The log-domain gradient decay (diagnostics/gradient-decay.ts) of layer 0: it replaces the tape fit as
 * `decay.<when>` (the tape's stays as `decay.tape.<when>`), with its interval over samples and a flag for
 * exploding gradients (the interval lies above 0: s > 0 beyond sampling noise), which stay in every statistic. Curve 'decay': mean log-norm per lag.
 */
function measureDecay(
  model: Model,
  batch: Batch,
  seed: number,
  step: number,
  when: 'init' | 'end',
  out: Measurement,
): void {
  if (`decay.${when}` in out.summary) out.summary[`decay.tape.${when}`] = out.summary[`decay.${when}`];
  const probe = createStepProbe(model, batch);
  try {
    const d = gradientDecay(probe, { seed: `decay:${seed}` });
    out.summary[`decay.${when}`] = finiteOrNull(d.slope);
    out.summary[`decay.${when}.lo`] = finiteOrNull(d.ci[0]);
    out.summary[`decay.${when}.hi`] = finiteOrNull(d.ci[1]);
    out.summary[`decay.${when}.exploding`] = explodingOf(d.slope, d.ci[0]);
    const every = Math.max(1, Math.ceil(d.T / 400));
    const lags = Array.from({ length: Math.floor(d.T / every) + 1 }, (_, i) => i * every);
    out.curves.push({
      kind: 'decay',
      step,
      layer: 0,
      data: {
        lag: lags,
        meanLog: lags.map((m) => finiteOrNull(d.meanLog[m])),
        stdLog: lags.map((m) => finiteOrNull(d.stdLog[m])),
        slope: finiteOrNull(d.slope),
        slopeLow: finiteOrNull(d.ci[0]),
        slopeHigh: finiteOrNull(d.ci[1]),
        r2: finiteOrNull(d.r2),
      },
    });
  } finally {
    probe.dispose();
  }
}
