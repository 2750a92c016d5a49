/**
 * The results store: one SQLite file (better-sqlite3) per study output. A trial is written once, when it
 * ends (done, diverged or failed), together with its metrics and curves in a single transaction — so a
 * process killed at any moment (even SIGKILL) leaves only whole trials behind, and a resumed run skips
 * exactly those. WAL journaling keeps readers (the report) and the writer apart.
 */
import Database from 'better-sqlite3';
import type { TrialSpec } from './grid.js';

export type TrialStatus = 'done' | 'diverged' | 'failed';

/** What a finished trial produced (written atomically). */
export interface TrialRecord {
  status: TrialStatus;
  /** Optimisation steps taken. */
  steps: number;
  divergedAt: number | null;
  error: string | null;
  /** First evaluation step meeting the task's solved criterion (null: never). */
  solvedAt: number | null;
  /** Final evaluation metrics (loss, metric, accuracy…), null if none ran. */
  final: Record<string, number> | null;
  seconds: number;
  /** Time series: (step, name, value), e.g. train loss, grad norm, eval metric. */
  metrics: { step: number; name: string; value: number }[];
  /** Curves (arrays), e.g. kind 'gtt' (‖∂L/∂h_t‖ over t) at a training step, per layer. */
  curves: { kind: string; step: number; layer: number; data: Record<string, unknown> }[];
  /** Scalar summaries (decay rate, Lyapunov exponent, …) by name. */
  summary: Record<string, number | null>;
}

