/**
 * A compact, committable export of a study's results, and reading it back: gzip-compressed JSON lines
 * (`.jsonl.gz`), one line for the study and one per trial with its metrics and curves. Numbers inside
 * metrics and curves are rounded to 5 significant digits (the report plots and fits them; 5 digits is
 * far below any difference it reports), which makes the file several times smaller than the database.
 * `openResults` opens either a database or an export (loaded into an in-memory store), so `recur report`
 * rebuilds a report from the export exactly as it was published.
 *
 *   line 1   {"format":"recur-results","version":1,"study":{name, source, config}}
 *   line k   {"trial": StoredTrial (without the run's wall-clock fields), "metrics": [...], "curves": [...]}
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ResultStore, type StoredTrial, type TrialRecord } from './store.js';

const FORMAT = 'recur-results';
const VERSION = 1;

/** Round every number inside a JSON-like value to `digits` significant digits. */
export function roundDeep(value: unknown, digits = 5): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(digits)) : null;
  if (Array.isArray(value)) return value.map((v) => roundDeep(v, digits));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v, digits)]));
  return value;
}

/** The export of one study of an open store, gzip-compressed. */
export function exportStudy(store: ResultStore, study: string): Uint8Array {
  const meta = store.studies().find((s) => s.name === study);
  if (!meta) throw new Error(`${store.path}: study "${study}" not found`);
  const lines = [
    JSON.stringify({
      format: FORMAT,
      version: VERSION,
      study: { name: meta.name, source: meta.source, config: meta.config },
    }),
  ];
  for (const t of store.trials(study)) {
    const { metrics, curves } = store.contents(t.key);
    const { finishedAt: _f, ...trial } = t;
    lines.push(
      JSON.stringify({
        trial,
        metrics: metrics.map((m) => [m.step, m.name, roundDeep(m.value)]),
        curves: curves.map((c) => ({ ...c, data: roundDeep(c.data) })),
      }),
    );
  }
  return gzipSync(`${lines.join('\n')}\n`, { level: 9 });
}

/** Load an export into a new in-memory store. */
export function importExport(bytes: Uint8Array, source = 'export'): ResultStore {
  let text: string;
  try {
    text = gunzipSync(bytes).toString('utf8');
  } catch {
    throw new Error(`${source}: not a gzip-compressed recur export`);
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  const head = parseLine(lines[0], source, 1) as {
    format?: string;
    version?: number;
    study?: { name: string; source: string; config: unknown };
  };
  if (head.format !== FORMAT || head.version !== VERSION || !head.study) {
    throw new Error(
      `${source}: not a recur results export (format ${String(head.format)}, version ${String(head.version)})`,
    );
  }
  const store = new ResultStore(':memory:');
  store.saveStudy(head.study.name, head.study.source, head.study.config);
  lines.slice(1).forEach((line, i) => {
    const row = parseLine(line, source, i + 2) as {
      trial: Omit<StoredTrial, 'finishedAt'>;
      metrics: [number, string, number | null][];
      curves: TrialRecord['curves'];
    };
    const { trial } = row;
    store.writeTrial(
      trial.config,
      recordOf(trial, {
        curves: row.curves,
        metrics: row.metrics.map(([step, name, value]) => ({ step, name, value: value ?? NaN })),
      }),
    );
  });
  return store;
}

/** A stored trial and its series as the record `writeTrial` takes. */
function recordOf(t: Omit<StoredTrial, 'finishedAt'>, series: Pick<TrialRecord, 'metrics' | 'curves'>): TrialRecord {
  const { status, steps, divergedAt, error, solvedAt, final, seconds, summary } = t;
  return { status, steps, divergedAt, error, solvedAt, final, seconds, summary, ...series };
}

/** Copy every study and trial of `source` into `target` (trials already there are replaced); the trial count. */
export function copyResults(source: ResultStore, target: ResultStore): number {
  let count = 0;
  for (const s of source.studies()) {
    target.saveStudy(s.name, s.source, s.config);
    for (const t of source.trials(s.name)) {
      target.writeTrial(t.config, recordOf(t, source.contents(t.key)));
      count++;
    }
  }
  return count;
}

function parseLine(line: string | undefined, source: string, n: number): unknown {
  try {
    return JSON.parse(line ?? '');
  } catch {
    throw new Error(`${source}: line ${n} is not valid JSON (a truncated or edited export?)`);
  }
}

/** Open results for reading: a `.jsonl.gz` export (in memory) or a SQLite results database (read-only). */
export function openResults(path: string): ResultStore {
  if (path.endsWith('.jsonl.gz')) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new Error(`${path}: cannot read the export (does it exist?)`);
    }
    return importExport(bytes, path);
  }
  return new ResultStore(path, { readonly: true });
}
