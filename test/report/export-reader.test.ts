/**
 * The page's export reader (src/report/export-reader.ts, no database) gives the report's figure builders
 * what the results store gives after importing the same export: the same figures, spec for spec.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadStudyData, type ResultsReader } from '../../src/report/data.js';
import { readExport } from '../../src/report/export-reader.js';
import { buildFigureSpecs } from '../../src/report/plots.js';
import { loadGtt, loadSeries } from '../../src/report/series.js';
import { modelCurves } from '../../src/report/trainability.js';
import { importExport } from '../../src/runner/export.js';

const file = new URL('../../docs/deep-transition/results.jsonl.gz', import.meta.url);

function figures(results: ResultsReader, study: string) {
  const data = loadStudyData(results, study);
  const gtt = loadGtt(results, data.trials);
  const loss = loadSeries(results, data.trials, 'train.loss');
  return buildFigureSpecs({ data, gtt, loss, curves: modelCurves(data) });
}

describe('readExport', () => {
  it('the committed export read in memory draws the figures the imported store draws', () => {
    const bytes = readFileSync(file);
    const page = readExport(gunzipSync(bytes).toString('utf8'), 'results.jsonl.gz');
    const store = importExport(bytes, 'results.jsonl.gz');
    try {
      expect(page.study).toBe('deep-transition');
      const a = figures(page, page.study),
        b = figures(store, page.study);
      expect(a.figures.map((f) => f.id)).toEqual(b.figures.map((f) => f.id));
      expect(a.figures.map((f) => f.id)).toEqual(
        expect.arrayContaining(['decay-gain', 't50-horizon', 'success-adding']),
      );
      expect(JSON.parse(JSON.stringify(a))).toEqual(JSON.parse(JSON.stringify(b)));
    } finally {
      store.close();
    }
  }, 120_000);

  it('refuses what is not an export, naming the source', () => {
    expect(() => readExport('{"format":"other"}\n', 'x.jsonl.gz')).toThrow(/^x\.jsonl\.gz: not a recur results export/);
    expect(() => readExport('{"format":"recur-results","version":1,"study":{}}\nnot json\n', 'y')).toThrow(/line 2/);
  });
});
