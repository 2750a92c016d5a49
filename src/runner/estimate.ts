/**
 * An honest estimate of a study's wall-clock time before it starts, from step times measured on this
 * machine, not guessed:
 *
 *   trained trial   cost = steps × (ms per step of its model at its T), plus its evaluations (every evalEvery
 *                   steps, evalBatches × evalBatchSize sequences, timed as forward-only batches); ms per step
 *                   is measured (1 warm-up + 3 timed steps) for each distinct model at the smallest and the
 *                   largest T it meets, and interpolated linearly in T in between. Times are CPU time of
 *                   this process when the kernels run on one thread (`clockFor`): the machine's other load
 *                   does not count, as it would in wall-clock time
 *   probe-only      cost measured by running the most and the least expensive-looking trial (depth × T)
 *                   and interpolated linearly in depth × T
 *   study           Σ cost / workers — an upper bound: trials that solve stop early, and a staircase skips
 *                   the longer T of a condition that failed
 *
 * Memory: every measurement frees what it allocated, also when it fails (the heap's bytes in use are where
 * they were before it: test/runner/estimate-memory.test.ts), so one that runs out of memory does not stop
 * the next. When a model's longest T does not fit, the next longest is tried, down to the shortest; the
 * trials that do not fit are listed as unrunnable with the wasm heap they would need: the peak heap of the
 * measurements that ran, linear in T (a trial's memory is parameters and optimizer state, plus its tapes,
 * which grow with T), from two lengths that fit (single steps at shorter T when fewer than two did).
 */
import type { Backend } from '../kernels/backend.js';
import { getBackend, type BackendName } from '../kernels/index.js';
import type { WasmHeap } from '../kernels/wasm/heap.js';
import type { Model } from '../models/model.js';
import { modelForTask } from '../models/for-task.js';
import { createTask } from '../tasks/registry.js';
import { fit } from '../train/fit.js';
import type { TrialSpec } from './grid.js';
import { canonical } from './variants.js';
import { runTrial } from './trial.js';

/** Trials that cannot run here, why, and (when it could be measured) the wasm heap each length would need. */
export interface UnrunnableTrials {
  trials: TrialSpec[];
  reason: string;
  /** Heap bytes a trial would need, per sequence length T, ascending (empty when not measurable). */
  needs: { T: number; bytes: number }[];
}

export interface StudyEstimate {
  /** Upper bound on the wall-clock seconds of the given trials on `workers` workers. */
  seconds: number;
  /** CPU-seconds (the same work on one core). */
  cpuSeconds: number;
  /** Measurements taken (distinct model × T calibrations). */
  measurements: number;
  /** Trials whose model could not take a step here (e.g. out of wasm memory): left out of the sums. */
  unrunnable: UnrunnableTrials[];
  /** Bytes the wasm heap can hold (null on the reference backend). */
  heapLimit: number | null;
}

const taskT = (t: TrialSpec): number => Number((t.task as { T?: unknown }).T ?? 1) || 1;
const depthOf = (t: TrialSpec): number => {
  const c = t.model.cell as { depth?: number; variant?: string };
  return (c.depth ?? 1) * (c.variant === 'highway' ? 2 : 1) * (t.model.layers ?? 1);
};
const heapOf = (be: Backend): WasmHeap | null => (be as { heap?: WasmHeap }).heap ?? null;
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A measurement: its result, or why it failed; and the peak heap bytes it used (null off wasm). */
type Measured = { ms: number; bytes: number | null } | { error: string };

