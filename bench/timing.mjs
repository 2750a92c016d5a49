/**
 * Timing, the child's side. A framework runs in a process of its own (bench/child.mjs, bench/torch_bench.py)
 * that builds the workload, takes `warmup` untimed steps, prints `@@ready {"stepMs": …}` and then serves the
 * parent's rounds (bench/rounds.mjs) over stdin, one command a line:
 *   run <k> <rewarm>   take `rewarm` untimed steps (caches and worker threads warm again after the other
 *                      frameworks' turns), then k steps each timed on its own: prints
 *                      `@@samples {"wall": [ms, …], "cpu": [ms, …]}` — wall-clock and CPU time (the process's
 *                      user + system time, all its threads) of each step
 *   end                (or end of input) stop serving
 * So the frameworks of a workload take turns, A B C A B C …, and a change in machine load hits them alike.
 */
import { createInterface } from 'node:readline';

/**
 * Repeat policies: `full` for a real run, `quick` for a smoke run; slow peers (TF.js cpu, seconds a step)
 * get fewer rounds. A framework takes part in `rounds` rounds (spread over the run's rounds when fewer) and
 * runs enough steps per round for about budgetMs / rounds of timed work, at least
 * ⌈minRepeats / rounds⌉ and at most ⌊maxRepeats / rounds⌋ (never fewer than 1).
 */
export const POLICIES = {
  full: {
    default: { warmup: 5, rounds: 15, rewarm: 1, minRepeats: 15, maxRepeats: 300, budgetMs: 6000 },
    slow: { warmup: 1, rounds: 5, rewarm: 0, minRepeats: 5, maxRepeats: 10, budgetMs: 6000 },
  },
  quick: {
    default: { warmup: 2, rounds: 3, rewarm: 1, minRepeats: 3, maxRepeats: 30, budgetMs: 1000 },
    slow: { warmup: 1, rounds: 1, rewarm: 0, minRepeats: 1, maxRepeats: 2, budgetMs: 1000 },
  },
};

/** This process's CPU time (user + system, all threads), in ms. */
export function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Time one call of `step` (which completes its work before it returns or its Promise resolves), in ms. */
async function timeOne(step) {
  const t0 = performance.now();
  await step();
  return performance.now() - t0;
}

/**
 * Warm `step` up, announce readiness, and serve `run` commands from stdin until `end`. `write` prints one
 * line to stdout. Returns the number of timed steps taken.
 */
export async function serveRounds(step, warmup, write) {
  let last = Number.NaN;
  for (let i = 0; i < warmup; i++) last = await timeOne(step);
  if (!(warmup > 0)) last = await timeOne(step);
  write(`@@ready ${JSON.stringify({ stepMs: last })}`);
  let timed = 0;
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, k = '1', rewarm = '0'] = line.trim().split(/\s+/);
    if (cmd === 'end') break;
    if (cmd !== 'run') continue;
    for (let i = 0; i < Number(rewarm); i++) await step();
    globalThis.gc?.(); // each round starts from a clean JS heap (node --expose-gc)
    const wall = [],
      cpu = [];
    for (let i = 0; i < Number(k); i++) {
      const c0 = cpuMs();
      wall.push(await timeOne(step));
      cpu.push(cpuMs() - c0);
    }
    timed += wall.length;
    write(`@@samples ${JSON.stringify({ wall, cpu })}`);
  }
  return timed;
}

/** Peak resident set size of this process so far, in bytes. */
export function peakRss() {
  return process.resourceUsage().maxRSS * 1024;
}
