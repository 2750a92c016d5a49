/**
 * Progress through the queue: workers report how far their trial has trained (about once a second), and the
 * coordinator passes it on as the same 'progress' events a local run emits, so the study's bar moves while a
 * long trial runs on another machine.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runQueuedStudy } from '../../src/runner/queue/coordinator.js';
import { startQueueWorker } from '../../src/runner/queue/worker.js';
import type { StudyEvent } from '../../src/runner/run.js';
import { parseStudy } from '../../src/runner/study.js';
import { REDIS, dropQueue, tempDir, uniqueQueue } from './helpers.js';

const queue = uniqueQueue('progress');
afterAll(() => dropQueue(queue));

describe('queue progress', () => {
  it('the coordinator emits the running trial’s step as workers report it', async () => {
    // one short trial; the worker reports every 20 ms (default: once a second) so that several reports arrive
    const study = parseStudy(
      JSON.stringify({
        name: 'queued-progress',
        seeds: [1],
        training: { steps: 600, batchSize: 8, optimizer: { kind: 'adam', lr: 0.003 }, evalEvery: 300 },
        tasks: { adding: { kind: 'adding', T: 16 } },
        models: { gru: { cell: { kind: 'gru', hidden: 16 } } },
      }),
      'progress.json',
    );
    const worker = await startQueueWorker({ url: REDIS, name: queue, progressMs: 20 });
    const events: StudyEvent[] = [];
    try {
      const summary = await runQueuedStudy(study, {
        db: join(tempDir('progress'), 'results.db'),
        url: REDIS,
        name: queue,
        pollMs: 100,
        onEvent: (e) => {
          if (e.type === 'progress' || e.type === 'trial') events.push(e);
        },
      });
      expect(summary.done).toBe(1);
    } finally {
      await worker.stop(1000);
    }
    const steps = events.flatMap((e) => (e.type === 'progress' ? [e.progress.step] : []));
    expect(steps.length).toBeGreaterThan(0);
    for (const e of events) if (e.type === 'progress') expect(e.progress.steps).toBe(600);
    // monotone, inside the budget, and all before the trial's result
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(steps.every((s) => s > 0 && s <= 600)).toBe(true);
    expect(events[events.length - 1].type).toBe('trial');
  }, 120_000);
});
