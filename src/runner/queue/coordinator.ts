/**
 * The coordinator: runs a study as runStudy does (same phases, same store), but puts every trial that is
 * not yet in the study's SQLite file on a BullMQ queue (job id = trial key, so enqueueing twice is harmless), and writes each result into SQLite as it
 * arrives — it is the only writer. Results wait in Redis (the job's return value) until written, then the
 * job is removed: a coordinator killed and restarted collects what finished while it was away and re-runs
 * nothing that is done. Every `resyncMs` it checks that each pending trial still has a job and re-adds the
 * missing ones (e.g. after Redis restarted without persistence), so no trial is ever lost.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BackendName } from '../../kernels/index.js';
import type { TrialSpec } from '../grid.js';
import { runStudy, type StudyEvent, type StudySummary } from '../run.js';
import type { TrialRecord } from '../store.js';
import type { StudyBody } from '../study.js';
import { checkRedis, parseQueueUrl, redisClient } from './connection.js';
import { TRIAL_JOB, acceptResult, studyHash, trialJob } from './payload.js';
import { failedRecord } from '../trial.js';
import { optionalImport } from '../../util/optional.js';

const bullmq = await optionalImport<typeof import('bullmq')>('bullmq');

export interface QueueStudyOptions {
  db: string;
  /** redis://host:port[/db] or rediss://… */
  url: string;
  /** Queue name (default 'recur'). */
  name?: string;
  source?: string;
  /** The trials' backend (part of their identity; workers run each trial on its backend). */
  backend?: BackendName;
  /** Run trials whose last attempt failed again (default true), as runStudy. */
  retryFailed?: boolean;
  /** Abort to stop collecting: the study stops like a local one; queued trials stay queued for a rerun. */
  signal?: AbortSignal;
  /** Keep only some of the trials (e.g. a shard), as runStudy's `select`. */
  select?: (trials: TrialSpec[]) => TrialSpec[];
  /** How often to look for finished jobs (default 250 ms). */
  pollMs?: number;
  /** How often to check that every pending trial is still queued (default 5 s). */
  resyncMs?: number;
  onEvent?: (event: StudyEvent | CoordinatorEvent) => void;
}

export type CoordinatorEvent =
  | { type: 'queued'; added: number; queue: string }
  | { type: 'requeued'; count: number }
  | { type: 'connection'; ok: boolean; message: string };

type Finish = (t: TrialSpec, r: TrialRecord) => void;

/**
 * Run (or resume) a study through the queue; resolves when every trial is in SQLite. The study's phases
 * (probe-only trials, the learning-rate pilot, staircase stages) run as in a local run — runStudy decides
 * what runs when and stores the results; here each batch goes to the queue instead of the thread pool.
 */