export interface StoredTrial extends Omit<TrialRecord, 'metrics' | 'curves'> {
  key: string;
  index: number;
  label: string;
  study: string;
  taskName: string;
  modelName: string;
  seed: number;
  axes: Record<string, unknown>;
  config: TrialSpec;
  finishedAt: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS study (name TEXT PRIMARY KEY, source TEXT NOT NULL, config TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trial (
  key TEXT PRIMARY KEY, study TEXT NOT NULL, idx INTEGER NOT NULL, label TEXT NOT NULL,
  task TEXT NOT NULL, model TEXT NOT NULL, seed INTEGER NOT NULL, axes TEXT NOT NULL, config TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('done', 'diverged', 'failed')),
  steps INTEGER NOT NULL, diverged_at INTEGER, error TEXT, solved_at INTEGER, final TEXT, summary TEXT NOT NULL,
  seconds REAL NOT NULL, finished TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS trial_study ON trial (study, idx);
CREATE TABLE IF NOT EXISTS metric (trial TEXT NOT NULL REFERENCES trial (key) ON DELETE CASCADE, step INTEGER NOT NULL, name TEXT NOT NULL, value REAL, PRIMARY KEY (trial, name, step)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS curve (trial TEXT NOT NULL REFERENCES trial (key) ON DELETE CASCADE, kind TEXT NOT NULL, step INTEGER NOT NULL, layer INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (trial, kind, step, layer)) WITHOUT ROWID;
`;

interface TrialRow {
  key: string; study: string; idx: number; label: string; task: string; model: string; seed: number; axes: string; config: string;
  status: TrialStatus; steps: number; diverged_at: number | null; error: string | null; solved_at: number | null;
  final: string | null; summary: string; seconds: number; finished: string;
}

export class ResultStore {
  private readonly db: Database.Database;

  /** Open (or create) the store at `path` (':memory:' for tests). */
  constructor(readonly path: string, options: { readonly?: boolean } = {}) {
    try {
      this.db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
      if (!options.readonly) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
        this.db.pragma('foreign_keys = ON');
        this.db.exec(SCHEMA);
      } else {
        const ok = this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('study', 'trial')").get() as { n: number };
        if (ok.n !== 2) throw new Error('no study/trial tables');
      }
    } catch (e) {
      const msg = (e as Error).message;
      // better-sqlite3 loads its compiled addon on first use: a missing or mismatched build is not the file's fault
      if (/bindings file|NODE_MODULE_VERSION|compiled against a different|invalid ELF header|better_sqlite3\.node/i.test(msg)) {
        throw new Error(`cannot open ${path}: better-sqlite3's native module is missing or was built for another Node.js (this is ${process.version}); run \`npm rebuild better-sqlite3\` (it compiles with node-gyp: needs python3, make and a C++ compiler). Details: ${msg.split('\n')[0]}`);
      }
      throw new Error(`${path}: not a recur results database (${msg})`);
    }
  }

  /** Record (or update) the study's resolved definition. */
  saveStudy(name: string, source: string, config: unknown): void {
    const now = new Date().toISOString();
    this.db.prepare(`INSERT INTO study (name, source, config, created, updated) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET source = excluded.source, config = excluded.config, updated = excluded.updated`)
      .run(name, source, JSON.stringify(config), now, now);
  }

  /** Names of the studies in this database. */
  studies(): { name: string; source: string; config: unknown; created: string; updated: string }[] {
    const rows = this.db.prepare('SELECT name, source, config, created, updated FROM study ORDER BY created').all() as { name: string; source: string; config: string; created: string; updated: string }[];
    return rows.map((r) => ({ ...r, config: JSON.parse(r.config) as unknown }));
  }

  /** Keys of the trials already finished for a study. */
  finishedKeys(study: string): Set<string> {
    const rows = this.db.prepare('SELECT key FROM trial WHERE study = ?').all(study) as { key: string }[];
    return new Set(rows.map((r) => r.key));
  }

  /** Write one finished trial with all its metrics and curves, atomically. */
  writeTrial(spec: TrialSpec, record: TrialRecord): void {
    const insertTrial = this.db.prepare(`INSERT OR REPLACE INTO trial (key, study, idx, label, task, model, seed, axes, config, status, steps,
      diverged_at, error, solved_at, final, summary, seconds, finished) VALUES (@key, @study, @idx, @label, @task, @model, @seed, @axes,
      @config, @status, @steps, @diverged_at, @error, @solved_at, @final, @summary, @seconds, @finished)`);
    const insertMetric = this.db.prepare('INSERT OR REPLACE INTO metric (trial, step, name, value) VALUES (?, ?, ?, ?)');
    const insertCurve = this.db.prepare('INSERT OR REPLACE INTO curve (trial, kind, step, layer, data) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM metric WHERE trial = ?').run(spec.key);
      this.db.prepare('DELETE FROM curve WHERE trial = ?').run(spec.key);
      insertTrial.run({
        key: spec.key, study: spec.study, idx: spec.index, label: spec.label, task: spec.taskName, model: spec.modelName,
        seed: spec.seed, axes: JSON.stringify(spec.axes), config: JSON.stringify(spec), status: record.status, steps: record.steps,
        diverged_at: record.divergedAt, error: record.error, solved_at: record.solvedAt,
        final: record.final ? JSON.stringify(record.final) : null, summary: JSON.stringify(record.summary),
        seconds: record.seconds, finished: new Date().toISOString(),
      });
      for (const m of record.metrics) insertMetric.run(spec.key, m.step, m.name, Number.isFinite(m.value) ? m.value : null);
      for (const c of record.curves) insertCurve.run(spec.key, c.kind, c.step, c.layer, JSON.stringify(c.data));
    })();
  }

  /** Every finished trial of a study, in study order. */
  trials(study: string): StoredTrial[] {
    const rows = this.db.prepare('SELECT * FROM trial WHERE study = ? ORDER BY idx').all(study) as TrialRow[];
    return rows.map((r) => ({
      key: r.key, index: r.idx, label: r.label, study: r.study, taskName: r.task, modelName: r.model, seed: r.seed,
      axes: JSON.parse(r.axes) as Record<string, unknown>, config: JSON.parse(r.config) as TrialSpec, status: r.status,
      steps: r.steps, divergedAt: r.diverged_at, error: r.error, solvedAt: r.solved_at,
      final: r.final ? (JSON.parse(r.final) as Record<string, number>) : null,
      summary: JSON.parse(r.summary) as Record<string, number | null>, seconds: r.seconds, finishedAt: r.finished,
    }));
  }

  /** A metric's time series for one trial. */
  metricSeries(trial: string, name: string): { step: number; value: number | null }[] {
    return this.db.prepare('SELECT step, value FROM metric WHERE trial = ? AND name = ? ORDER BY step').all(trial, name) as { step: number; value: number | null }[];
  }

  /** Curves of one kind for a trial. */
  curves(trial: string, kind: string): { step: number; layer: number; data: Record<string, unknown> }[] {
    const rows = this.db.prepare('SELECT step, layer, data FROM curve WHERE trial = ? AND kind = ? ORDER BY step, layer').all(trial, kind) as { step: number; layer: number; data: string }[];
    return rows.map((r) => ({ step: r.step, layer: r.layer, data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  /** Every metric point and curve of one trial, in a fixed order. */
  contents(trial: string): Pick<TrialRecord, 'metrics' | 'curves'> {
    const metrics = (this.db.prepare('SELECT step, name, value FROM metric WHERE trial = ? ORDER BY name, step').all(trial) as { step: number; name: string; value: number | null }[])
      .map((m) => ({ step: m.step, name: m.name, value: m.value ?? NaN }));
    const curves = (this.db.prepare('SELECT kind, step, layer, data FROM curve WHERE trial = ? ORDER BY kind, step, layer').all(trial) as { kind: string; step: number; layer: number; data: string }[])
      .map((c) => ({ kind: c.kind, step: c.step, layer: c.layer, data: JSON.parse(c.data) as Record<string, unknown> }));
    return { metrics, curves };
  }

  close(): void {
    this.db.close();
  }
}

