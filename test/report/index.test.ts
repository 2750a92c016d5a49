import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport, writeReport } from '../../src/report/index.js';
import { ResultStore } from '../../src/runner/store.js';
import { fillStore } from './fixture.js';
import { htmlProblems } from './html-check.js';

describe('writeReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recur-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'results.db');
  const store = new ResultStore(db);
  fillStore(store, { addingT: [20, 40], copyT: [], depths: [1, 4], seeds: [1, 2], accidents: true });
  store.close();

  it('picks the only study, writes report.html, report.md and the SVGs atomically, and leaves the database untouched', () => {
    const before = statSync(db).mtimeMs;
    const out = join(dir, 'report', 'nested');
    const r = writeReport(db, out);
    expect(r.htmlPath).toBe(join(out, 'report.html'));
    expect(r.markdownPath).toBe(join(out, 'report.md'));
    const files = readdirSync(out).sort();
    expect(files).toEqual(['report.html', 'report.md', ...r.svgPaths.map((p) => p.slice(out.length + 1))].sort());
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    expect(r.svgPaths.length).toBeGreaterThanOrEqual(5);
    const html = readFileSync(r.htmlPath, 'utf8');
    expect(htmlProblems(html)).toEqual([]);
    expect(html).toContain('Study deep-transition');
    const md = readFileSync(r.markdownPath, 'utf8');
    for (const p of r.svgPaths) {
      expect(readFileSync(p, 'utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(md).toContain(`](${p.slice(out.length + 1)})`);
    }
    expect(statSync(db).mtimeMs).toBe(before);
  });

  it('names the studies when there are several and none was chosen, or the one asked for is unknown', () => {
    const s = new ResultStore(db);
    s.saveStudy('second', 'second.yaml', { name: 'second' });
    s.close();
    expect(() => writeReport(db, join(dir, 'x'))).toThrow(
      /holds 2 studies \(deep-transition, second\); one must be chosen/,
    );
    expect(() => writeReport(db, join(dir, 'x'), { study: 'third' })).toThrow(
      /study "third" not found \(the database holds: deep-transition, second\)/,
    );
    const r = writeReport(db, join(dir, 'second'), { study: 'second' });
    expect(readFileSync(r.htmlPath, 'utf8')).toContain('No finished trials');
  });

  it('a missing or foreign database is a clear error', () => {
    expect(() => writeReport(join(dir, 'nope.db'), join(dir, 'y'))).toThrow(/nope\.db: results database not found/);
    writeFileSync(join(dir, 'notes.txt'), 'not sqlite');
    expect(() => writeReport(join(dir, 'notes.txt'), join(dir, 'y'))).toThrow(/notes\.txt: .*database/);
  });
});

describe('scale', () => {
  // Speed is a benchmark's business, not a test's: here only that a 252-trial study's report is whole and of
  // bounded size (the suite's timeout guards against a hang).
  it('builds the report of a 252-trial study, whole and of bounded size', () => {
    const store = new ResultStore(':memory:');
    fillStore(store, { addingT: [50, 100], copyT: [20, 50], seeds: [1, 2, 3], accidents: true });
    const r = buildReport(store, 'deep-transition');
    store.close();
    expect(r.html).toContain('<b>252</b><span>trials</span>');
    expect(r.html.length).toBeLessThan(3_000_000);
  });
});
