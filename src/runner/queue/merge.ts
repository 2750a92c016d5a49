/**
 * Merging results files (shards of one study run as array jobs): every input must hold the same studies,
 * with the same definitions (content hash) and the same recur version, or the merge is refused. Trials are
 * copied whole (row, metrics, curves). A trial present in several inputs is a duplicate: kept once, and
 * reported — as a conflict if its record differs (apart from timing), in which case the first copy wins.
 * The output is written to a temporary file and renamed into place; if it exists already, it is part of
 * the merge (so shards can be merged in as they finish).
 */
import { createHash } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { type Connection, openDatabase } from '../sqlite.js';
import { canonical } from '../variants.js';
import { ResultStore } from '../store.js';
import { QueueError } from './connection.js';
import { readProvenance } from './shard.js';

export interface MergeInput {
  path: string;
  trials: number;
  /** Trials copied into the output from this input. */
  added: number;
  /** Trials already present with the same record. */
  duplicates: number;
  /** Trials already present with a different record (the earlier copy is kept). */
  conflicts: string[];
}

export interface MergeSummary {
  out: string;
  studies: string[];
  version: string;
  trials: number;
  inputs: MergeInput[];
}

interface Identity {
  studies: Map<string, string>;
  version: string;
}

/** What a results file holds: its studies (name → definition hash) and the recur version that wrote it. */
function identify(conn: Connection, path: string): Identity {
  let rows: { name: string; config: string }[];
  try {
    rows = conn.prepare('SELECT name, config FROM study ORDER BY name').all() as { name: string; config: string }[];
    conn.prepare('SELECT key FROM trial LIMIT 1').all();
  } catch {
    throw new QueueError(`${path}: not a recur results database`);
  }
  if (rows.length === 0) throw new QueueError(`${path}: holds no study`);
  const studies = new Map(
    rows.map((r) => [
      r.name,
      createHash('sha256')
        .update(canonical(JSON.parse(r.config)))
        .digest('hex'),
    ]),
  );
  const versions = [...new Set(readProvenance(conn).map((p) => p.version))];
  if (versions.length > 1)
    throw new QueueError(`${path}: holds results of several recur versions (${versions.join(', ')})`);
  return { studies, version: versions[0] ?? 'unknown' };
}

function describe(id: Identity): string {
  return [...id.studies.keys()].join(', ');
}

/** Refuse inputs that do not belong together; returns the common identity. */
function checkTogether(ids: { path: string; id: Identity }[]): Identity {
  const first = ids[0];
  for (const { path, id } of ids.slice(1)) {
    if (describe(id) !== describe(first.id))
      throw new QueueError(
        `${path} holds study ${describe(id)}, ${first.path} holds ${describe(first.id)}: refusing to merge different studies`,
      );
    for (const [name, hash] of id.studies) {
      if (first.id.studies.get(name) !== hash)
        throw new QueueError(
          `${path} and ${first.path} hold different definitions of study ${name} (content hashes ${hash.slice(0, 12)} ≠ ${first.id.studies.get(name)!.slice(0, 12)}): refusing to merge`,
        );
    }
    if (id.version !== first.id.version)
      throw new QueueError(
        `${path} was written by recur ${id.version}, ${first.path} by recur ${first.id.version}: refusing to merge`,
      );
  }
  return first.id;
}

/** A trial's stored content apart from timing, for telling a duplicate from a conflict. */
function content(conn: Connection, schema: string, key: string): string {
  const row = conn.prepare(`SELECT * FROM ${schema}.trial WHERE key = ?`).get(key) as Record<string, unknown>;
  delete row.seconds;
  delete row.finished;
  delete row.attempts; // how often it was tried, not what it produced
  const metrics = conn
    .prepare(`SELECT step, name, value FROM ${schema}.metric WHERE trial = ? ORDER BY name, step`)
    .all(key);
  const curves = conn
    .prepare(`SELECT kind, step, layer, data FROM ${schema}.curve WHERE trial = ? ORDER BY kind, step, layer`)
    .all(key);
  return JSON.stringify([canonical(row), metrics, curves]);
}

