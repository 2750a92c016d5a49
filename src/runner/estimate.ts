/**
 * An honest estimate of a study's wall-clock time before it starts, from step times measured on this
 * machine, not guessed:
 *
 *   trained trial   cost = steps × (ms per step of its model at its T), plus its evaluations (every evalEvery
 *                   steps, evalBatches × evalBatchSize sequences, timed as forward-only batches); ms per step
 *                   is measured (1 warm-up + 3 timed steps) for each distinct model at the smallest and the
 *                   largest T it meets, and interpolated linearly in T in between
 *   probe-only      cost measured by running the most and the least expensive-looking trial (depth × T)
 *                   and interpolated linearly in depth × T
 *   study           Σ cost / workers — an upper bound: trials that solve stop early, and a staircase skips
 *                   the longer T of a condition that failed
 */
import { getBackend, type BackendName } from '../kernels/index.js';
import { modelForTask } from '../models/for-task.js';
import { createTask } from '../tasks/registry.js';
import { fit } from '../train/fit.js';
import type { TrialSpec } from './grid.js';
import { canonical } from './variants.js';
import { runTrial } from './trial.js';

export interface StudyEstimate {
  /** Upper bound on the wall-clock seconds of the given trials on `workers` workers. */
  seconds: number;
  /** CPU-seconds (the same work on one core). */
  cpuSeconds: number;
  /** Measurements taken (distinct model × T calibrations). */
  measurements: number;
  /** Trials whose model could not even take a step here (e.g. out of wasm memory): left out of the sums. */
  unrunnable: { trials: TrialSpec[]; reason: string }[];
}

const taskT = (t: TrialSpec): number => Number((t.task as { T?: unknown }).T ?? 1) || 1;
const depthOf = (t: TrialSpec): number => {
  const c = t.model.cell as { depth?: number; variant?: string };
  return (c.depth ?? 1) * (c.variant === 'highway' ? 2 : 1) * (t.model.layers ?? 1);
};

/** Estimate the wall-clock time of `trials` (see the header). */
export function estimateTrials(trials: readonly TrialSpec[], workers: number, backend?: BackendName): StudyEstimate {
  let cpu = 0,
    measurements = 0;
  const unrunnable: StudyEstimate['unrunnable'] = [];
  const run = { failed: null as string | null }; // this call's first failed measurement, if any
  const probes = trials.filter((t) => t.training.steps === 0);
  if (probes.length) {
    const size = (t: TrialSpec): number => depthOf(t) * taskT(t);
    const sorted = [...probes].sort((a, b) => size(a) - size(b));
    const lo = sorted[0],
      hi = sorted[sorted.length - 1];
    const time = (t: TrialSpec): number => {
      measurements++;
      return runTrial(t, { backend }).seconds;
    };
    const [tLo, tHi] = lo === hi ? [time(lo), NaN] : [time(lo), time(hi)];
    for (const t of probes)
      cpu += Number.isNaN(tHi) ? tLo : tLo + ((tHi - tLo) * (size(t) - size(lo))) / Math.max(1, size(hi) - size(lo));
  }
  const trained = trials.filter((t) => t.training.steps > 0);
  const byModel = new Map<string, TrialSpec[]>();
  for (const t of trained) {
    const k = `${canonical(t.model)}|${t.task.kind}`;
    byModel.set(k, [...(byModel.get(k) ?? []), t]);
  }
  for (const group of byModel.values()) {
    const Ts = group.map(taskT);
    const shortest = group[Ts.indexOf(Math.min(...Ts))];
    let longest = group[Ts.indexOf(Math.max(...Ts))];
    const msLo = tryMsPerStep(shortest, backend, run);
    if (typeof msLo === 'string') {
      unrunnable.push({ trials: group, reason: msLo });
      continue;
    }
    let msHi = shortest === longest ? msLo : tryMsPerStep(longest, backend, run);
    measurements += shortest === longest ? 1 : 2;
    let runnable = group;
    if (typeof msHi === 'string') {
      // the longest T did not fit (and after a failure nothing more is measured): only the shortest T counts
      unrunnable.push({ trials: group.filter((t) => taskT(t) > taskT(shortest)), reason: msHi });
      runnable = group.filter((t) => taskT(t) === taskT(shortest));
      [msHi, longest] = [msLo, shortest];
    }
    const [T0, T1] = [taskT(shortest), taskT(longest)];
    for (const t of runnable) {
      const ms = T1 === T0 ? msLo : msLo + ((msHi - msLo) * (taskT(t) - T0)) / (T1 - T0);
      const evals = Math.ceil(
        t.training.steps / (t.training.evalEvery ?? Math.max(1, Math.floor(t.training.steps / 10))),
      );
      // an evaluation batch costs about a third of a training step per sequence (forward only)
      const evalMs =
        (evals *
          (t.training.evalBatches ?? 1) *
          ((t.training.evalBatchSize ?? t.training.batchSize) / t.training.batchSize) *
          ms) /
        3;
      cpu += (t.training.steps * ms + evalMs) / 1000;
    }
  }
  return { seconds: cpu / Math.max(1, workers), cpuSeconds: cpu, measurements, unrunnable };
}

/**
 * msPerStep, or the error's message when the model cannot take a step here (e.g. out of wasm memory). After
 * a failure the backend's heap may be exhausted for good, so every later measurement in this process is
 * reported as not made rather than attempted.
 */
function tryMsPerStep(
  trial: TrialSpec,
  backend: BackendName | undefined,
  run: { failed: string | null },
): number | string {
  if (run.failed) return `not measured: an earlier measurement failed (${run.failed})`;
  try {
    return msPerStep(trial, backend);
  } catch (e) {
    run.failed = `${trial.label}: ${(e as Error).message}`;
    return (e as Error).message;
  }
}

/** Milliseconds per training step of a trial's model on its task (1 warm-up step, 3 timed). */
function msPerStep(trial: TrialSpec, backend?: BackendName): number {
  const task = createTask(trial.task);
  const model = modelForTask(trial.model, task, getBackend(backend), trial.seed);
  try {
    const opts = {
      batchSize: trial.training.batchSize,
      optimizer: trial.training.optimizer,
      evalEvery: 1e9,
      evalBatches: 1,
      evalBatchSize: 1,
      seed: 1,
    };
    fit(model, task, { ...opts, steps: 1 });
    const t0 = performance.now();
    fit(model, task, { ...opts, steps: 3 });
    return (performance.now() - t0) / 3;
  } finally {
    for (const p of model.parameters()) p.dispose();
  }
}

/** "2 h 05 min", "14 min", "40 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const m = Math.round(seconds / 60);
  return m < 90 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
