/**
 * Part B of the flagship study: trainability against sequence length, per model.
 *
 * Source: trained trials (training.steps > 0) on tasks with a T grid axis. Success: solvedAt ≠ null; a diverged
 * trial is a failure, a crashed one (status failed) is missing data and left out.
 *
 *   cells        per (task, model, T): n trials, k successes. Cells the runner skipped by design (every seed
 *                failed at a shorter T, so a longer T is assumed to fail too — the study states this
 *                assumption: success does not rise with T) count as failures in the T₅₀ fit only: trials
 *                stored with summary skipped.impliedFailure = 1, and lengths the model lacks above its
 *                longest tested T when that T was all failures (as many failures as it had seeds there).
 *   T₅₀          logistic fit of success against log T with a bootstrap CI (logistic.ts), RNG seed per
 *                task and model so the report is reproducible.
 *   secondary    log(final metric / the task's trivial baseline) per cell, mean and 95% t CI over the
 *                finished trials (loss-like metrics only: mse, xent; 0 = no better than the baseline).
 *   horizon      the gradient horizon predicted at initialisation: log(1e-3)/s with s the median over the
 *                model's trials of decay.init (the per-step slope at step 0): the lag at which the gradient
 *                has fallen to 1e-3 of its value at T. +∞ when s ≥ 0 (no decay).
 */
import { isUntrained, type ModelInfo, type StudyData, type TrialView } from './data.js';
import { fitT50, type T50Fit } from './logistic.js';
import { estimate, median, type Estimate } from './stats.js';

export interface TCell {
  T: number;
  /** Trials run (implied failures excluded). */
  views: TrialView[];
  n: number;
  k: number;
  /** Failures assumed by design (skipped cells), counted in the T₅₀ fit only. */
  implied: number;
  logRatio: Estimate | null;
}

export interface ModelCurve {
  taskName: string;
  model: ModelInfo;
  cells: TCell[];
  fit: T50Fit;
  /** Median decay.init over the model's trials on the task (null if none recorded). */
  s: number | null;
  horizon: number | null;
  /** Lengths filled in as failures because the runner skipped them (no trial stored). */
  impliedTs: number[];
}

export const HORIZON_LEVEL = 1e-3;

/** Trained trials on tasks whose T is a grid axis. */
export function trainedSource(data: StudyData): TrialView[] {
  return data.trials.filter((v) => !isUntrained(v) && v.task.T !== null && 'task.T' in (v.trial.axes ?? {}));
}

export const isImplied = (v: TrialView): boolean => v.trial.summary?.['skipped.impliedFailure'] === 1;

/** log(final metric / baseline) of a finished trial (null: not done, no positive metric, or no baseline). */
export function finalLogRatio(v: TrialView): number | null {
  const base = v.task.baseline,
    m = v.trial.final?.metric;
  return v.trial.status === 'done' && base !== null && base > 0 && typeof m === 'number' && m > 0
    ? Math.log(m / base)
    : null;
}

function logRatio(views: readonly TrialView[]): Estimate | null {
  const t = views[0]?.task;
  if (!t || t.baseline === null || !(t.baseline > 0) || (t.metric !== 'mse' && t.metric !== 'xent')) return null;
  return estimate(views.filter((v) => v.trial.status === 'done').map(finalLogRatio));
}

/** One T₅₀ curve per (task name, model) with at least one trained trial. */
export function modelCurves(data: StudyData): ModelCurve[] {
  const source = trainedSource(data);
  const byTask = new Map<string, TrialView[]>();
  for (const v of source) byTask.set(v.task.name, [...(byTask.get(v.task.name) ?? []), v]);
  const out: ModelCurve[] = [];
  for (const [taskName, views] of byTask) {
    const allT = [...new Set(views.map((v) => v.task.T!))].sort((a, b) => a - b);
    for (const model of data.models) {
      const mine = views.filter((v) => v.model.key === model.key);
      if (mine.length === 0) continue;
      const cells: TCell[] = [...new Set(mine.map((v) => v.task.T!))]
        .sort((a, b) => a - b)
        .map((T) => {
          const at = mine.filter((v) => v.task.T === T);
          // A crashed trial (status failed) is missing data, not a training failure: left out.
          const run = at.filter((v) => !isImplied(v) && v.trial.status !== 'failed');
          return {
            T,
            views: run,
            n: run.length,
            k: run.filter((v) => v.solved).length,
            implied: at.length - run.length,
            logRatio: logRatio(run),
          };
        });
      const last = cells[cells.length - 1];
      const impliedTs = last.k === 0 ? allT.filter((T) => T > last.T) : [];
      const seeds = last.n + last.implied;
      const levels = [
        ...cells.map((c) => ({ T: c.T, n: c.n + c.implied, k: c.k })),
        ...impliedTs.map((T) => ({ T, n: seeds, k: 0 })),
      ];
      const s = median(mine.map((v) => v.trial.summary?.['decay.init']));
      out.push({
        taskName,
        model,
        cells,
        impliedTs,
        s,
        fit: fitT50(levels, `${data.name}:${taskName}:${model.key}`),
        horizon: s === null ? null : s < 0 ? Math.log(HORIZON_LEVEL) / s : Infinity,
      });
    }
  }
  return out;
}
