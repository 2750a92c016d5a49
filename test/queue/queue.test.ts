/**
 * `recur study --queue` with `recur worker` processes against the real Redis, end to end: the stored
 * results equal a local run's (all but timing); workers SIGKILLed at random moments and a coordinator
 * SIGKILLed and restarted lose no trial and record none twice; an unreachable Redis is one clear line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/tensor/rng.js';
import { STACK_LINE, recur } from '../cli/helpers.js';
import {
  REDIS,
  countTrials,
  dropQueue,
  freePort,
  jobsOn,
  midTrial,
  start,
  startRedis,
  stopRedis,
  storedResults,
  tempDir,
  uniqueQueue,
  until,
  type Proc,
} from './helpers.js';

const dir = tempDir('queue');
const study = join(dir, 'q.yaml');
const reference = join(dir, 'local.db');
const queues: string[] = [];
/** Trials of the study: 4 of the pilot, then 8. */
const N = 12;
const running: Proc[] = [];

/** A worker process on a fresh queue name (short lock: a killed worker's trial moves on within ~1.5 s). */
function worker(queue: string, url = REDIS): Proc {
  const p = start(['worker', '--queue', url, '--queue-name', queue, '--lock', '1500']);
  running.push(p);
  return p;
}
const coordinator = (queue: string, db: string, url = REDIS): Proc =>
  start(['study', study, '--queue', url, '--queue-name', queue, '--db', db, '--no-report', '--json']);

beforeAll(() => {
  // a short learning-rate pilot (4 trials, run first: the queue follows the study's phases as a local run
  // does), then eight trials of a few hundred milliseconds each: long enough to be killed part-way
  writeFileSync(
    study,
    `name: queued
seeds: [1, 2, 3, 4]
pilot: { task: adding, lrs: [0.003, 0.01], training: { steps: 40 } }
training: { steps: 500, batchSize: 16, optimizer: { kind: adam, lr: 0.005 }, evalEvery: 250, evalBatches: 1, evalBatchSize: 16 }
instruments: { gradientThroughTime: { at: [0, 1], batchSize: 4 }, jacobian: { batchSize: 2 } }
tasks: { adding: { kind: adding, T: 24 } }
models:
  tanh: { cell: { kind: vanilla, hidden: 40 } }
  gru: { cell: { kind: gru, hidden: 24 } }
`,
  );
  const r = recur(['study', study, '--db', reference, '--no-report', '--quiet', '--workers', '2']);
  expect(r.code, r.stderr).toBe(0);
  expect(countTrials(reference)).toBe(N);
}, 300_000);

afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  for (const q of queues) await dropQueue(q);
});

const newQueue = (label: string): string => {
  const q = uniqueQueue(label);
  queues.push(q);
  return q;
};

async function stopWorkers(ws: Proc[]): Promise<void> {
  for (const w of ws) if (w.child.exitCode === null) w.child.kill('SIGTERM');
  for (const w of ws) expect(await w.exited, w.output()).toBe(0);
}

