/**
 * Running a study: expand it into trials, skip those the store already has (resume), run the rest on a
 * pool of worker threads (default one per core), and write each trial when it ends. Killing the process at
 * any moment loses at most the trials in flight; running the same command again continues.
 */
import { availableParallelism } from 'node:os';
import { compiledSibling } from '../util/compiled.js';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../kernels/index.js';
import { checkTrials, expandStudy, type TrialSpec } from './grid.js';
import { ResultStore, type TrialRecord } from './store.js';
import type { StudyBody } from './study.js';
import { runTrial, type TrialProgress } from './trial.js';

export interface RunStudyOptions {
  /** Path of the SQLite results database. */
  db: string;
  /** Worker threads (default: one per core); 0 runs trials in this thread (debugging). */
  workers?: number;
  backend?: BackendName;
  /** Where the study came from (recorded with it). */
  source?: string;
  /** Stop after this many trials (for smoke runs); the rest stay pending. */
  limit?: number;
  onEvent?: (event: StudyEvent) => void;
}

export type StudyEvent =
  | { type: 'start'; total: number; pending: number; skipped: number }
  | { type: 'progress'; trial: TrialSpec; progress: TrialProgress }
  | { type: 'trial'; trial: TrialSpec; record: TrialRecord; done: number; total: number };

export interface StudySummary {
  total: number;
  /** Trials already in the store (finished by an earlier run). */
  skipped: number;
  /** Trials left for a later run (because of `limit`). */
  left: number;
  ran: number;
  done: number;
  diverged: number;
  failed: number;
}

/** The compiled worker script (also when running from TypeScript sources, e.g. under vitest). */
const workerUrl = (): URL => compiledSibling(import.meta.url, 'runner', 'worker.js');

/** Run (or resume) a validated study. */
export async function runStudy(study: StudyBody, options: RunStudyOptions): Promise<StudySummary> {
  const trials = expandStudy(study, options.source ?? study.name);
  checkTrials(trials, options.source ?? study.name);
  const store = new ResultStore(options.db);
  try {
    store.saveStudy(study.name, options.source ?? study.name, study);
    const finished = store.finishedKeys(study.name);
    const unfinished = trials.filter((t) => !finished.has(t.key));
    const pending = options.limit !== undefined ? unfinished.slice(0, Math.max(0, options.limit)) : unfinished;
    const summary: StudySummary = { total: trials.length, skipped: trials.length - unfinished.length, left: unfinished.length - pending.length, ran: 0, done: 0, diverged: 0, failed: 0 };
    options.onEvent?.({ type: 'start', total: trials.length, pending: pending.length, skipped: summary.skipped });
    const finish = (trial: TrialSpec, record: TrialRecord): void => {
      store.writeTrial(trial, record);
      summary.ran++;
      summary[record.status]++;
      options.onEvent?.({ type: 'trial', trial, record, done: summary.skipped + summary.ran, total: trials.length });
    };
    const workers = options.workers ?? availableParallelism();
    if (workers === 0) {
      for (const trial of pending) {
        finish(trial, runTrial(trial, { backend: options.backend, onProgress: (progress) => options.onEvent?.({ type: 'progress', trial, progress }) }));
      }
    } else {
      await runOnPool(pending, Math.min(workers, Math.max(1, pending.length)), options, finish);
    }
    return summary;
  } finally {
    store.close();
  }
}

/** Dispatch trials to `n` workers; a worker that dies fails its trial and is replaced. */
function runOnPool(trials: TrialSpec[], n: number, options: RunStudyOptions, finish: (t: TrialSpec, r: TrialRecord) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const queue = [...trials];
    let active = 0;
    let failedHard: Error | null = null;
    const spawn = (): void => {
      const trial = queue.shift();
      if (!trial) {
        if (active === 0) (failedHard ? reject(failedHard) : resolve());
        return;
      }
      active++;
      const worker = new Worker(workerUrl(), { workerData: { backend: options.backend } });
      let current: TrialSpec | null = trial;
      const next = (): void => {
        current = queue.shift() ?? null;
        if (current) worker.postMessage({ type: 'run', trial: current });
        else void worker.terminate();
      };
      worker.on('message', (msg: { type: string; key: string; record?: TrialRecord; progress?: TrialProgress }) => {
        if (!current || msg.key !== current.key) return;
        if (msg.type === 'progress' && msg.progress) options.onEvent?.({ type: 'progress', trial: current, progress: msg.progress });
        if (msg.type === 'result' && msg.record) {
          try {
            finish(current, msg.record);
          } catch (e) {
            failedHard = e as Error;
            queue.length = 0;
          }
          next();
        }
      });
      const died = (why: string): void => {
        if (current) {
          const t = current;
          current = null;
          try {
            finish(t, { status: 'failed', steps: 0, divergedAt: null, error: `worker died: ${why}`, solvedAt: null, final: null, seconds: 0, metrics: [], curves: [], summary: {} });
          } catch (e) {
            failedHard = e as Error;
            queue.length = 0;
          }
        }
      };
      worker.on('error', (e) => died(e.message));
      worker.on('exit', (code) => {
        if (current) died(`exit code ${code}`);
        active--;
        if (queue.length > 0) spawn();
        else if (active === 0) (failedHard ? reject(failedHard) : resolve());
      });
      worker.postMessage({ type: 'run', trial });
    };
    for (let i = 0; i < n; i++) spawn();
  });
}
