/**
 * Where a study's trials run: in this thread (workers = 0, for debugging), on a caller's executor (e.g. queue
 * workers), or on a pool of worker threads, a fresh thread per trial; a worker that dies fails its trial.
 * A graceful stop (the options' signal) hands out no new trials and lets those in flight finish.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledSibling } from '../util/compiled.js';
import type { TrialSpec } from './grid.js';
import type { RunStudyOptions } from './run.js';
import type { TrialRecord } from './store.js';
import { failedRecord, runTrial, type TrialProgress } from './trial.js';

/** The compiled worker script (also when running from TypeScript sources, e.g. under vitest). */
const workerUrl = (): URL => compiledSibling(import.meta.url, 'runner', 'worker.js');

/** Run trials in this thread (workers = 0) or on the pool. */
export async function runTrials(
  trials: TrialSpec[],
  options: RunStudyOptions,
  finish: (t: TrialSpec, r: TrialRecord) => void,
): Promise<void> {
  if (trials.length === 0) return;
  if (options.execute) return options.execute(trials, finish);
  const workers = options.workers ?? availableParallelism();
  if (workers === 0) {
    for (const trial of trials) {
      if (options.signal?.aborted) break;
      finish(
        trial,
        runTrial(trial, {
          backend: options.backend,
          detectAnomaly: options.detectAnomaly,
          onProgress: (progress) => options.onEvent?.({ type: 'progress', trial, progress }),
        }),
      );
    }
    return;
  }
  await runOnPool(trials, Math.min(workers, trials.length), options, finish);
}

/** Dispatch trials to `n` workers, a fresh worker thread per trial; a worker that dies fails its trial. */
function runOnPool(
  trials: TrialSpec[],
  n: number,
  options: RunStudyOptions,
  finish: (t: TrialSpec, r: TrialRecord) => void,
): Promise<void> {
  const queue = [...trials];
  let active = 0;
  // A graceful stop empties the queue: workers finish the trial in hand, then exit.
  const stop = (): void => {
    queue.length = 0;
    options.onEvent?.({ type: 'stopping', inFlight: active });
  };
  if (options.signal?.aborted) queue.length = 0;
  else options.signal?.addEventListener('abort', stop, { once: true });
  return new Promise<void>((resolve, reject) => {
    let failedHard: Error | null = null;
    const spawn = (): void => {
      const trial = queue.shift();
      if (!trial) {
        if (active === 0) failedHard ? reject(failedHard) : resolve();
        return;
      }
      active++;
      const worker = new Worker(workerUrl(), {
        workerData: { backend: options.backend, detectAnomaly: options.detectAnomaly },
      });
      let current: TrialSpec | null = trial;
      // One worker per trial: ending the thread returns all of its memory (wasm heap, tapes, optimizer
      // state) whatever the trial left behind; the exit handler starts the next one.
      const retire = (): void => {
        current = null;
        void worker.terminate();
      };
      worker.on('message', (msg: { type: string; key: string; record?: TrialRecord; progress?: TrialProgress }) => {
        if (!current || msg.key !== current.key) return;
        if (msg.type === 'progress' && msg.progress)
          options.onEvent?.({ type: 'progress', trial: current, progress: msg.progress });
        if (msg.type === 'result' && msg.record) {
          try {
            finish(current, msg.record);
          } catch (e) {
            failedHard = e as Error;
            queue.length = 0;
          }
          retire();
        }
      });
      const died = (why: string): void => {
        if (current) {
          const t = current;
          current = null;
          try {
            finish(t, failedRecord(`worker died: ${why}`));
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
        else if (active === 0) failedHard ? reject(failedHard) : resolve();
      });
      worker.postMessage({ type: 'run', trial });
    };
    for (let i = 0; i < n; i++) spawn();
  }).finally(() => options.signal?.removeEventListener('abort', stop));
}