export async function runQueuedStudy(study: StudyBody, options: QueueStudyOptions): Promise<StudySummary> {
  const location = parseQueueUrl(options.url);
  await checkRedis(location);
  const emit = options.onEvent ?? (() => undefined);
  const hash = studyHash(study);
  const name = options.name ?? 'recur';
  const queue = new (bullmq().Queue)(name, { connection: location.connection });
  const redis = redisClient(location);
  let connected = true;
  const lost = (message: string): void => {
    if (connected) emit({ type: 'connection', ok: false, message });
    connected = false;
  };
  queue.on('error', (e: Error) => lost(`Redis connection lost (${e.message}); reconnecting…`));
  /** Keys of this study's trials handed to the queue so far (their leftover jobs are ours to clean up). */
  const mine = new Set<string>();

  const execute = async (batch: TrialSpec[], finish: Finish): Promise<void> => {
    const pending = new Map(batch.map((t) => [t.key, t]));
    for (const t of batch) mine.add(t.key);
    const write: Finish = (trial, record) => {
      pending.delete(trial.key);
      finish(trial, record);
    };
    const enqueue = async (list: TrialSpec[]): Promise<number> => {
      let added = 0;
      for (let i = 0; i < list.length; i += 500) {
        const jobs = await queue.addBulk(
          list
            .slice(i, i + 500)
            .map((t) => ({ name: TRIAL_JOB, data: trialJob(t, hash), opts: { jobId: t.key, attempts: 1 } })),
        );
        added += jobs.length;
      }
      return added;
    };
    /** The last progress reported per running trial (workers update it about once a second). */
    const reported = new Map<string, string>();
    // Results that finished while no coordinator was running are collected first.
    await collect(queue, mine, pending, hash, write);
    emit({ type: 'queued', added: await enqueue([...pending.values()]), queue: name });
    let lastSync = Date.now();
    while (pending.size > 0 && !options.signal?.aborted) {
      await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
      try {
        await collect(queue, mine, pending, hash, write);
        await reportProgress(queue, pending, reported, emit);
        if (pending.size > 0 && Date.now() - lastSync > (options.resyncMs ?? 5000)) {
          lastSync = Date.now();
          const missing = await missingJobs(queue, redis, [...pending.keys()]);
          if (missing.length) {
            await enqueue(missing.map((k) => pending.get(k)!));
            emit({ type: 'requeued', count: missing.length });
          }
        }
        if (!connected) emit({ type: 'connection', ok: true, message: `reconnected to ${location.display}` });
        connected = true;
      } catch (e) {
        lost(`Redis: ${(e as Error).message}; retrying…`);
      }
    }
  };

  try {
    return await runStudy(study, {
      db: options.db,
      source: options.source,
      backend: options.backend,
      retryFailed: options.retryFailed,
      select: options.select,
      signal: options.signal,
      onEvent: emit,
      execute,
    });
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}

/** Write every finished job of this study (completed: its record; failed: a failed record with the reason), then remove it. */
async function collect(
  queue: Queue,
  mine: ReadonlySet<string>,
  pending: Map<string, TrialSpec>,
  hash: string,
  write: Finish,
): Promise<void> {
  for (const state of ['completed', 'failed'] as const) {
    for (let start = 0; ; start += 200) {
      const jobs = (await queue.getJobs([state], start, start + 199, true)).filter(Boolean);
      if (jobs.length === 0) break;
      let removed = 0;
      for (const job of jobs) {
        const id = job.id ?? '';
        if (!mine.has(id)) continue; // another study's job on the same queue
        const trial = pending.get(id);
        if (trial) {
          if (state === 'completed') {
            const r = acceptResult(job.returnvalue, trial, hash);
            write(trial, 'result' in r ? r.result.record : failedRecord(`queue: ${r.error}`));
          } else {
            write(trial, failedRecord(job.failedReason || 'failed in the queue'));
          }
        }
        await job.remove().catch(() => undefined); // already recorded: never write it twice
        removed++;
      }
      if (jobs.length < 200) break;
      start -= removed;
    }
  }
}

/** Emit a 'progress' event for each running trial of ours whose workers reported a new step. */
async function reportProgress(
  queue: Queue,
  pending: ReadonlyMap<string, TrialSpec>,
  reported: Map<string, string>,
  emit: (e: StudyEvent) => void,
): Promise<void> {
  for (const job of await queue.getJobs(['active'], 0, 199)) {
    const trial = job ? pending.get(job.id ?? '') : undefined;
    const p = job?.progress as { step?: unknown; steps?: unknown } | undefined;
    if (!trial || typeof p?.step !== 'number' || typeof p.steps !== 'number') continue;
    const text = `${p.step}/${p.steps}`;
    if (reported.get(trial.key) === text) continue;
    reported.set(trial.key, text);
    emit({ type: 'progress', trial, progress: { step: p.step, steps: p.steps } });
  }
}

/** Keys of `keys` that have no job in the queue (in any state). */
async function missingJobs(queue: Queue, client: Redis, keys: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (let i = 0; i < keys.length; i += 1000) {
    const chunk = keys.slice(i, i + 1000);
    const pipe = client.pipeline();
    for (const k of chunk) pipe.exists(queue.toKey(k));
    const res = (await pipe.exec()) ?? [];
    res.forEach(([err, n], j) => {
      if (!err && n === 0) missing.push(chunk[j]);
    });
  }
  return missing;
}
