/**
 * Honest trial records: failed trials are retried (attempts counted), editing a study never mixes old
 * trials into what is reported, one process per store (a live holder refuses, a dead one is taken over),
 * a graceful stop keeps what finished, and stores from before keys included the backend are adopted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseStudy } from '../../src/runner/study.js';
import { runStudy } from '../../src/runner/run.js';
import { ResultStore } from '../../src/runner/store.js';
import { StoreLockedError } from '../../src/runner/store-lock.js';
import { expandStudy, legacyKey } from '../../src/runner/grid.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-records-'));
const corpus = join(dir, 'corpus.txt');
writeFileSync(corpus, 'the quick brown fox jumps over the lazy dog. '.repeat(40));

const study = (over: Record<string, unknown> = {}) =>
  parseStudy(
    JSON.stringify({
      name: 'rec',
      seeds: [1, 2],
      training: { steps: 3, batchSize: 4, optimizer: { kind: 'adam', lr: 0.01 }, evalBatches: 1, evalBatchSize: 4 },
      tasks: { text: { kind: 'text', path: corpus, T: 5 } },
      models: { tanh: { cell: { kind: 'vanilla', hidden: 3 } } },
      ...over,
    }),
    'rec.json',
  );

describe('honest trial records', () => {
  it('a transient failure is retried on the next run and the attempts are counted; --no-retry-failed keeps it', async () => {
    const db = join(dir, 'retry.db');
    // the data file disappears after validation, while the trials run
    const first = await runStudy(study(), {
      db,
      workers: 0,
      backend: 'reference',
      onEvent: (e) => {
        if (e.type === 'start') renameSync(corpus, `${corpus}.away`);
      },
    });
    renameSync(`${corpus}.away`, corpus);
    expect(first).toMatchObject({ total: 2, ran: 2, failed: 2, done: 0 });
    const kept = await runStudy(study(), { db, workers: 0, backend: 'reference', retryFailed: false });
    expect(kept).toMatchObject({ skipped: 2, ran: 0 });
    const second = await runStudy(study(), { db, workers: 0, backend: 'reference' });
    expect(second).toMatchObject({ skipped: 0, ran: 2, done: 2, failed: 0, retried: 2 });
    const store = new ResultStore(db, { readonly: true });
    expect(store.trials('rec').map((t) => [t.status, t.attempts])).toEqual([
      ['done', 2],
      ['done', 2],
    ]);
    store.close();
  });

  it('another backend is another trial; an edited study reports only its current trials and counts the stale ones', async () => {
    const db = join(dir, 'edit.db');
    await runStudy(study(), { db, workers: 0, backend: 'reference' });
    const edited = await runStudy(
      study({
        training: { steps: 4, batchSize: 4, optimizer: { kind: 'adam', lr: 0.01 }, evalBatches: 1, evalBatchSize: 4 },
      }),
      { db, workers: 0, backend: 'reference' },
    );
    expect(edited).toMatchObject({ total: 2, skipped: 0, ran: 2, stale: 2, version: 2 });
    const store = new ResultStore(db, { readonly: true });
    expect(store.trials('rec').map((t) => t.steps)).toEqual([4, 4]);
    expect(store.trials('rec', { all: true })).toHaveLength(4);
    expect(store.staleCount('rec')).toBe(2);
    store.close();
    await expect(runStudy(study(), { db, workers: 0, backend: 'wasmm' as 'wasm' })).rejects.toThrow(
      /backend must be 'wasm' or 'reference', got 'wasmm'/,
    );
  });

  it("a second process on the same store refuses, naming the holder; a dead holder's lock is taken over", async () => {
    const db = join(dir, 'lock.db');
    const running = runStudy(study(), { db, workers: 1, backend: 'reference' });
    await new Promise((r) => setTimeout(r, 150));
    await expect(runStudy(study(), { db, workers: 0, backend: 'reference' })).rejects.toThrow(
      new RegExp(`in use by another recur study \\(pid ${process.pid}`),
    );
    await expect(runStudy(study(), { db, workers: 0, backend: 'reference' })).rejects.toBeInstanceOf(StoreLockedError);
    expect((await running).ran).toBe(2);
    // a lock left by a process that no longer exists
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const raw = new Database(db);
    raw
      .prepare(
        "INSERT INTO lock (id, pid, host, token, started, heartbeat) VALUES (1, ?, ?, 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
      )
      .run(Number(dead.stdout), (await import('node:os')).hostname());
    raw.close();
    let took: unknown = null;
    const again = await runStudy(study(), {
      db,
      workers: 0,
      backend: 'reference',
      onEvent: (e) => {
        if (e.type === 'start') took = e.tookOverFrom;
      },
    });
    expect(again).toMatchObject({ skipped: 2, ran: 0 });
    expect(took).toMatchObject({ pid: Number(dead.stdout) });
    const check = new Database(db, { readonly: true });
    expect(check.prepare('SELECT count(*) AS n FROM lock').get()).toEqual({ n: 0 }); // released at the end
    check.close();
  });

  it('a graceful stop hands out no new trials, keeps the finished ones, and the next run completes the rest', async () => {
    const db = join(dir, 'stop.db');
    const stop = new AbortController();
    const s = study({ seeds: [1, 2, 3, 4] });
    const part = await runStudy(s, {
      db,
      workers: 1,
      backend: 'reference',
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'trial') stop.abort();
      },
    });
    expect(part.stopped).toBe(true);
    expect(part.ran).toBeGreaterThanOrEqual(1);
    expect(part.ran + part.left).toBe(4);
    const rest = await runStudy(s, { db, workers: 0, backend: 'reference' });
    expect(rest).toMatchObject({ skipped: part.ran, ran: 4 - part.ran, stopped: false });
  });

  it('trials stored before keys included the backend are adopted, not run again', async () => {
    const db = join(dir, 'legacy.db');
    const s = study();
    await runStudy(s, { db, workers: 0, backend: 'reference' });
    const raw = new Database(db);
    for (const t of expandStudy(s, 'rec.json', { backend: 'reference' })) {
      raw.pragma('foreign_keys = OFF');
      raw
        .prepare("UPDATE trial SET key = ?, config = json_remove(config, '$.backend', '$.recur') WHERE key = ?")
        .run(legacyKey(t), t.key);
      raw.prepare('UPDATE metric SET trial = ? WHERE trial = ?').run(legacyKey(t), t.key);
      raw.prepare('UPDATE curve SET trial = ? WHERE trial = ?').run(legacyKey(t), t.key);
    }
    raw.prepare('DELETE FROM expansion').run();
    raw.close();
    let adopted = -1;
    const r = await runStudy(s, {
      db,
      workers: 0,
      backend: 'reference',
      onEvent: (e) => {
        if (e.type === 'start') adopted = e.adopted;
      },
    });
    expect(adopted).toBe(2);
    expect(r).toMatchObject({ skipped: 2, ran: 0, stale: 0 });
    const store = new ResultStore(db, { readonly: true });
    expect(
      store
        .trials('rec')
        .every((t) => t.config.backend === 'reference' && store.metricSeries(t.key, 'train.loss').length > 0),
    ).toBe(true);
    store.close();
  });
});

describe('store errors say what is wrong', () => {
  it('a missing folder, a file that is not a database', () => {
    expect(() => new ResultStore(join(dir, 'no', 'such', 'x.db'))).toThrow(
      /x\.db: cannot create the results database: its folder does not exist/,
    );
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'x'.repeat(4096));
    expect(() => new ResultStore(junk)).toThrow(/junk\.db: not a recur results database/);
  });
});