/** Estimate the wall-clock time of `trials` (see the header). */
export function estimateTrials(
  trials: readonly TrialSpec[],
  workers: number,
  backend?: BackendName | Backend,
): StudyEstimate {
  const be = typeof backend === 'object' ? backend : getBackend(backend);
  let cpu = 0,
    measurements = 0;
  const unrunnable: UnrunnableTrials[] = [];
  const leak = { failed: null as string | null }; // a failed measurement that did not give its memory back
  const measure = (trial: TrialSpec, run: (t: TrialSpec, be: Backend) => number): Measured => {
    if (leak.failed) return { error: `not measured: an earlier measurement kept heap memory (${leak.failed})` };
    measurements++;
    const heap = heapOf(be),
      before = heap?.stats() ?? null;
    heap?.resetPeak();
    try {
      const ms = run(trial, be);
      return { ms, bytes: heap && before ? heap.stats().peak - before.used : null };
    } catch (e) {
      // more live blocks than before, beyond the one packing buffer the backend keeps for gemm: a leak
      if (heap && before && heap.stats().liveBlocks > before.liveBlocks + 1)
        leak.failed = `${trial.label}: ${message(e)}`;
      return { error: message(e) };
    }
  };
  const probes = trials.filter((t) => t.training.steps === 0);
  if (probes.length) {
    const size = (t: TrialSpec): number => depthOf(t) * taskT(t);
    const sorted = [...probes].sort((a, b) => size(a) - size(b));
    const lo = sorted[0],
      hi = sorted[sorted.length - 1];
    const time = (t: TrialSpec): Measured =>
      measure(t, (trial, b) => {
        const clock = clockFor(b),
          t0 = clock();
        const r = runTrial(trial, { backend: b });
        if (r.status === 'failed') throw new Error(r.error ?? 'failed');
        return clock() - t0;
      });
    const mLo = time(lo),
      mHi = lo === hi ? mLo : time(hi);
    if ('error' in mLo || 'error' in mHi) {
      unrunnable.push({
        trials: probes,
        reason: 'error' in mLo ? mLo.error : (mHi as { error: string }).error,
        needs: [],
      });
    } else {
      const [tLo, tHi] = [mLo.ms / 1000, mHi.ms / 1000];
      for (const t of probes)
        cpu += lo === hi ? tLo : tLo + ((tHi - tLo) * (size(t) - size(lo))) / Math.max(1, size(hi) - size(lo));
    }
  }
  const byModel = new Map<string, TrialSpec[]>();
  for (const t of trials.filter((t) => t.training.steps > 0)) {
    const k = `${canonical(t.model)}|${t.task.kind}`;
    byModel.set(k, [...(byModel.get(k) ?? []), t]);
  }
  for (const group of byModel.values()) {
    const Ts = [...new Set(group.map(taskT))].sort((a, b) => a - b);
    const rep = (T: number): TrialSpec => group.find((t) => taskT(t) === T) as TrialSpec;
    // the shortest T, then the longest that runs
    const ok: { T: number; ms: number; bytes: number | null }[] = [];
    const failed: number[] = [];
    let reason = '';
    for (const T of [Ts[0], ...Ts.slice(1).reverse()]) {
      const m = measure(rep(T), msPerStep);
      if ('error' in m) {
        reason ||= m.error;
        if (T === Ts[0]) {
          failed.push(...Ts); // the shortest did not fit: none does
          break;
        }
        failed.push(T);
      } else {
        ok.push({ T, ...m });
        if (T !== Ts[0]) break;
      }
    }
    if (failed.length) {
      const needs = reason.startsWith('not measured') ? [] : bytesNeeded(ok, failed, rep, be, measure);
      unrunnable.push({ trials: group.filter((t) => failed.includes(taskT(t))), reason, needs });
    }
    if (ok.length === 0) continue;
    const [p0, p1] = [ok[0], ok[ok.length - 1]];
    for (const t of group) {
      if (taskT(t) > p1.T || failed.includes(taskT(t))) continue;
      const ms = p1.T === p0.T ? p0.ms : p0.ms + ((p1.ms - p0.ms) * (taskT(t) - p0.T)) / (p1.T - p0.T);
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
  const heap = heapOf(be);
  return {
    seconds: cpu / Math.max(1, workers),
    cpuSeconds: cpu,
    measurements,
    unrunnable,
    heapLimit: heap ? heap.stats().limit : null,
  };
}

/**
 * The heap bytes each failed T would need, linear in T through two lengths that fit: the measurements that
 * ran, else single steps at T/8 and T/4 of the shortest failed length (halved until they fit).
 */
function bytesNeeded(
  ok: readonly { T: number; bytes: number | null }[],
  failed: readonly number[],
  rep: (T: number) => TrialSpec,
  be: Backend,
  measure: (trial: TrialSpec, run: (t: TrialSpec, be: Backend) => number) => Measured,
): { T: number; bytes: number }[] {
  if (!heapOf(be) || (rep(failed[0]).task as { T?: unknown }).T === undefined) return [];
  const points = ok.filter((p) => p.bytes !== null) as { T: number; bytes: number }[];
  const shortest = Math.min(...failed);
  for (let Ta = Math.floor(shortest / 8); points.length < 2 && Ta >= 1; Ta = Math.floor(Ta / 2)) {
    points.length = 0;
    for (const T of [Ta, 2 * Ta]) {
      const trial = { ...rep(shortest), task: { ...rep(shortest).task, T } } as TrialSpec;
      const m = measure(trial, oneStep);
      if ('error' in m || m.bytes === null) break;
      points.push({ T, bytes: m.bytes });
    }
  }
  if (points.length < 2) return [];
  const [a, b] = [points[0], points[points.length - 1]];
  return [...failed]
    .sort((x, y) => x - y)
    .map((T) => ({ T, bytes: Math.round(a.bytes + ((b.bytes - a.bytes) * (T - a.T)) / (b.T - a.T)) }));
}

/** fit options of a measurement: the trial's batch and optimizer, one evaluation batch of its size at the end. */
const fitOptions = (trial: TrialSpec) => ({
  batchSize: trial.training.batchSize,
  optimizer: trial.training.optimizer,
  evalEvery: 1e9,
  evalBatches: 1,
  evalBatchSize: trial.training.evalBatchSize ?? trial.training.batchSize,
  seed: 1,
});

/** Build the trial's model, run `body` on it, and free the model whatever happens. */
function withModel<T>(
  trial: TrialSpec,
  be: Backend,
  body: (model: Model, task: ReturnType<typeof createTask>) => T,
): T {
  const task = createTask(trial.task);
  let model: Model | null = null;
  try {
    model = modelForTask(trial.model, task, be, trial.seed);
    return body(model, task);
  } finally {
    model?.dispose();
  }
}

/** One training step and one evaluation batch (what a trial holds at its peak); returns 0. */
function oneStep(trial: TrialSpec, be: Backend): number {
  return withModel(trial, be, (model, task) => {
    fit(model, task, { ...fitOptions(trial), steps: 1 });
    return 0;
  });
}

/**
 * Milliseconds per training step of a trial's model on its task: a warm-up step with one evaluation batch
 * of the trial's size (so the peak heap is the trial's), then 3 timed steps (evaluating one sequence).
 */
function msPerStep(trial: TrialSpec, be: Backend): number {
  return withModel(trial, be, (model, task) => {
    fit(model, task, { ...fitOptions(trial), steps: 1 });
    const clock = clockFor(be),
      t0 = clock();
    fit(model, task, { ...fitOptions(trial), evalBatchSize: 1, steps: 3 });
    return (clock() - t0) / 3;
  });
}

/**
 * A clock in milliseconds for the measurements: the process's CPU time when the kernels run on this thread
 * alone — so that the machine's other load (a shared machine, a study running beside) does not inflate the
 * estimate as wall-clock time would — else wall-clock time (threads spin while they wait: their CPU time
 * is not the work).
 */
function clockFor(be: Backend): () => number {
  const p = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  const cpuUsage = p?.cpuUsage;
  if (((be as { threads?: number }).threads ?? 1) > 1 || typeof cpuUsage !== 'function') return () => performance.now();
  return () => {
    const u = cpuUsage.call(p);
    return (u.user + u.system) / 1000;
  };
}

/** "2 h 05 min", "14 min", "40 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const m = Math.round(seconds / 60);
  return m < 90 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
