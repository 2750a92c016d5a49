#!/usr/bin/env node
/**
 * `npm run bench:queue`: trials per hour for one study slice run by the local thread pool (1 and 2 threads)
 * and through the Redis queue with 1, 2 and 4 `recur worker` processes (loopback Redis), and the queue's
 * overhead per trial in milliseconds.
 *
 *   npm run bench:queue                                   # Redis at redis://127.0.0.1:6379
 *   npm run bench:queue -- --redis redis://host:6379 --trials 16 --steps 300 --workers 1,2,4
 *
 * Rates are the steady state: (trials − 1) / (last finish − first finish), from the `finished` times in the
 * results file, so process start-up and the model/wasm set-up before the first trial do not count; wall
 * time is shown beside them. Overhead: the same rate on near-empty trials (1 step, H = 4), queue (1 worker)
 * against local (1 thread): the difference in time per trial is what the queue adds (job fetch, lock,
 * result through Redis, collection and the SQLite write by the coordinator).
 * Needs the compiled library (`npm run build`). Each configuration uses its own queue name.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';

const { values: opt } = parseArgs({
  options: {
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    trials: { type: 'string', default: '16' },
    steps: { type: 'string', default: '300' },
    workers: { type: 'string', default: '1,2,4' },
    tiny: { type: 'string', default: '60' },
  },
});
const BIN = fileURLToPath(new URL('../bin/recur.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'recur-bench-queue-'));

function studyFile(name, trials, steps, hidden, T) {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `name: ${name}\nseeds: ${trials}\ntraining: { steps: ${steps}, batchSize: 16, optimizer: { kind: adam, lr: 0.005 } }\n` +
      `tasks: { adding: { kind: adding, T: ${T} } }\nmodels: { tanh: { cell: { kind: vanilla, hidden: ${hidden} } } }\n`,
  );
  return path;
}

function run(args, { waitFor } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = waitFor
    ? new Promise((resolve) => {
        const t = setInterval(() => {
          if (waitFor.test(out)) {
            clearInterval(t);
            resolve();
          }
        }, 50);
      })
    : Promise.resolve();
  return { child, exited, ready, output: () => out };
}

/** Steady trials per hour from the finish times, and seconds per trial. */
function rate(db) {
  const conn = new Database(db, { readonly: true });
  const times = conn
    .prepare('SELECT finished FROM trial ORDER BY finished')
    .all()
    .map((r) => Date.parse(r.finished));
  conn.close();
  const span = (times[times.length - 1] - times[0]) / 1000;
  return {
    perHour: ((times.length - 1) / span) * 3600,
    perTrialMs: (span / (times.length - 1)) * 1000,
    n: times.length,
  };
}

async function local(study, threads, label) {
  const db = join(dir, `${label}.db`);
  const t0 = Date.now();
  const p = run(['study', study, '--db', db, '--no-report', '--quiet', '--workers', String(threads)]);
  if ((await p.exited) !== 0) throw new Error(p.output());
  return { label, wall: (Date.now() - t0) / 1000, ...rate(db) };
}

async function queued(study, workers, label) {
  const name = `bench-${randomUUID().slice(0, 8)}`;
  const db = join(dir, `${label}.db`);
  const ws = Array.from({ length: workers }, () =>
    run(['worker', '--queue', opt.redis, '--queue-name', name], { waitFor: /serving queue/ }),
  );
  await Promise.all(ws.map((w) => w.ready));
  const t0 = Date.now();
  const c = run(['study', study, '--queue', opt.redis, '--queue-name', name, '--db', db, '--no-report', '--quiet']);
  if ((await c.exited) !== 0) throw new Error(c.output());
  const wall = (Date.now() - t0) / 1000;
  for (const w of ws) w.child.kill('SIGTERM');
  await Promise.all(ws.map((w) => w.exited));
  const u = new URL(opt.redis);
  const q = new Queue(name, {
    connection: { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null },
  });
  await q.obliterate({ force: true });
  await q.close();
  return { label, wall, ...rate(db) };
}

const fmt = (r) =>
  `| ${r.label.padEnd(30)} | ${String(r.n).padStart(6)} | ${r.perHour.toFixed(0).padStart(12)} | ${r.perTrialMs.toFixed(1).padStart(10)} | ${r.wall.toFixed(1).padStart(7)} |`;
process.stdout.write(
  `recur queue benchmark — ${new Date().toISOString()}; ${cpus().length} cores; load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
);
const slice = studyFile('bench-slice', Number(opt.trials), Number(opt.steps), 32, 30);
process.stdout.write(
  `slice: ${opt.trials} trials, vanilla tanh H=32 on adding T=30, ${opt.steps} steps of batch 16; Redis ${opt.redis}\n\n`,
);
process.stdout.write(
  '| configuration                  | trials | trials/hour  | ms / trial | wall s  |\n|---|---:|---:|---:|---:|\n',
);
const rows = [];
for (const threads of [1, 2])
  rows.push(await local(slice, threads, `local pool, ${threads} thread${threads > 1 ? 's' : ''}`));
for (const w of opt.workers.split(',').map(Number))
  rows.push(await queued(slice, w, `queue, ${w} worker process${w > 1 ? 'es' : ''}`));
for (const r of rows) process.stdout.write(`${fmt(r)}\n`);
const tiny = studyFile('bench-tiny', Number(opt.tiny), 1, 4, 5);
const a = await local(tiny, 1, 'tiny trials, local 1 thread');
const b = await queued(tiny, 1, 'tiny trials, queue 1 worker');
process.stdout.write(
  `${fmt(a)}\n${fmt(b)}\n\nqueue overhead per trial: ${(b.perTrialMs - a.perTrialMs).toFixed(1)} ms (${opt.tiny} trials of 1 step; queue ${b.perTrialMs.toFixed(1)} ms vs local ${a.perTrialMs.toFixed(1)} ms per trial)\n`,
);
process.stdout.write(
  `load average at end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
);
