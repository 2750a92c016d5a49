/**
 * Trials run on worker threads (the same entry as the local pool, runner/worker.js), never on the queue
 * worker's own thread: a trial computes for minutes without yielding, and the main thread must stay free to
 * renew BullMQ's job locks, answer Redis and handle SIGTERM.
 */
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../../kernels/index.js';
import { compiledSibling } from '../../util/compiled.js';
import type { TrialSpec } from '../grid.js';
import type { TrialRecord } from '../store.js';
import type { TrialProgress } from '../trial.js';

/** A thread that runs a trial (the queue worker starts one per trial). */
export class TrialThread {
  private readonly worker: Worker;
  private current: {
    key: string;
    resolve: (r: TrialRecord) => void;
    reject: (e: Error) => void;
    onProgress: (p: TrialProgress) => void;
  } | null = null;
  /** False once the thread has exited (it is then discarded). */
  alive = true;

  constructor(options: { backend?: BackendName; threads?: number }) {
    const env = {
      ...process.env,
      ...(options.threads !== undefined ? { RECUR_THREADS: String(options.threads) } : {}),
    };
    this.worker = new Worker(compiledSibling(import.meta.url, 'runner/queue', '../worker.js'), {
      workerData: { backend: options.backend },
      env,
    });
    this.worker.on('message', (msg: { type: string; key: string; record?: TrialRecord; progress?: TrialProgress }) => {
      const c = this.current;
      if (!c || msg.key !== c.key) return;
      if (msg.type === 'progress' && msg.progress) c.onProgress(msg.progress);
      if (msg.type === 'result' && msg.record) {
        this.current = null;
        c.resolve(msg.record);
      }
    });
    const died = (why: string): void => {
      this.alive = false;
      const c = this.current;
      this.current = null;
      c?.reject(new Error(`the trial's thread died: ${why}`));
    };
    this.worker.on('error', (e) => died(e.message));
    this.worker.on('exit', (code) => died(`exit code ${code}`));
  }

  get busy(): boolean {
    return this.current !== null;
  }

  /** Run a trial; resolves with its record, rejects if the thread dies. */
  run(trial: TrialSpec, onProgress: (p: TrialProgress) => void): Promise<TrialRecord> {
    if (this.current) throw new Error('TrialThread.run: the thread is busy');
    return new Promise((resolve, reject) => {
      this.current = { key: trial.key, resolve, reject, onProgress };
      this.worker.postMessage({ type: 'run', trial });
    });
  }

  /** Stop the thread (a trial in progress is abandoned). */
  async terminate(): Promise<void> {
    this.current = null;
    this.alive = false;
    await this.worker.terminate();
  }
}
