/**
 * The queue worker: takes trial jobs from a BullMQ queue, checks each (acceptJob), runs it on a thread and
 * returns the record as the job's result. It never writes SQLite; the coordinator does.
 *
 * Faults: a worker killed mid-trial stops renewing its job's lock, and BullMQ's stalled-job check (run by
 * every worker) hands the job to another worker after `lockMs`. A refused job (foreign version, invalid or
 * altered spec) fails at once with the reason and is never retried; the worker goes on serving. A dropped
 * Redis connection is retried forever. `stop(graceMs)` takes no new job, lets running trials finish for
 * up to `graceMs`, then hands the unfinished ones back to the queue (another worker reruns them).
 */
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import type { BackendName } from '../../kernels/index.js';
import type { TrialSpec } from '../grid.js';
import type { TrialRecord } from '../store.js';
import { checkRedis, parseQueueUrl } from './connection.js';
import { RECUR_VERSION, RefusedJob, acceptJob, type TrialResult } from './payload.js';
import { TrialThread } from './threads.js';
import { optionalImport } from '../../util/optional.js';

const bullmq = await optionalImport<typeof import('bullmq')>('bullmq');

export interface QueueWorkerOptions {
  /** redis://host:port[/db] or rediss://… */
  url: string;
  /** Queue name (default 'recur'); coordinator and workers must agree. */
  name?: string;
  /** Trials run at once, each on its own thread (default 1). */
  concurrency?: number;
  /** Kernel threads per trial (default: RECUR_THREADS, else 1). */
  threads?: number;
  /** Backend for trials that do not name one (a trial's own backend is part of its identity and wins). */
  backend?: BackendName;
  /** A job whose worker stops renewing its lock is handed to another worker after this long (default 30 s). */
  lockMs?: number;
  /** How often a running trial's step is reported to the coordinator, at most (default 1 s). */
  progressMs?: number;
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: 'ready'; name: string; id: string }
  | { type: 'start'; trial: TrialSpec }
  | { type: 'finish'; trial: TrialSpec; record: TrialRecord }
  | { type: 'refused'; jobId: string; reason: string }
  | { type: 'handback'; trial: TrialSpec }
  | { type: 'connection'; ok: boolean; message: string };

export interface QueueWorker {
  /** Stop taking jobs; let running trials finish within `graceMs`, hand back the rest; then close. */
  stop(graceMs: number): Promise<void>;
  /** Trials finished so far. */
  readonly finished: number;
}

/** Connect to the queue and serve trial jobs until stopped. Throws QueueError if Redis cannot be reached. */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { UnrecoverableError, WaitingError, Worker } = bullmq();
  const location = parseQueueUrl(options.url);
  await checkRedis(location);
  const emit = (e: WorkerEvent): void => options.onEvent?.(e);
  const name = options.name ?? 'recur';
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const lockMs = options.lockMs ?? 30_000;
  const threads = new Set<TrialThread>();
  let handBack: () => void = () => undefined;
  const handingBack = new Promise<'handback'>((resolve) => {
    handBack = () => resolve('handback');
  });
  let finished = 0;
  const id = `${hostname()}:${process.pid}`;

  const processor = async (job: Job, token?: string): Promise<TrialResult> => {
    let trial: TrialSpec, hash: string;
    try {
      ({ trial, studyHash: hash } = acceptJob(job.data, job.id));
    } catch (e) {
      if (!(e instanceof RefusedJob)) throw e;
      emit({ type: 'refused', jobId: job.id ?? '?', reason: e.message });
      throw new UnrecoverableError(`refused by worker ${id}: ${e.message}`);
    }
    emit({ type: 'start', trial });
    // A fresh thread per trial, as in the local pool: ending it returns all the memory the trial used.
    const thread = new TrialThread({
      backend: (trial.backend as BackendName | undefined) ?? options.backend,
      threads: options.threads,
    });
    threads.add(thread);
    let lastProgress = 0;
    const running = thread.run(trial, (p) => {
      const now = Date.now();
      if (now - lastProgress < (options.progressMs ?? 1000)) return;
      lastProgress = now;
      job.updateProgress({ step: p.step, steps: p.steps }).catch(() => undefined);
    });
    let outcome: TrialRecord | 'handback';
    try {
      outcome = await Promise.race([running, handingBack]);
    } catch (e) {
      throw new UnrecoverableError((e as Error).message); // the thread died running this trial: rerunning it would too
    } finally {
      threads.delete(thread);
      await thread.terminate();
    }
    if (outcome === 'handback') {
      await job.moveToWait(token);
      emit({ type: 'handback', trial });
      throw new WaitingError();
    }
    finished++;
    emit({ type: 'finish', trial, record: outcome });
    return { key: trial.key, version: RECUR_VERSION, studyHash: hash, record: outcome };
  };

  const worker = new Worker(name, processor, {
    connection: location.connection,
    concurrency,
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.round(lockMs / 2)),
    // a trial whose worker died this many times is failed (a trial that kills its process every time)
    maxStalledCount: 5,
    name: `recur-worker ${id}`,
  });
  let connected = true;
  worker.on('error', (e: Error) => {
    if (connected)
      emit({ type: 'connection', ok: false, message: `Redis connection lost (${e.message}); reconnecting…` });
    connected = false;
  });
  const back = (): void => {
    if (!connected) emit({ type: 'connection', ok: true, message: `reconnected to ${location.display}` });
    connected = true;
  };
  worker.on('active', back);
  worker.on('completed', back);
  await worker.waitUntilReady();
  emit({ type: 'ready', name, id });

  return {
    get finished() {
      return finished;
    },
    async stop(graceMs: number): Promise<void> {
      const timer = setTimeout(handBack, Math.max(0, graceMs));
      try {
        await worker.close();
      } finally {
        clearTimeout(timer);
        await Promise.all([...threads].map((t) => t.terminate()));
      }
    },
  };
}
