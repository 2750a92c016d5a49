/**
 * The results store: one SQLite file (better-sqlite3) per study output. A trial is written once, when it
 * ends (done, diverged or failed), together with its metrics and curves in a single transaction — so a
 * process killed at any moment (even SIGKILL) leaves only whole trials behind, and a resumed run skips
 * exactly those. WAL journaling keeps readers (the report) and the writer apart.
 *
 * Honest records: a failed trial is not finished (the next run retries it; `attempts` counts the runs);
 * the store remembers the keys of the study's current expansion, and `trials()` returns only those, so an
 * edited study never mixes trials of its old definition into the report (they stay in the file, counted by
 * `staleCount`); and one process at a time holds the store's lock (see store-lock.ts).
 */
import { type Connection, openDatabase } from './sqlite.js';
import type { TrialSpec } from './grid.js';
import { MIGRATIONS, openError, rowOf, SCHEMA, storedOf, type TrialRow } from './store-rows.js';

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
  /** Runs that executed this trial (more than 1 after failures were retried). */
  attempts: number;
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

/** What changed when a run recorded the study's current trial list. */
export interface ExpansionChange {
  /** Definition version: 1 for the first, +1 each time the set of trials changes. */
  version: number;
  /** True when the trial set differs from the one recorded before (an edited study, another backend…). */
  changed: boolean;
  /** Stored trials of this study that the current definition no longer has (kept, but not reported). */
  stale: number;
}

export class ResultStore {
  /** The open connection (for the lock, store-lock.ts). */
  readonly db: Connection;
  private readonly hasAttempts: boolean;

  /** Open (or create) the store at `path` (':memory:' for tests). */
  constructor(
    readonly path: string,
    options: { readonly?: boolean } = {},
  ) {
    try {
      this.db = openDatabase(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
      if (!options.readonly) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
        this.db.pragma('foreign_keys = ON');
        this.db.exec(SCHEMA);
        for (const [table, column, definition] of MIGRATIONS) {
          if (!this.columns(table).has(column)) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
        }
      } else {
        const ok = this.db
          .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('study', 'trial')")
          .get() as { n: number };
        if (ok.n !== 2) throw new Error('no study/trial tables');
      }
      this.hasAttempts = this.columns('trial').has('attempts');
    } catch (e) {
      throw openError(path, e as Error);
    }
  }

  private columns(table: string): Set<string> {
    return new Set(
      (this.db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((r) => r.name),
    );
  }

  private hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  /**
   * Record the keys of the study's current expansion (replacing the previous ones) and say what changed:
   * the definition version and how many stored trials the current definition no longer has.
   */
  recordExpansion(study: string, keys: readonly string[]): ExpansionChange {
    return this.db.transaction((): ExpansionChange => {
      const before = new Set(
        (this.db.prepare('SELECT key FROM expansion WHERE study = ?').all(study) as { key: string }[]).map(
          (r) => r.key,
        ),
      );
      const changed = before.size > 0 && (before.size !== keys.length || keys.some((k) => !before.has(k)));
      if (changed || before.size === 0) {
        this.db.prepare('DELETE FROM expansion WHERE study = ?').run(study);
        const insert = this.db.prepare('INSERT OR IGNORE INTO expansion (study, key) VALUES (?, ?)');
        for (const k of keys) insert.run(study, k);
      }
      if (changed) this.db.prepare('UPDATE study SET version = version + 1 WHERE name = ?').run(study);
      const row = this.db.prepare('SELECT version FROM study WHERE name = ?').get(study) as
        | { version: number }
        | undefined;
      return { version: row?.version ?? 1, changed, stale: this.staleCount(study) };
    })();
  }

  /**
   * Re-key trials stored before trial identity included the backend and recur's version: each stored
   * trial whose config has no `backend` and whose key is in `legacy` (old key → current spec) takes the
   * current key and config. Returns how many were adopted.
   */
  adoptLegacy(study: string, legacy: ReadonlyMap<string, TrialSpec>): number {
    const rows = this.db
      .prepare("SELECT key FROM trial WHERE study = ? AND json_extract(config, '$.backend') IS NULL")
      .all(study) as { key: string }[];
    const adopt = rows
      .map((r) => [r.key, legacy.get(r.key)] as const)
      .filter((x): x is readonly [string, TrialSpec] => x[1] !== undefined);
    if (!adopt.length) return 0;
    return this.db.transaction((): number => {
      this.db.pragma('defer_foreign_keys = ON');
      let n = 0;
      for (const [old, spec] of adopt) {
        if (this.db.prepare('SELECT 1 FROM trial WHERE key = ?').get(spec.key)) continue; // already stored under the new key
        this.db.prepare('UPDATE trial SET key = ?, config = ? WHERE key = ?').run(spec.key, JSON.stringify(spec), old);
        this.db.prepare('UPDATE metric SET trial = ? WHERE trial = ?').run(spec.key, old);
        this.db.prepare('UPDATE curve SET trial = ? WHERE trial = ?').run(spec.key, old);
        n++;
      }
      return n;
    })();
  }

  /** Stored trials of `study` that are not in its current expansion (0 when none is recorded). */
  staleCount(study: string): number {
    if (!this.hasTable('expansion')) return 0;
    const r = this.db
      .prepare(`SELECT count(*) AS n FROM trial t WHERE t.study = ? AND EXISTS (SELECT 1 FROM expansion WHERE study = t.study)
      AND NOT EXISTS (SELECT 1 FROM expansion e WHERE e.study = t.study AND e.key = t.key)`)
      .get(study) as { n: number };
    return r.n;
  }

  /** Record (or update) the study's resolved definition. */
  saveStudy(name: string, source: string, config: unknown): void {
    const now = new Date().toISOString();
    this.db
      .prepare(`INSERT INTO study (name, source, config, created, updated) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET source = excluded.source, config = excluded.config, updated = excluded.updated`)
      .run(name, source, JSON.stringify(config), now, now);
  }

  /** Names of the studies in this database. */
  studies(): { name: string; source: string; config: unknown; created: string; updated: string }[] {
    const rows = this.db.prepare('SELECT name, source, config, created, updated FROM study ORDER BY created').all() as {
      name: string;
      source: string;
      config: string;
      created: string;
      updated: string;
    }[];
    return rows.map((r) => ({ ...r, config: JSON.parse(r.config) as unknown }));
  }

  /**
   * Keys of the trials a new run need not repeat: done or diverged (results), and failed ones too when
   * `retryFailed` is false (by default a failed trial is run again).
   */
  finishedKeys(study: string, options: { retryFailed?: boolean } = {}): Set<string> {
    const statuses = options.retryFailed === false ? "('done', 'diverged', 'failed')" : "('done', 'diverged')";
    const rows = this.db.prepare(`SELECT key FROM trial WHERE study = ? AND status IN ${statuses}`).all(study) as {
      key: string;
    }[];
    return new Set(rows.map((r) => r.key));
  }

  /** Keys of a study's trials whose last attempt failed. */
  failedKeys(study: string): Set<string> {
    const rows = this.db.prepare("SELECT key FROM trial WHERE study = ? AND status = 'failed'").all(study) as {
      key: string;
    }[];
    return new Set(rows.map((r) => r.key));
  }

  /** Write one finished trial with all its metrics and curves, atomically. */
  writeTrial(spec: TrialSpec, record: TrialRecord): void {
    const insertTrial =
      this.db.prepare(`INSERT OR REPLACE INTO trial (key, study, idx, label, task, model, seed, axes, config, status, steps,
      diverged_at, error, solved_at, final, summary, seconds, finished, attempts) VALUES (@key, @study, @idx, @label, @task, @model, @seed, @axes,
      @config, @status, @steps, @diverged_at, @error, @solved_at, @final, @summary, @seconds, @finished, @attempts)`);
    const insertMetric = this.db.prepare(
      'INSERT OR REPLACE INTO metric (trial, step, name, value) VALUES (?, ?, ?, ?)',
    );
    const insertCurve = this.db.prepare(
      'INSERT OR REPLACE INTO curve (trial, kind, step, layer, data) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      const previous = this.db.prepare('SELECT attempts FROM trial WHERE key = ?').get(spec.key) as
        | { attempts: number }
        | undefined;
      this.db.prepare('DELETE FROM metric WHERE trial = ?').run(spec.key);
      this.db.prepare('DELETE FROM curve WHERE trial = ?').run(spec.key);
      insertTrial.run(rowOf(spec, record, (previous?.attempts ?? 0) + 1));
      for (const m of record.metrics)
        insertMetric.run(spec.key, m.step, m.name, Number.isFinite(m.value) ? m.value : null);
      for (const c of record.curves) insertCurve.run(spec.key, c.kind, c.step, c.layer, JSON.stringify(c.data));
    })();
  }

