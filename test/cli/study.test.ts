/**
 * `recur study` end to end: the flagship's tiny profile writes a real report (what `npm start` does with the
 * quick profile), and a study killed with SIGKILL at random moments and resumed ends with exactly the trials
 * of an uninterrupted run, with the same metrics.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultStore } from '../../src/runner/store.js';
import { Rng } from '../../src/tensor/rng.js';
import { spawnSync } from 'node:child_process';
import { ROOT, recur, recurKilledAfter } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-study-'));

describe('recur study', () => {
  it('npm start (the flagship study, here in its tiny profile) writes a self-contained HTML report with plots and computed findings', () => {
    const out = join(dir, 'flagship');
    // npm start = recur study deep-transition --profile quick; a later --profile wins
    const r = spawnSync('npm', ['start', '--silent', '--', '--profile', 'tiny', '--out', out, '--workers', '2'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.status, r.stderr).toBe(0);
    // 8 probe-only trials, 6 pilot trials, 8 trained trials of which the staircase skips the 4 at T = 8
    expect(r.stdout).toMatch(/22 trials — 0 already done, ran 18 .*; 4 skipped by the staircase/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toMatch(/<\/html>\s*$/);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(html).toMatch(/[Ff]indings/);
    expect(html).not.toMatch(/<script|src="https?:|href="https?:/);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/deep-transition/);
    // a second run resumes: nothing left to do
    const again = recur(['study', 'deep-transition', '--profile', 'tiny', '--out', out, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ total: 22, skipped: 18, ran: 0, staircase: 4 });
  }, 300_000);

  it('SIGKILL at random moments, then resume: exactly the trials of an uninterrupted run, same metrics', async () => {
    const study = join(dir, 'kill.yaml');
    writeFileSync(
      study,
      `name: kill
seeds: [1, 2, 3]
training: { steps: 1000, batchSize: 16, optimizer: { kind: adam, lr: 0.003 }, evalEvery: 250, evalBatches: 1, evalBatchSize: 32 }
instruments: { gradientThroughTime: { at: [0, 1], batchSize: 8 } }
tasks: { adding: { kind: adding, T: 30 } }
models:
  tanh: { cell: { kind: vanilla, hidden: 64 } }
  deep: { cell: { kind: deep, hidden: 64, depth: 1 }, grid: { cell.depth: [2, 3] } }
`,
    );
    const reference = join(dir, 'reference.db');
    const r = recur(['study', study, '--db', reference, '--no-report', '--quiet', '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    const killed = join(dir, 'killed.db');
    const rng = new Rng(7);
    let kills = 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      // the whole study takes several seconds: each attempt is killed part-way, at a random moment
      const res = await recurKilledAfter(
        ['study', study, '--db', killed, '--no-report', '--quiet', '--workers', '2'],
        400 + rng.int(1200),
      );
      if (res.killed) kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    const fin = recur(['study', study, '--db', killed, '--no-report', '--json', '--workers', '2']);
    expect(fin.code, fin.stderr).toBe(0);
    const a = new ResultStore(reference, { readonly: true }),
      b = new ResultStore(killed, { readonly: true });
    const ta = a.trials('kill'),
      tb = b.trials('kill');
    expect(ta).toHaveLength(9);
    expect(tb.map((t) => t.key).sort()).toEqual(ta.map((t) => t.key).sort());
    for (const t of ta) {
      const u = tb.find((x) => x.key === t.key)!;
      expect(u.status).toBe(t.status);
      expect(u.final).toEqual(t.final);
      expect(u.steps).toBe(t.steps);
      expect(b.metricSeries(u.key, 'train.loss')).toEqual(a.metricSeries(t.key, 'train.loss'));
    }
    a.close();
    b.close();
  }, 400_000);
});
