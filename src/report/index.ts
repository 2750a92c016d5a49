/**
 * The report of a study: a self-contained HTML page, a Markdown summary and the SVG figures, built from
 * the results store.
 *
 * @example
 * const { htmlPath } = writeReport('out/deep-transition/results.db', 'out/deep-transition');
 * // or, in memory:
 * const { html, findings } = buildReport(new ResultStore('results.db', { readonly: true }), 'deep-transition');
 */
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { ResultStore } from '../runner/store.js';
import { openResults } from '../runner/export.js';
import { loadStudyData } from './data.js';
import { computeFindings, type Finding } from './findings.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { buildFigures } from './figures.js';
import type { Figure } from './plots.js';
import { loadGtt, loadSeries } from './series.js';
import { buildTables } from './tables.js';
import { modelCurves } from './trainability.js';

export type { Finding, Verdict } from './findings.js';
export type { Figure } from './plots.js';
export type { Table } from './tables.js';
export type { StudyData, Group, TaskInfo, ModelInfo } from './data.js';
export { loadStudyData } from './data.js';
export { computeFindings } from './findings.js';
export { fitT50, type T50Fit, type Level } from './logistic.js';
export { holm, mcnemar, pairedTest } from './inference.js';

export interface Report {
  html: string;
  markdown: string;
  /** SVG documents by file name (`gtt-adding.svg`, …), as linked from the Markdown. */
  svgs: Record<string, string>;
  findings: Finding[];
}

/** Build the report of `study` from an open store (nothing is written). */
export function buildReport(
  store: ResultStore,
  study: string,
  options: { title?: string; source?: string } = {},
): Report {
  const known = store.studies().map((s) => s.name);
  const data = loadStudyData(store, study);
  if (!known.includes(study) && data.trials.length === 0) {
    throw new Error(
      `${store.path}: study "${study}" not found (${known.length ? `the database holds: ${known.join(', ')}` : 'the database holds no studies'})`,
    );
  }
  const gtt = loadGtt(store, data.trials);
  const loss = loadSeries(store, data.trials, 'train.loss');
  const findings = computeFindings(data, gtt);
  const curves = modelCurves(data);
  const tables = buildTables(data, curves);
  const { figures, missing } = data.trials.length
    ? buildFigures({ data, gtt, loss, curves })
    : { figures: [] as Figure[], missing: [] as string[] };
  const content = {
    title: options.title ?? `Study ${study}`,
    data,
    findings,
    figures,
    missing,
    tables,
    source: options.source ?? basename(store.path),
    generated: new Date(),
  };
  return {
    html: renderHtml(content),
    markdown: renderMarkdown(content),
    svgs: Object.fromEntries(figures.map((f) => [`${f.id}.svg`, f.svg])),
    findings,
  };
}

/** Pick the study to report: the one given (which must exist), else the only one. */
function chooseStudy(store: ResultStore, dbPath: string, study: string | undefined): string {
  const names = store.studies().map((s) => s.name);
  if (study !== undefined) {
    if (!names.includes(study))
      throw new Error(
        `${dbPath}: study "${study}" not found (${names.length ? `the database holds: ${names.join(', ')}` : 'the database holds no studies'})`,
      );
    return study;
  }
  if (names.length === 0)
    throw new Error(`${dbPath}: no study found in this results database (nothing has been run into it yet)`);
  if (names.length > 1)
    throw new Error(
      `${dbPath}: the database holds ${names.length} studies (${names.join(', ')}); one must be chosen (--study <name>)`,
    );
  return names[0];
}

/**
 * Open `dbPath` read-only, build the report and write report.html, report.md and the SVG figures into
 * `outDir` (created if needed), each file atomically. The HTML is written last, so its presence means
 * the report is complete.
 */
export function writeReport(
  dbPath: string,
  outDir: string,
  options: { study?: string; title?: string } = {},
): { htmlPath: string; markdownPath: string; svgPaths: string[] } {
  if (!existsSync(dbPath)) throw new Error(`${dbPath}: results database not found`);
  const store = openResults(dbPath);
  try {
    const study = chooseStudy(store, dbPath, options.study);
    const report = buildReport(store, study, { title: options.title, source: basename(dbPath) });
    mkdirSync(outDir, { recursive: true });
    const enc = new TextEncoder();
    const svgPaths = Object.entries(report.svgs).map(([name, svg]) => {
      const path = join(outDir, name);
      writeFileAtomic(path, enc.encode(svg));
      return path;
    });
    const markdownPath = join(outDir, 'report.md');
    const htmlPath = join(outDir, 'report.html');
    writeFileAtomic(markdownPath, enc.encode(report.markdown));
    writeFileAtomic(htmlPath, enc.encode(report.html));
    return { htmlPath, markdownPath, svgPaths };
  } finally {
    store.close();
  }
}
