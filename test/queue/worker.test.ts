/**
 * The queue worker against the real Redis: refused jobs fail with a clear reason while the worker keeps
 * serving; enqueueing a trial twice is harmless; on stop, a running trial finishes within the grace period
 * or goes back to the queue.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Queue, type Job } from 'bullmq';
import { expandStudy } from '../../src/runner/grid.js';
import { parseStudy } from '../../src/runner/study.js';
import { RECUR_VERSION, TRIAL_JOB, studyHash, trialJob } from '../../src/runner/queue/payload.js';
import { startQueueWorker, type WorkerEvent } from '../../src/runner/queue/worker.js';
import { REDIS, dropQueue, uniqueQueue, until } from './helpers.js';

const studyOf = (steps: number) =>
  parseStudy(
    JSON.stringify({
      name: 'worker-test',
      seeds: [1, 2],
      training: { steps, batchSize: 8, optimizer: { kind: 'adam', lr: 0.01 } },
      tasks: { adding: { kind: 'adding', T: steps > 100 ? 40 : 6 } },
      models: { tanh: { cell: { kind: 'vanilla', hidden: steps > 100 ? 64 : 6 } } },
    }),
    'worker-test.json',
  );

const queues: Queue[] = [];
const queueFor = (label: string): Queue => {
  const queue = new Queue(uniqueQueue(label), {
    connection: { host: '127.0.0.1', port: Number(new URL(REDIS).port || 6379), maxRetriesPerRequest: null },
  });
  queues.push(queue);
  return queue;
};
afterAll(async () => {
  for (const q of queues) {
    await q.close();
    await dropQueue(q.name);
  }
});

describe('recur worker (in-process, real Redis)', () => {
  it('refuses a foreign version and an altered spec as failed jobs with the reason, and keeps serving; a second enqueue is a no-op', async () => {
    const study = studyOf(6);
    const [a, b] = expandStudy(study);
    const hash = studyHash(study);
    const queue = queueFor('refuse');
    const altered = JSON.parse(JSON.stringify(trialJob(b, hash))) as ReturnType<typeof trialJob>;
    altered.trial.seed = 7;
    await queue.add(TRIAL_JOB, { ...trialJob(a, hash), version: '0.0.1' }, { jobId: 'foreign' });
    await queue.add(TRIAL_JOB, altered, { jobId: b.key });
    await queue.add(TRIAL_JOB, trialJob(a, hash), { jobId: a.key });
    await queue.add(TRIAL_JOB, trialJob(a, hash), { jobId: a.key }); // the same trial again: ignored
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 3 });
    const events: WorkerEvent[] = [];
    const worker = await startQueueWorker({
      url: REDIS,
      name: queue.name,
      lockMs: 2000,
      onEvent: (e) => events.push(e),
    });
    try {
      await until(
        async () =>
          (await queue.getJobCounts('completed', 'failed')).completed === 1 &&
          (await queue.getJobCounts('failed')).failed === 2,
        30_000,
        'three jobs handled',
      );
      const failed = await queue.getJobs(['failed']);
      const reason = (id: string): string => failed.find((j: Job) => j.id === id)!.failedReason;
      expect(reason('foreign')).toMatch(
        new RegExp(
          `^refused by worker .+: job from recur 0\\.0\\.1, this worker is recur ${RECUR_VERSION.replace(/\./g, '\\.')}`,
        ),
      );
      expect(reason(b.key)).toMatch(/trial spec does not match its key .*: the job was altered$/);
      expect(failed.every((j: Job) => j.attemptsMade <= 1)).toBe(true); // never retried
      const done = (await queue.getJobs(['completed']))[0];
      expect(done.id).toBe(a.key);
      expect(done.returnvalue).toMatchObject({
        key: a.key,
        version: RECUR_VERSION,
        studyHash: hash,
        record: { status: 'done', steps: 6 },
      });
      expect(events.filter((e) => e.type === 'refused')).toHaveLength(2);
      expect(worker.finished).toBe(1);
    } finally {
      await worker.stop(0);
    }
  });

  it('stop(0) hands a running trial back to the queue at once; stop(grace) lets it finish', async () => {
    const study = studyOf(4000);
    const [a] = expandStudy(study);
    const queue = queueFor('stop');
    await queue.add(TRIAL_JOB, trialJob(a, studyHash(study)), { jobId: a.key });
    let started = 0;
    const w1 = await startQueueWorker({
      url: REDIS,
      name: queue.name,
      lockMs: 2000,
      onEvent: (e) => {
        if (e.type === 'start') started++;
      },
    });
    await until(() => started === 1, 30_000, 'the trial to start');
    const t0 = Date.now();
    await w1.stop(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await queue.getJobState(a.key)).toBe('waiting'); // handed back, not failed, not stalled
    expect(w1.finished).toBe(0);
    const short = studyOf(6);
    const [s] = expandStudy(short);
    await queue.obliterate({ force: true });
    await queue.add(TRIAL_JOB, trialJob(s, studyHash(short)), { jobId: s.key });
    started = 0;
    const w2 = await startQueueWorker({
      url: REDIS,
      name: queue.name,
      lockMs: 2000,
      onEvent: (e) => {
        if (e.type === 'start') started++;
      },
    });
    await until(() => started === 1, 30_000, 'the short trial to start');
    await w2.stop(60_000);
    expect(w2.finished).toBe(1);
    expect(await queue.getJobState(s.key)).toBe('completed');
  });
});
