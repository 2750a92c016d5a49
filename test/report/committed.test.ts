/**
 * The committed flagship report is what the committed code makes of the committed results: report.md is
 * rebuilt from docs/deep-transition/results.jsonl.gz (the compact export) and must match byte for byte.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/index.js';
import { openResults } from '../../src/runner/export.js';

const dir = new URL('../../docs/deep-transition/', import.meta.url);

describe('the committed standard report', () => {
  it('rebuilds report.md exactly from the committed export', () => {
    const store = openResults(new URL('results.jsonl.gz', dir).pathname);
    try {
      const { markdown } = buildReport(store, 'deep-transition', { source: 'results.jsonl.gz' });
      expect(markdown).toBe(readFileSync(new URL('report.md', dir), 'utf8'));
    } finally {
      store.close();
    }
  }, 120_000);
});