/** Merge results files into `out` (which may exist: it then takes part). */
export function mergeResults(out: string, inputs: string[]): MergeSummary {
  if (inputs.length === 0) throw new QueueError('merge: name at least one input file');
  const seen = new Set<string>();
  for (const p of inputs) {
    if (!existsSync(p)) throw new QueueError(`${p}: no such file`);
    if (seen.has(p)) throw new QueueError(`${p}: named twice`);
    seen.add(p);
  }
  const all = existsSync(out) ? [out, ...inputs.filter((p) => p !== out)] : inputs;
  const ids = all.map((path) => {
    const conn = openDatabase(path, { readonly: true, fileMustExist: true });
    try {
      return { path, id: identify(conn, path) };
    } finally {
      conn.close();
    }
  });
  const identity = checkTogether(ids);
  const tmp = `${out}.merge-${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  if (existsSync(out)) {
    const src = openDatabase(out, { readonly: true });
    src.prepare('VACUUM INTO ?').run(tmp);
    src.close();
  }
  new ResultStore(tmp).close(); // the schema (a no-op on a copy)
  const conn = openDatabase(tmp);
  const summary: MergeSummary = {
    out,
    studies: [...identity.studies.keys()],
    version: identity.version,
    trials: 0,
    inputs: [],
  };
  try {
    conn.exec(
      'CREATE TABLE IF NOT EXISTS provenance (study TEXT PRIMARY KEY, version TEXT NOT NULL, study_hash TEXT NOT NULL, shard TEXT)',
    );
    const names = (schema: string, table: string): string[] =>
      (conn.prepare(`PRAGMA ${schema}.table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    const columns = (table: string): string => names('main', table).join(', ');
    const [trialCols, metricCols, curveCols] = [columns('trial'), columns('metric'), columns('curve')];
    for (const path of inputs.filter((p) => p !== out)) {
      conn.prepare('ATTACH DATABASE ? AS src').run(path);
      try {
        conn.transaction(() => {
          const studyCols = names('main', 'study')
            .filter((c) => names('src', 'study').includes(c))
            .join(', ');
          conn.exec(`INSERT OR IGNORE INTO main.study (${studyCols}) SELECT ${studyCols} FROM src.study`);
          // which trials belong to the study's current definition (each shard lists its own)
          if (names('src', 'expansion').length)
            conn.exec('INSERT OR IGNORE INTO main.expansion (study, key) SELECT study, key FROM src.expansion');
          const stamp = conn.prepare(
            'INSERT OR REPLACE INTO main.provenance (study, version, study_hash, shard) VALUES (?, ?, ?, NULL)',
          );
          for (const [name, hash] of identity.studies) stamp.run(name, identity.version, hash);
          const keys = (conn.prepare('SELECT key FROM src.trial').all() as { key: string }[]).map((r) => r.key);
          const input: MergeInput = { path, trials: keys.length, added: 0, duplicates: 0, conflicts: [] };
          const exists = conn.prepare('SELECT 1 FROM main.trial WHERE key = ?');
          const fresh: string[] = [];
          for (const key of keys) {
            if (!exists.get(key)) fresh.push(key);
            else if (content(conn, 'main', key) === content(conn, 'src', key)) input.duplicates++;
            else input.conflicts.push(key);
          }
          const copyTrial = conn.prepare(
            `INSERT INTO main.trial (${trialCols}) SELECT ${trialCols} FROM src.trial WHERE key = ?`,
          );
          const copyMetrics = conn.prepare(
            `INSERT INTO main.metric (${metricCols}) SELECT ${metricCols} FROM src.metric WHERE trial = ?`,
          );
          const copyCurves = conn.prepare(
            `INSERT INTO main.curve (${curveCols}) SELECT ${curveCols} FROM src.curve WHERE trial = ?`,
          );
          for (const key of fresh) {
            copyTrial.run(key);
            copyMetrics.run(key);
            copyCurves.run(key);
          }
          input.added = fresh.length;
          summary.inputs.push(input);
        })();
      } finally {
        conn.exec('DETACH DATABASE src');
      }
    }
    summary.trials = (conn.prepare('SELECT count(*) AS n FROM main.trial').get() as { n: number }).n;
  } catch (e) {
    conn.close();
    rmSync(tmp, { force: true });
    throw e;
  }
  conn.close();
  for (const suffix of ['-wal', '-shm']) rmSync(`${out}${suffix}`, { force: true });
  renameSync(tmp, out);
  return summary;
}
