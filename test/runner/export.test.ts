/** The compact export: what it keeps, what it rounds, and that a report reads it like the database. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStudy } from '../../src/runner/study.js';
import { runStudy } from '../../src/runner/run.js';
import { ResultStore } from '../../src/runner/store.js';
import { exportStudy, importExport, openResults, roundDeep } from '../../src/runner/export.js';
import { buildReport } from '../../src/report/index.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-export-'));

describe('results export', () => {
  it('rounds numbers to 5 significant digits, non-finite to null', () => {
    expect(roundDeep({ a: [1.234567, -0.000123456789, Infinity], b: 'x', c: { d: 98765.4321 } })).toEqual({
      a: [1.2346, -0.00012346, null],
      b: 'x',
      c: { d: 98765 },
    });
  });

  it('round-trips a study: trials, summaries and statuses exact; curves and metrics to 5 digits; the report reads it', async () => {
    const db = join(dir, 'r.db');
    const study = parseStudy(
      JSON.stringify({
        name: 'ex',
        seeds: [1, 2],
        training: {
          steps: 10,
          batchSize: 8,
          optimizer: { kind: 'adam', lr: 0.01 },
          evalEvery: 5,
          evalBatches: 1,
          evalBatchSize: 8,
        },
        instruments: { gradientThroughTime: { at: [0, 1], batchSize: 4 }, gradientDecay: { batchSize: 4 } },
        tasks: { adding: { kind: 'adding', T: 6 } },
        models: { tanh: { cell: { kind: 'vanilla', hidden: 5 } } },
      }),
      'ex.json',
    );
    await runStudy(study, { db, workers: 0 });
    const store = new ResultStore(db, { readonly: true });
    const bytes = exportStudy(store, 'ex');
    const back = importExport(bytes, 'ex.jsonl.gz');
    const [a, b] = [store.trials('ex'), back.trials('ex')];
    expect(b.map(({ finishedAt: _f, ...t }) => t)).toEqual(a.map(({ finishedAt: _f, ...t }) => t));
    const ca = store.contents(a[0].key),
      cb = back.contents(a[0].key);
    expect(cb.metrics.length).toBe(ca.metrics.length);
    cb.metrics.forEach((m, i) =>
      expect(Math.abs(m.value - ca.metrics[i].value)).toBeLessThanOrEqual(5e-5 * Math.abs(ca.metrics[i].value)),
    );
    expect(cb.curves.map((c) => c.kind)).toEqual(ca.curves.map((c) => c.kind));
    const path = join(dir, 'ex.jsonl.gz');
    writeFileSync(path, bytes);
    const opened = openResults(path);
    expect(buildReport(opened, 'ex').markdown).toContain('ex');
    opened.close();
    store.close();
    back.close();
    expect(() => importExport(new Uint8Array([1, 2, 3]), 'bad.jsonl.gz')).toThrow(
      /bad\.jsonl\.gz: not a gzip-compressed recur export/,
    );
  });
});
