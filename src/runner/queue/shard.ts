/**
 * Array jobs (Slurm, PBS, Kubernetes indexed jobs) for clusters without Redis: `--shard k/n` runs a
 * deterministic 1/n of a study's trials — dealt round-robin along the study's trial list, so every shard
 * gets a mix of the grid — into its own SQLite file; `merge` combines the files.
 *
 * Every results file written by `recur study` carries its provenance in a small `provenance` table: the
 * recur version, the study's content hash and the shard, so merge can refuse files that do not belong
 * together.
 */
import { type Connection, openDatabase } from '../sqlite.js';
import type { TrialSpec } from '../grid.js';
import { QueueError } from './connection.js';
import { RECUR_VERSION } from './payload.js';
import { openError } from '../store-rows.js';

export interface Shard {
  /** 1 ≤ k ≤ n. */
  k: number;
  n: number;
}

/** Parse "k/n" (1 ≤ k ≤ n); throws a QueueError (a user mistake) naming the problem. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new QueueError(`--shard: expected k/n (e.g. 2/8), got "${text}"`);
  const k = Number(m[1]),
    n = Number(m[2]);
  if (n < 1) throw new QueueError(`--shard ${text}: n must be at least 1`);
  if (k < 1 || k > n)
    throw new QueueError(
      `--shard ${text}: k counts from 1 to n (${k === 0 ? 'for a 0-based array index use $((INDEX + 1))' : `got ${k} > ${n}`})`,
    );
  return { k, n };
}

/**
 * The trials of a shard: units of the study's trial list dealt round-robin in order of first appearance —
 * a unit is one trial, or all trials of one staircase condition (its stages decide on each other's results,
 * so they stay together). The learning-rate pilot's trials are in every shard (each shard needs the whole
 * pilot's choice; they are identical, and merge keeps one copy).
 */
export function selectShard(shard: Shard): (trials: TrialSpec[]) => TrialSpec[] {
  return (trials) => {
    const units = new Map<string, number>();
    return trials.filter((t) => {
      if (t.phase === 'pilot') return true;
      const unit = t.stage ? `stage:${t.stage.group}` : `trial:${t.key}`;
      if (!units.has(unit)) units.set(unit, units.size);
      return units.get(unit)! % shard.n === shard.k - 1;
    });
  };
}

export interface Provenance {
  study: string;
  version: string;
  studyHash: string;
  /** "k/n", or null for the whole study. */
  shard: string | null;
}

const TABLE =
  'CREATE TABLE IF NOT EXISTS provenance (study TEXT PRIMARY KEY, version TEXT NOT NULL, study_hash TEXT NOT NULL, shard TEXT)';

/**
 * Record (or check) which recur version and study definition wrote the results file. A file that already
 * holds results of another version or definition of the same study is refused: mixing them would make the
 * trials incomparable.
 */
export function stampProvenance(db: string, p: Omit<Provenance, 'version'>): void {
  let conn: Connection;
  try {
    conn = openDatabase(db);
  } catch (e) {
    throw openError(db, e as Error); // a folder one may not write, not a database: said as such
  }
  try {
    conn.exec(TABLE);
    const old = conn.prepare('SELECT version, study_hash AS studyHash FROM provenance WHERE study = ?').get(p.study) as
      | { version: string; studyHash: string }
      | undefined;
    if (old && old.version !== RECUR_VERSION)
      throw new QueueError(
        `${db}: holds results of study ${p.study} from recur ${old.version}, this is recur ${RECUR_VERSION}; use another --db`,
      );
    conn
      .prepare('INSERT OR REPLACE INTO provenance (study, version, study_hash, shard) VALUES (?, ?, ?, ?)')
      .run(p.study, RECUR_VERSION, p.studyHash, p.shard);
  } catch (e) {
    throw e instanceof QueueError ? e : openError(db, e as Error);
  } finally {
    conn.close();
  }
}

/** The provenance rows of a results file (empty if it has none: written by an older recur). */
export function readProvenance(conn: Connection): Provenance[] {
  const has = conn.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'provenance'").get();
  if (!has) return [];
  return conn.prepare('SELECT study, version, study_hash AS studyHash, shard FROM provenance').all() as Provenance[];
}