describe('recur study --queue with recur worker processes', () => {
  it('two workers give exactly the trials and results of the local run', async () => {
    const queue = newQueue('two');
    const db = join(dir, 'two.db');
    const ws = [worker(queue), worker(queue)];
    await until(() => ws.every((w) => /serving queue/.test(w.output())), 60_000, 'both workers to connect');
    const c = coordinator(queue, db);
    expect(await c.exited, c.output()).toBe(0);
    expect(JSON.parse(c.output().slice(c.output().indexOf('{')))).toMatchObject({
      total: N,
      ran: N,
      done: N,
      skipped: 0,
    });
    expect(storedResults(db)).toEqual(storedResults(reference));
    await stopWorkers(ws);
    // both workers took part
    expect(ws.filter((w) => /done {3}queued/.test(w.output())).length).toBe(2);
  }, 300_000);

  it('workers SIGKILLed at random moments: the study completes, no trial lost or recorded twice, same results', async () => {
    const queue = newQueue('kill');
    const db = join(dir, 'kill.db');
    const rng = new Rng(11);
    let ws = [worker(queue), worker(queue)];
    const c = coordinator(queue, db);
    let kills = 0;
    for (let i = 0; i < 3 && c.child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, rng.int(800)));
      // a random worker, at a random moment of one of its trials
      await until(() => ws.some(midTrial) || c.child.exitCode !== null, 60_000, 'a worker in a trial');
      const busy = ws.filter(midTrial);
      if (busy.length === 0) break;
      await new Promise((r) => setTimeout(r, rng.int(300)));
      const victim = busy[rng.int(busy.length)];
      if (victim.child.kill('SIGKILL')) kills++;
      ws = [...ws.filter((w) => w !== victim), worker(queue)];
    }
    expect(await c.exited, c.output()).toBe(0);
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(c.output().slice(c.output().indexOf('{')))).toMatchObject({
      total: N,
      ran: N,
      done: N,
      failed: 0,
    });
    expect(storedResults(db)).toEqual(storedResults(reference));
    await stopWorkers(ws);
  }, 300_000);

  it('the coordinator SIGKILLed and restarted collects what finished meanwhile and reruns nothing', async () => {
    const queue = newQueue('coord');
    const db = join(dir, 'coord.db');
    const first = coordinator(queue, db);
    await until(async () => (await jobsOn(queue)) > 0, 60_000, 'the trials to be queued');
    const ws = [worker(queue)];
    const doneLines = (): number => (ws[0].output().match(/done {3}queued/g) ?? []).length;
    await until(() => countTrials(db) >= 6, 120_000, 'six results'); // the pilot and two of the main trials
    first.child.kill('SIGKILL');
    await first.exited;
    const before = countTrials(db);
    const ranBefore = doneLines();
    await until(() => doneLines() >= Math.min(N, ranBefore + 2), 120_000, 'two more trials while no coordinator runs');
    const second = coordinator(queue, db);
    expect(await second.exited, second.output()).toBe(0);
    const summary = JSON.parse(second.output().slice(second.output().indexOf('{'))) as { skipped: number; ran: number };
    expect(summary.skipped).toBe(before);
    expect(summary.ran).toBe(N - before);
    expect(storedResults(db)).toEqual(storedResults(reference));
    await stopWorkers(ws);
    // every trial ran exactly once across both coordinators
    expect(doneLines()).toBe(N);
  }, 300_000);

  it('Redis restarted mid-study (its data gone): coordinator and workers reconnect, the study completes, same results', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    await startRedis(port, dir); // a private server: this test stops it
    try {
      const db = join(dir, 'restart.db');
      const ws = [worker('restart', url), worker('restart', url)];
      const c = coordinator('restart', db, url);
      await until(() => countTrials(db) >= 6 || c.child.exitCode !== null, 120_000, 'six results');
      expect(countTrials(db)).toBeLessThan(N); // mid-study
      stopRedis(port);
      await new Promise((r) => setTimeout(r, 1500));
      await startRedis(port, dir);
      expect(await c.exited, c.output()).toBe(0);
      expect(JSON.parse(c.output().slice(c.output().indexOf('{')))).toMatchObject({
        total: N,
        ran: N,
        done: N,
        failed: 0,
      });
      expect(storedResults(db)).toEqual(storedResults(reference));
      await stopWorkers(ws);
    } finally {
      stopRedis(port);
    }
  }, 300_000);

  it('an unreachable Redis: one clear line and exit code 2, for the coordinator and for a worker', async () => {
    const port = await freePort();
    const s = recur([
      'study',
      study,
      '--queue',
      `redis://127.0.0.1:${port}`,
      '--db',
      join(dir, 'none.db'),
      '--no-report',
    ]);
    expect(s.code).toBe(2);
    expect(s.stderr.trim()).toMatch(
      new RegExp(`^recur: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
    expect(s.stderr.trim().split('\n')).toHaveLength(1);
    const w = recur(['worker', '--queue', `redis://:secret@127.0.0.1:${port}/1`]);
    expect(w.code).toBe(2);
    expect(w.stderr.trim()).toMatch(
      new RegExp(`^recur: cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/1: `),
    );
    expect(w.stderr).not.toMatch(STACK_LINE);
    expect(w.stderr).not.toMatch(/secret/);
    const bad = recur(['worker', '--queue', 'http://x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('recur: --queue: "http://x" is not a redis:// or rediss:// URL');
  }, 120_000);
});
