#!/usr/bin/env node
/**
 * Study throughput: how many trials an hour recur's local pool gets through on this machine, at each worker
 * count, for a fixed slice of the flagship study (bench/study-slice.yaml: 8 trials of a fixed 400 steps, no
 * early stop). Each run is `recur study bench/study-slice.yaml --workers <n> --json --no-report` into a fresh
 * temporary folder, in a process of its own; runs alternate between worker counts (1 2 1 2 …) so that a change
 * in machine load hits them alike. Trials per hour = trials / the run's own seconds (from the study's start to
 * its last trial: pool start-up included, node start-up not).
 *
 *   node bench/throughput.mjs [--workers 1,2] [--runs 2] [--quick]
 *   npm run bench -- --only study          (the same, as a section of the benchmark report)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './stats.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
export const STUDY = here('./study-slice.yaml');

/** One run of the slice with `workers` workers; resolves to { workers, seconds, trials, trialsPerHour }. */
function runOnce(workers, { quick, nodeFlags }) {
  const out = mkdtempSync(join(tmpdir(), 'recur-bench-study-'));
  const args = [...nodeFlags, here('../bin/recur.mjs'), 'study', STUDY, '--out', out, '--workers', String(workers)];
  args.push('--json', '--no-report', ...(quick ? ['--profile', 'quick'] : []));
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      rmSync(out, { recursive: true, force: true });
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        const s = JSON.parse(stdout);
        if (s.failed > 0 || s.ran === 0) throw new Error(`${s.failed} of ${s.ran} trials failed`);
        resolveRun({ workers, seconds: s.seconds, trials: s.ran, trialsPerHour: (s.ran * 3600) / s.seconds });
      } catch (e) {
        reject(
          new Error(
            `recur study --workers ${workers}: ${e.message}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`,
          ),
        );
      }
    });
  });
}

/**
 * Measure the slice at each worker count, `runs` times each, interleaved. Returns { study, description,
 * trials, rows: [{ workers, runs, medianSeconds, trialsPerHour }] } or { error }.
 */
export async function measureThroughput({
  workers = [1, 2],
  runs,
  quick = false,
  nodeFlags = [],
  progress = () => {},
} = {}) {
  const n = runs ?? (quick ? 1 : 2);
  const byWorkers = new Map(workers.map((w) => [w, []]));
  try {
    for (let i = 0; i < n; i++) {
      for (const w of workers) {
        progress(`study throughput: run ${i + 1}/${n} with ${w} worker${w > 1 ? 's' : ''}…`);
        byWorkers.get(w).push(await runOnce(w, { quick, nodeFlags }));
      }
    }
  } catch (e) {
    return { error: e.message };
  }
  const rows = workers.map((w) => {
    const rs = byWorkers.get(w);
    const seconds = median(rs.map((r) => r.seconds));
    return { workers: w, runs: rs, medianSeconds: seconds, trialsPerHour: (rs[0].trials * 3600) / seconds };
  });
  return {
    study: 'bench/study-slice.yaml',
    description: `adding T = 64, plain L = 1, 4, highway L = 4, LSTM, H = 64, 2 seeds, ${quick ? 40 : 400} steps (quick: ${quick})`,
    trials: rows[0]?.runs[0]?.trials ?? 0,
    rows,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values: a } = parseArgs({
    options: {
      workers: { type: 'string', default: '1,2' },
      runs: { type: 'string' },
      quick: { type: 'boolean', default: false },
    },
  });
  const { formatThroughput } = await import('./table.mjs');
  const t = await measureThroughput({
    workers: a.workers.split(',').map(Number),
    runs: a.runs ? Number(a.runs) : undefined,
    quick: a.quick,
    progress: (s) => process.stderr.write(`${s}\n`),
  });
  process.stdout.write(`${formatThroughput(t).join('\n')}\n`);
  if (t.error) process.exitCode = 1;
}
