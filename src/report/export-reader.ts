/**
 * A study export (`recur export`, runner/export.ts) read in memory with no database and no `node:` module,
 * for the explorable page: the same `studies / trials / metricSeries / curves` answers the results store
 * gives after `importExport`, in the same orders (trials by index, metrics by step, curves by step and
 * layer), so the report's figure builders draw the same figures from it.
 *
 *   const text = await new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).text();
 *   const results = readExport(text, 'results.jsonl.gz');
 *   const data = loadStudyData(results, results.studies()[0].name);
 */
import type { StoredTrial } from '../runner/store.js';
import type { ResultsReader } from './data.js';

type Curve = { kind: string; step: number; layer: number; data: Record<string, unknown> };
interface Row {
  trial: Omit<StoredTrial, 'finishedAt'>;
  metrics: [number, string, number | null][];
  curves: Curve[];
}

/** The reader of one export, and the study it holds. */
export interface ExportResults extends ResultsReader {
  readonly study: string;
  readonly source: string;
}

/**
 * Parse the decompressed text of an export (JSON lines: the study, then one line per trial).
 * @throws Error naming `source` and the line when it is not a recur results export.
 */
export function readExport(text: string, source = 'export'): ExportResults {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const head = parse(lines[0], source, 1) as { format?: string; version?: number; study?: Record<string, unknown> };
  if (head.format !== 'recur-results' || head.version !== 1 || !head.study)
    throw new Error(
      `${source}: not a recur results export (format ${String(head.format)}, version ${String(head.version)})`,
    );
  const study = { name: String(head.study.name), source: String(head.study.source), config: head.study.config };
  // As importExport + ResultStore.trials: identity fields from the trial's spec, a key written twice kept
  // once (the later line, counted as a second attempt), ordered by index (ties: the order written).
  const byKey = new Map<string, Row>();
  const attempts = new Map<string, number>();
  lines.slice(1).forEach((line, i) => {
    const row = parse(line, source, i + 2) as Row;
    const key = row.trial.config.key;
    byKey.delete(key);
    byKey.set(key, row);
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
  });
  const trials: StoredTrial[] = [...byKey.values()]
    .map(({ trial: t }) => {
      const c = t.config;
      const identity = { key: c.key, index: c.index, label: c.label, study: c.study, taskName: c.taskName };
      const more = { modelName: c.modelName, seed: c.seed, axes: c.axes, attempts: attempts.get(c.key) ?? 1 };
      const { status, steps, divergedAt, error, solvedAt, final, summary, seconds } = t;
      const record = { status, steps, divergedAt, error, solvedAt, final, summary, seconds, config: c };
      return { ...identity, ...more, ...record, finishedAt: '' };
    })
    .sort((a, b) => a.index - b.index);
  return {
    study: study.name,
    source,
    studies: () => [{ ...study, created: '', updated: '' }],
    trials: (name) => trials.filter((t) => t.study === name),
    metricSeries: (key, name) =>
      (byKey.get(key)?.metrics ?? [])
        .filter((m) => m[1] === name)
        .map(([step, , value]) => ({ step, value }))
        .sort((a, b) => a.step - b.step),
    curves: (key, kind) =>
      (byKey.get(key)?.curves ?? [])
        .filter((c) => c.kind === kind)
        .map(({ step, layer, data }) => ({ step, layer, data }))
        .sort((a, b) => a.step - b.step || a.layer - b.layer),
  };
}

function parse(line: string | undefined, source: string, n: number): unknown {
  try {
    return JSON.parse(line ?? '');
  } catch {
    throw new Error(`${source}: line ${n} is not valid JSON (a truncated or edited export?)`);
  }
}
