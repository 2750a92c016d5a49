/**
 * One trial: build the task and the model from the trial's resolved config, measure the instruments at
 * initialisation, train with `fit`, measure again at the chosen points and at the end, and return the
 * record the store writes in one transaction. Deterministic given the trial (seed → initialisation, data).
 */
import type { Backend } from '../kernels/backend.js';
import { getBackend, type BackendName } from '../kernels/index.js';
import type { Model } from '../models/model.js';
import { modelForTask } from '../models/for-task.js';
import { createTask } from '../tasks/registry.js';
import type { Task } from '../tasks/task.js';
import { fit, type TrainEvent } from '../train/fit.js';
import type { TrialSpec } from './grid.js';
import type { TrialRecord } from './store.js';
import { measureInstruments } from './instruments.js';
import { createTrainingRecorder } from '../diagnostics/training.js';

/** At most this many points of each per-step training series are stored. */
const MAX_SERIES_POINTS = 200;

export interface TrialProgress {
  step: number;
  steps: number;
  metric?: number;
}

/** A record with nothing in it yet: status 'done', no steps, no results. */
export function emptyRecord(): TrialRecord {
  return {
    status: 'done',
    steps: 0,
    divergedAt: null,
    error: null,
    solvedAt: null,
    final: null,
    seconds: 0,
    metrics: [],
    curves: [],
    summary: {},
  };
}

/** The record of a trial that did not run to a result (its worker died, the queue refused it, …). */
export function failedRecord(error: string): TrialRecord {
  return { ...emptyRecord(), status: 'failed', error };
}

/** Run a trial to completion. Exceptions become a 'failed' record naming the error. */
export function runTrial(
  trial: TrialSpec,
  options: {
    backend?: BackendName | Backend;
    detectAnomaly?: boolean;
    onProgress?: (p: TrialProgress) => void;
  } = {},
): TrialRecord {
  const t0 = performance.now();
  const record = emptyRecord();
  let owned: Model | undefined;
  try {
    const task: Task = createTask(trial.task);
    const be = typeof options.backend === 'object' ? options.backend : getBackend(options.backend);
    const model = (owned = modelForTask(trial.model, task, be, trial.seed));
    const budget = trial.training.steps;
    const every = Math.max(1, Math.ceil(budget / MAX_SERIES_POINTS));
    const measureAt = new Set((trial.instruments.gradientThroughTime?.at ?? []).map((f) => Math.round(f * budget)));
    const measure = (step: number, when: 'init' | 'end' | 'mid'): void => {
      const m = measureInstruments(model, task, trial, step, when);
      record.curves.push(...m.curves);
      Object.assign(record.summary, m.summary);
    };
    measure(0, 'init');
    if (budget === 0) {
      // a probe-only trial: the instruments at initialisation are the whole result
      record.seconds = (performance.now() - t0) / 1000;
      return record;
    }
    const onEvent = (e: TrainEvent): void => {
      if (e.type === 'step') {
        if (e.step % every === 0 || e.step + 1 === budget) {
          record.metrics.push(
            { step: e.step + 1, name: 'train.loss', value: e.loss },
            { step: e.step + 1, name: 'train.gradNorm', value: e.gradNorm },
          );
        }
        const done = e.step + 1;
        if (done < budget && measureAt.has(done)) measure(done, 'mid');
        if (done % Math.max(1, Math.floor(budget / 50)) === 0) options.onProgress?.({ step: done, steps: budget });
      } else if (e.type === 'eval') {
        record.metrics.push(
          { step: e.step, name: 'eval.metric', value: e.metrics.metric },
          { step: e.step, name: 'eval.loss', value: e.metrics.loss },
        );
        if (e.metrics.accuracy !== undefined)
          record.metrics.push({ step: e.step, name: 'eval.accuracy', value: e.metrics.accuracy });
        options.onProgress?.({ step: e.step, steps: budget, metric: e.metrics.metric });
      }
    };
    // Gradient norm per parameter group (each layer/direction, the readout) at the stored steps.
    const recorder = createTrainingRecorder(model, task, { every, clipValue: trial.training.clipValue });
    const r = fit(model, task, {
      ...trial.training,
      seed: trial.seed,
      ...(options.detectAnomaly ? { detectAnomaly: true } : {}),
      onEvent: recorder.wrap(onEvent),
    });
    recorder.history.steps.forEach((s, i) => {
      for (const [group, norms] of recorder.history.groups)
        record.metrics.push({ step: s + 1, name: `grad.${group}`, value: norms[i] });
    });
    recorder.dispose();
    record.steps = r.steps;
    record.solvedAt = r.solvedAt;
    record.final = r.final ? { ...r.final } : null;
    if (r.status === 'diverged') {
      record.status = 'diverged';
      record.divergedAt = r.divergedAt ?? null;
      record.error = r.divergedReason ?? null;
    } else {
      measure(r.steps, 'end');
    }
  } catch (e) {
    record.status = 'failed';
    record.error = e instanceof Error ? e.message : String(e);
  } finally {
    owned?.dispose(); // the worker runs trial after trial on one backend: give the parameters back
  }
  record.seconds = (performance.now() - t0) / 1000;
  return record;
}
