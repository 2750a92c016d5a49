/** CLI: bounded inputs and the store lock, as a user meets them — one line, the right exit code, no trace. */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { recur, STACK_LINE } from './helpers.js';
import { ResultStore } from '../../src/runner/store.js';
import { saveModel } from '../../src/io/model-file.js';
import { Model } from '../../src/models/model.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-cli-bounds-'));
const base = {
  name: 's',
  seeds: [1],
  training: { steps: 2, batchSize: 2, optimizer: { kind: 'adam', lr: 0.01 } },
  tasks: { a: { kind: 'adding', T: 4 } },
  models: { m: { cell: { kind: 'vanilla', hidden: 2 } } },
};
const ten = (f: (i: number) => unknown) => Array.from({ length: 10 }, (_, i) => f(i));
const study = join(dir, 's.json');
writeFileSync(
  study,
  JSON.stringify({
    ...base,
    tasks: { a: { kind: 'adding', grid: { T: [...ten((i) => i + 4), 14] } } },
    models: {
      m: {
        cell: { kind: 'vanilla', hidden: 2 },
        grid: {
          'cell.hidden': ten((i) => i + 1),
          layers: ten((i) => i + 1),
          dropout: ten((i) => i / 10),
          bidirectional: ten((i) => i % 2 === 0),
        },
      },
    },
  }),
);
const small = join(dir, 'small.json');
writeFileSync(small, JSON.stringify(base));

describe('recur study / inspect: bounds and locks', () => {
  it('a grid bomb, negative --workers and --limit: exit 2, one line', () => {
    for (const args of [
      [study, '--limit', '0'],
      [study, '--workers', '-1'],
      [study, '--limit', '-5'],
    ]) {
      const r = recur(['study', ...args, '--out', join(dir, 'o')]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(STACK_LINE);
    }
    expect(recur(['study', study, '--out', join(dir, 'o')]).stderr).toMatch(
      /^recur: .*s\.json: the grids and seeds define 110,000 trials, more than the limit of 100,000 \(raise it deliberately with `limits: \{ trials: N \}` in the study file\)\n$/,
    );
  }, 240_000);

  it('a store held by a live process: the second study refuses, naming the pid; --db with --no-report creates no folder', () => {
    const db = join(dir, 'held.db');
    new ResultStore(db).close();
    const raw = new Database(db);
    raw
      .prepare(
        "INSERT INTO lock (id, pid, host, token, started, heartbeat) VALUES (1, ?, ?, 't', '2026-12-02T00:00:00Z', '2026-12-02T00:00:00Z')",
      )
      .run(process.pid, hostname());
    raw.close();
    const out = join(dir, 'never');
    const r = recur(['study', small, '--db', db, '--no-report', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `held\\.db is in use by another recur study \\(pid ${process.pid}, running since 2026-12-02T00:00:00Z\\)`,
      ),
    );
    expect(existsSync(out)).toBe(false);
  }, 240_000);

  it('inspect: a model whose metadata asks for T = 1e6 is refused at once', () => {
    const path = join(dir, 'm.safetensors');
    saveModel(
      path,
      new Model(
        { inputSize: 2, outputSize: 1, target: 'last', cell: { kind: 'vanilla', hidden: 3 } },
        referenceBackend,
        1,
      ),
      { task: JSON.stringify({ kind: 'adding', T: 1e6 }) },
    );
    const r = recur(['inspect', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/m\.safetensors: the task in its metadata has T = 1000000, more than 10000; give --T/);
  }, 240_000);
});
