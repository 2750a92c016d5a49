/**
 * Runs the fuzz driver (driver.mjs) in a child process with a capped heap, watching it: a case that uses
 * more than `caseTimeoutMs` of CPU time (or, blocked without computing, four times that in wall time), a
 * resident set past `rssCapMb`, or a child that dies is a failure naming the case, so a regression fails
 * the test instead of hanging or killing vitest. CPU time, not wall time, is the main clock: on a loaded
 * machine a case that needs 2 s of CPU can take 20 s of wall time without anything being wrong.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FuzzOutcome {
  i: number;
  what: string;
  outcome: 'ok' | 'error' | 'bad';
  ms: number;
  rss: number;
  message: string;
}
export interface FuzzRun {
  outcomes: FuzzOutcome[];
  failures: string[];
  counts: Record<string, number>;
  maxRss: number;
  seconds: number;
}

const DRIVER = fileURLToPath(new URL('./driver.mjs', import.meta.url));

/** Cases per run: RECUR_FUZZ_COUNT (for large runs), else `fallback`. */
export function fuzzCount(fallback: number): number {
  const n = Number(process.env.RECUR_FUZZ_COUNT);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The seed: RECUR_FUZZ_SEED, else a fixed one (CI runs are reproducible). */
export function fuzzSeed(): number {
  const n = Number(process.env.RECUR_FUZZ_SEED);
  return Number.isInteger(n) ? n : 20261202;
}

/** CPU time (user + system) the process has used, in ms (0 when /proc is not there). */
function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0; // not Linux, or the process just ended
  }
}

export function runFuzz(
  kind: 'study' | 'model',
  options: { seed: number; count: number; heapMb?: number; caseTimeoutMs?: number; rssCapMb?: number },
): Promise<FuzzRun> {
  const { seed, count, heapMb = 512, caseTimeoutMs = 15_000, rssCapMb = 1536 } = options;
  const dir = mkdtempSync(join(tmpdir(), `recur-fuzz-${kind}-`));
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${heapMb}`, DRIVER, kind, String(seed), String(count), dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const outcomes: FuzzOutcome[] = [],
      failures: string[] = [];
    let current: { i: number; what: string; since: number; cpu: number } | null = null;
    let buffered = '',
      stderr = '',
      maxRss = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const o = JSON.parse(buffered.slice(0, nl)) as {
          i: number;
          start?: string;
          outcome?: FuzzOutcome['outcome'];
          ms?: number;
          rss?: number;
          message?: string;
        };
        buffered = buffered.slice(nl + 1);
        if (o.start !== undefined) current = { i: o.i, what: o.start, since: Date.now(), cpu: cpuMsOf(child.pid!) };
        else if (current) {
          outcomes.push({
            i: o.i,
            what: current.what,
            outcome: o.outcome!,
            ms: o.ms!,
            rss: o.rss!,
            message: o.message ?? '',
          });
          if (o.outcome === 'bad') failures.push(`case ${o.i} (${current.what}): unclean failure: ${o.message}`);
          current = null;
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    let killed = false;
    const kill = (why: string): void => {
      if (killed) return;
      killed = true;
      failures.push(`case ${current?.i ?? '?'} (${current?.what ?? 'between cases'}): ${why}`);
      child.kill('SIGKILL');
    };
    const watch = setInterval(() => {
      const rss = rssOf(child.pid!);
      maxRss = Math.max(maxRss, rss);
      if (rss > rssCapMb) kill(`resident memory ${rss.toFixed(0)} MB, over the cap of ${rssCapMb} MB`);
      else if (current && cpuMsOf(child.pid!) - current.cpu > caseTimeoutMs)
        kill(`still computing after ${caseTimeoutMs} ms of CPU time (hang?)`);
      else if (current && Date.now() - current.since > 4 * caseTimeoutMs)
        kill(`still running after ${4 * caseTimeoutMs} ms (blocked?)`);
    }, 100);
    child.on('exit', (code, signal) => {
      clearInterval(watch);
      if ((code !== 0 || signal) && !failures.length)
        failures.push(
          `driver died (code ${code}, signal ${signal}) during case ${current?.i ?? '?'} (${current?.what ?? '-'}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        );
      if (!failures.length && outcomes.length !== count)
        failures.push(`driver reported ${outcomes.length} of ${count} cases`);
      const counts: Record<string, number> = { ok: 0, error: 0, bad: 0 };
      for (const o of outcomes) counts[o.outcome]++;
      resolve({ outcomes, failures, counts, maxRss, seconds: (Date.now() - t0) / 1000 });
    });
  });
}
