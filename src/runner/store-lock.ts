/**
 * One writer per results database: a `recur study` holds the store's lock while it runs, so a second
 * process on the same output refuses (naming the holder) instead of running every trial again. The lock is
 * a row taken inside an IMMEDIATE transaction (SQLite serialises the check and the take-over, so two
 * starters cannot both win). A lock left by a process that died (SIGKILL, power loss) is taken over: on
 * the same host when its pid no longer exists, from another host when its heartbeat is older than
 * {@link STALE_AFTER_MS}.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Connection } from './sqlite.js';

export const LOCK_SCHEMA =
  'CREATE TABLE IF NOT EXISTS lock (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL, token TEXT NOT NULL, started TEXT NOT NULL, heartbeat TEXT NOT NULL);';

/** A lock whose holder is on another host and has not refreshed it for this long is considered abandoned. */
export const STALE_AFTER_MS = 10 * 60 * 1000;

/** The store is locked by a live process. */
export class StoreLockedError extends Error {
  override name = 'StoreLockedError';
}

interface LockRow {
  pid: number;
  host: string;
  token: string;
  started: string;
  heartbeat: string;
}

/** A held lock: refresh it now and then, release it at the end. */
export interface StoreLock {
  /** The dead holder whose lock was taken over, if any (for a notice). */
  readonly tookOverFrom: { pid: number; host: string; started: string } | null;
  heartbeat(): void;
  release(): void;
}

/** Whether a process with this pid exists on this host (EPERM: it exists but belongs to someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take the lock of the database `db` (at `path`, for messages).
 * @throws StoreLockedError naming the holder's pid (and host) when a live process holds it.
 */
export function acquireStoreLock(db: Connection, path: string): StoreLock {
  const me = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex') };
  const take = db.transaction((): StoreLock['tookOverFrom'] => {
    const row = db.prepare('SELECT pid, host, token, started, heartbeat FROM lock WHERE id = 1').get() as
      | LockRow
      | undefined;
    if (row) {
      const live = row.host === me.host ? alive(row.pid) : Date.now() - Date.parse(row.heartbeat) < STALE_AFTER_MS;
      if (live) {
        throw new StoreLockedError(
          `${path} is in use by another recur study (pid ${row.pid}${row.host === me.host ? '' : ` on ${row.host}`}, running since ${row.started}): wait for it to finish or stop it, or use another --out`,
        );
      }
    }
    const now = new Date().toISOString();
    db.prepare('INSERT OR REPLACE INTO lock (id, pid, host, token, started, heartbeat) VALUES (1, ?, ?, ?, ?, ?)').run(
      me.pid,
      me.host,
      me.token,
      now,
      now,
    );
    return row ? { pid: row.pid, host: row.host, started: row.started } : null;
  });
  const tookOverFrom = take.immediate();
  return {
    tookOverFrom,
    heartbeat: () => {
      db.prepare('UPDATE lock SET heartbeat = ? WHERE id = 1 AND token = ?').run(new Date().toISOString(), me.token);
    },
    release: () => {
      db.prepare('DELETE FROM lock WHERE id = 1 AND token = ?').run(me.token);
    },
  };
}
