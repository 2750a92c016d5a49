/**
 * The results store's SQL side (runner/store.ts is the store): the tables and the columns added since the
 * first release, the trial row and its conversions to and from a trial, and the messages for a database that
 * cannot be opened.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { TrialSpec } from './grid.js';
import type { StoredTrial, TrialRecord, TrialStatus } from './store.js';
import { LOCK_SCHEMA } from './store-lock.js';
import { MissingPackageError } from '../util/optional.js';

/** The tables (created when missing); the lock's table is store-lock.ts's. */
export const SCHEMA = `
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
CREATE TABLE IF NOT EXISTS expansion (study TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (study, key)) WITHOUT ROWID;
${LOCK_SCHEMA}
`;

/** Columns added after the first release: added to older files when they are opened for writing. */
export const MIGRATIONS: [table: string, column: string, definition: string][] = [
  ['trial', 'attempts', 'INTEGER NOT NULL DEFAULT 1'],
  ['study', 'version', 'INTEGER NOT NULL DEFAULT 1'],
];

/** One row of the trial table, as better-sqlite3 returns it. */
export interface TrialRow {
  key: string;
  study: string;
  idx: number;
  label: string;
  task: string;
  model: string;
  seed: number;
  axes: string;
  config: string;
  status: TrialStatus;
  steps: number;
  diverged_at: number | null;
  error: string | null;
  solved_at: number | null;
  final: string | null;
  summary: string;
  seconds: number;
  finished: string;
  attempts?: number;
}

/** The database file or its folder when this process may not write it (null when both are writable or unknown). */
function deniedWrite(path: string): string | null {
  if (path === ':memory:') return null;
  for (const p of [path, dirname(resolve(path))]) {
    try {
      accessSync(p, constants.W_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return p;
    }
  }
  return null;
}

/** The message for a database that cannot be opened, saying what the problem really is. */
export function openError(path: string, e: Error & { code?: string }): Error {
  if (e instanceof MissingPackageError) return e; // better-sqlite3 itself is not installed: say what to install
  const code = e.code ?? '';
  // better-sqlite3 loads its compiled addon on first use: a missing or mismatched build is not the file's fault
  if (
    /bindings file|NODE_MODULE_VERSION|compiled against a different|invalid ELF header|better_sqlite3\.node/i.test(
      e.message,
    )
  ) {
    return new Error(
      `cannot open ${path}: better-sqlite3's native module is missing or was built for another Node.js (this is ${process.version}); run \`npm rebuild better-sqlite3\` (it compiles with node-gyp: needs python3, make and a C++ compiler). Details: ${e.message.split('\n')[0]}`,
    );
  }
  if (/directory does not exist/.test(e.message))
    return new Error(`${path}: cannot create the results database: its folder does not exist`);
  const denied = deniedWrite(path);
  if (denied && (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_READONLY')))
    return new Error(
      `permission denied: ${denied} (the results database ${path} needs to write ${denied === path ? 'the file' : 'its folder, for its journal'})`,
    );
  if (code === 'SQLITE_CANTOPEN')
    return new Error(`${path}: cannot open the results database (does its folder exist, and may you write to it?)`);
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_')) {
    return new Error(
      `${path}: the results database is read-only (SQLite needs to write the file and, for its journal, its folder)`,
    );
  }
  if (code === 'SQLITE_FULL') return new Error(`${path}: database or disk is full`);
  if (code === 'SQLITE_BUSY') return new Error(`${path}: the results database is busy (another process is writing it)`);
  return new Error(`${path}: not a recur results database (${e.message})`);
}

/** The trial row of a finished trial (its `attempts`-th run), finished now. */
export function rowOf(spec: TrialSpec, record: TrialRecord, attempts: number): TrialRow {
  return {
    key: spec.key,
    study: spec.study,
    idx: spec.index,
    label: spec.label,
    task: spec.taskName,
    model: spec.modelName,
    seed: spec.seed,
    axes: JSON.stringify(spec.axes),
    config: JSON.stringify(spec),
    status: record.status,
    steps: record.steps,
    diverged_at: record.divergedAt,
    error: record.error,
    solved_at: record.solvedAt,
    final: record.final ? JSON.stringify(record.final) : null,
    summary: JSON.stringify(record.summary),
    seconds: record.seconds,
    finished: new Date().toISOString(),
    attempts,
  };
}

/** A stored trial from its row (files written before `attempts` existed: 1). */
export function storedOf(r: TrialRow, hasAttempts: boolean): StoredTrial {
  return {
    key: r.key,
    attempts: hasAttempts ? (r.attempts ?? 1) : 1,
    index: r.idx,
    label: r.label,
    study: r.study,
    taskName: r.task,
    modelName: r.model,
    seed: r.seed,
    axes: JSON.parse(r.axes) as Record<string, unknown>,
    config: JSON.parse(r.config) as TrialSpec,
    status: r.status,
    steps: r.steps,
    divergedAt: r.diverged_at,
    error: r.error,
    solvedAt: r.solved_at,
    final: r.final ? (JSON.parse(r.final) as Record<string, number>) : null,
    summary: JSON.parse(r.summary) as Record<string, number | null>,
    seconds: r.seconds,
    finishedAt: r.finished,
  };
}