  /**
   * Every stored trial of a study's current definition, in study order (trials of an earlier definition
   * are left out: see {@link staleCount}; `all` includes them).
   */
  trials(study: string, options: { all?: boolean } = {}): StoredTrial[] {
    const current =
      !options.all && this.hasTable('expansion')
        ? ' AND (NOT EXISTS (SELECT 1 FROM expansion WHERE study = trial.study) OR EXISTS (SELECT 1 FROM expansion e WHERE e.study = trial.study AND e.key = trial.key))'
        : '';
    const rows = this.db.prepare(`SELECT * FROM trial WHERE study = ?${current} ORDER BY idx`).all(study) as TrialRow[];
    return rows.map((r) => storedOf(r, this.hasAttempts));
  }

  /** A metric's time series for one trial. */
  metricSeries(trial: string, name: string): { step: number; value: number | null }[] {
    return this.db
      .prepare('SELECT step, value FROM metric WHERE trial = ? AND name = ? ORDER BY step')
      .all(trial, name) as { step: number; value: number | null }[];
  }

  /** Curves of one kind for a trial. */
  curves(trial: string, kind: string): { step: number; layer: number; data: Record<string, unknown> }[] {
    const rows = this.db
      .prepare('SELECT step, layer, data FROM curve WHERE trial = ? AND kind = ? ORDER BY step, layer')
      .all(trial, kind) as { step: number; layer: number; data: string }[];
    return rows.map((r) => ({ step: r.step, layer: r.layer, data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  /** Every metric point and curve of one trial, in a fixed order. */
  contents(trial: string): Pick<TrialRecord, 'metrics' | 'curves'> {
    const metrics = (
      this.db.prepare('SELECT step, name, value FROM metric WHERE trial = ? ORDER BY name, step').all(trial) as {
        step: number;
        name: string;
        value: number | null;
      }[]
    ).map((m) => ({ step: m.step, name: m.name, value: m.value ?? NaN }));
    const curves = (
      this.db
        .prepare('SELECT kind, step, layer, data FROM curve WHERE trial = ? ORDER BY kind, step, layer')
        .all(trial) as { kind: string; step: number; layer: number; data: string }[]
    ).map((c) => ({ kind: c.kind, step: c.step, layer: c.layer, data: JSON.parse(c.data) as Record<string, unknown> }));
    return { metrics, curves };
  }

  close(): void {
    this.db.close();
  }
}
