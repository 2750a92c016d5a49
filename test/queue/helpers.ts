/**
 * Helpers for the queue tests: every test gets its own queue name on the shared Redis (so tests never
 * collide); tests that restart Redis start their own server on a free port. Results are compared as stored
 * records with the timing fields left out.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { BIN, ROOT } from '../cli/helpers.js';

export const REDIS = process.env.RECUR_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** A queue name no other test uses. */
export function uniqueQueue(label: string): string {
  return `test-${label}-${randomUUID().slice(0, 8)}`;
}

/** Remove every key of a test's queue. */
export async function dropQueue(name: string, url = REDIS): Promise<void> {
  const u = new URL(url);
  const queue = new Queue(name, {
    connection: { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null },
  });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}

/** Jobs on a test's queue, in any state. */
export async function jobsOn(name: string, url = REDIS): Promise<number> {
  const u = new URL(url);
  const queue = new Queue(name, {
    connection: { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null },
  });
  try {
    const counts = await queue.getJobCounts();
    return Object.values(counts).reduce((a, b) => a + b, 0);
  } finally {
    await queue.close();
  }
}

/** Is the worker process in the middle of a trial (its last trial line is a start)? */
export function midTrial(p: Proc): boolean {
  const lines = p
    .output()
    .split('\n')
    .filter((l) => / (start|done|failed|diverged) /.test(l));
  return lines.length > 0 && / start /.test(lines[lines.length - 1]);
}

/** A temporary folder for a test file. */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `recur-${label}-`));
}

/** A started `recur` process with its output collected. */
export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Start the CLI (compiled dist/, as a user would run it). */
export function start(args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Wait until `predicate` holds (polling), or fail after `ms`. */
export async function until(predicate: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Trials recorded in a results file so far (0 if it does not exist yet). */
export function countTrials(db: string): number {
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (conn.prepare('SELECT count(*) AS n FROM trial').get() as { n: number }).n;
    } finally {
      conn.close();
    }
  } catch {
    return 0;
  }
}

/** Everything a results file stores about its trials, except when and how long (seconds, finished). */
export function storedResults(db: string): {
  trials: Record<string, unknown>[];
  metrics: unknown[];
  curves: unknown[];
} {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const trials = (conn.prepare('SELECT * FROM trial ORDER BY key').all() as Record<string, unknown>[]).map(
      ({ seconds: _s, finished: _f, ...rest }) => rest,
    );
    const metrics = conn.prepare('SELECT * FROM metric ORDER BY trial, name, step').all();
    const curves = conn.prepare('SELECT * FROM curve ORDER BY trial, kind, step, layer').all();
    return { trials, metrics, curves };
  } finally {
    conn.close();
  }
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Start a private redis-server (no persistence) on `port`; resolves when it answers PING. */
export async function startRedis(port: number, dir: string): Promise<void> {
  const r = spawnSync(
    'redis-server',
    [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--logfile',
      join(dir, `redis-${port}.log`),
      '--pidfile',
      join(dir, `redis-${port}.pid`),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`redis-server did not start: ${r.stderr}`);
  await until(
    () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG',
    10_000,
    `redis on port ${port}`,
  );
}

/** Stop a private redis-server without saving (its data is gone, as after a crash of a server without persistence). */
export function stopRedis(port: number): void {
  spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { encoding: 'utf8' });
}
