#!/usr/bin/env node
/**
 * Memory of recur training W1: peak RSS, and growth over 1,000 steps after a warm-up. Every `every` steps
 * (after a full GC) it samples the RSS, the JS heap, the wasm memory's size and the bytes in live wasm
 * heap blocks, and fails loudly (exit code 1) when memory grows:
 *   - wasm heap in use, wasm memory size: any growth at all. A training step replays a tape recorded
 *     once, so after the warm-up it allocates nothing; one more live block is a leak.
 *   - RSS, JS heap (noisy): growth that is steady — the least-squares slope projects more than the
 *     tolerance (RSS 8 MiB, JS heap 1 MiB per 1,000 steps; at least 4 and 0.5 MiB) *and* the series rose
 *     in ≥ 70% of the intervals.
 *
 *   node --expose-gc bench/memory.mjs [--quick] [--json] [--steps 1000] [--every 100] [--warmup 20]
 *   npm run bench -- --memory          (the same check, in a child process of its own)
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createRecurRunner, loadRecur } from './recur.mjs';
import { peakRss } from './timing.mjs';
import { workload } from './workloads.mjs';
import { formatMemory } from './table.mjs';

const MiB = 2 ** 20;
const TOLERANCE_PER_1000 = { rss: 8 * MiB, jsHeap: 1 * MiB };
/** Short runs get at least this much slack: the JS heap settles (JIT, inline caches) in the first tens of steps. */
const TOLERANCE_FLOOR = { rss: 4 * MiB, jsHeap: 0.5 * MiB };
const tolerance = (key, steps) => Math.max(TOLERANCE_FLOOR[key], (TOLERANCE_PER_1000[key] * steps) / 1000);

/** Train `workloadId` for `steps` steps after `warmup`, sampling memory every `every` steps. */
export async function checkMemory(lib, { workloadId = 'W1', steps = 1000, every = 100, warmup = 20, onSample } = {}) {
  const w = workload(workloadId);
  const runner = createRecurRunner(lib, w);
  for (let i = 0; i < warmup; i++) runner.step();
  const samples = [];
  const sample = (step) => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    const s = {
      step,
      rss: m.rss,
      jsHeap: m.heapUsed,
      wasmMemory: runner.wasmMemoryBytes(),
      wasmHeapUsed: runner.wasmHeapUsedBytes(),
    };
    samples.push(s);
    onSample?.(s);
  };
  sample(0);
  for (let step = 1; step <= steps; step++) {
    runner.step();
    if (step % every === 0 || step === steps) sample(step);
  }
  runner.dispose();
  const series = [
    analyse('wasm heap in use', samples, 'wasmHeapUsed', 0),
    analyse('wasm memory', samples, 'wasmMemory', 0),
    analyse('JS heap', samples, 'jsHeap', tolerance('jsHeap', steps)),
    analyse('RSS', samples, 'rss', tolerance('rss', steps)),
  ].filter((s) => s.first !== null);
  return {
    workload: w.id,
    steps,
    every,
    warmup,
    peakRssBytes: peakRss(),
    globalGc: typeof globalThis.gc === 'function',
    samples,
    series,
    ok: series.every((s) => !s.leak),
  };
}

/** Growth of one series; `tolerance` 0 means any growth is a leak, otherwise only steady growth past it. */
export function analyse(name, samples, key, tolerance) {
  const ys = samples.map((s) => s[key]);
  if (ys[0] === null) return { name, first: null };
  const xs = samples.map((s) => s.step);
  const n = ys.length,
    mx = xs.reduce((a, b) => a + b) / n,
    my = ys.reduce((a, b) => a + b) / n;
  let sxy = 0,
    sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const slopePerStep = sxx > 0 ? sxy / sxx : 0;
  let rises = 0;
  for (let i = 1; i < n; i++) if (ys[i] > ys[i - 1]) rises++;
  const first = ys[0],
    last = ys[n - 1],
    growth = last - first,
    steps = xs[n - 1] - xs[0];
  let leak = null;
  if (tolerance === 0 && growth > 0)
    leak = `grew by ${growth} bytes after the warm-up (a replayed step should allocate nothing)`;
  if (tolerance > 0 && slopePerStep * steps > tolerance && rises >= 0.7 * (n - 1)) {
    leak = `grows steadily: ${((slopePerStep * steps) / MiB).toFixed(2)} MiB over ${steps} steps (tolerance ${(tolerance / MiB).toFixed(2)} MiB)`;
  }
  return { name, key, first, last, growth, slopePerStep, rises, intervals: n - 1, leak };
}

async function main() {
  const { values: a } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      steps: { type: 'string' },
      every: { type: 'string' },
      warmup: { type: 'string' },
    },
  });
  const steps = Number(a.steps ?? (a.quick ? 200 : 1000));
  const every = Number(a.every ?? (a.quick ? 20 : 100));
  const warmup = Number(a.warmup ?? (a.quick ? 5 : 20));
  if (typeof globalThis.gc !== 'function')
    process.stderr.write('memory: run with node --expose-gc for exact samples\n');
  const lib = await loadRecur();
  const report = await checkMemory(lib, {
    steps,
    every,
    warmup,
    onSample: (s) =>
      process.stderr.write(
        `  memory step ${String(s.step).padStart(5)}: RSS ${(s.rss / MiB).toFixed(1)} MiB, JS heap ${(s.jsHeap / MiB).toFixed(2)} MiB, wasm memory ${(s.wasmMemory / MiB).toFixed(1)} MiB, wasm heap in use ${s.wasmHeapUsed} B\n`,
      ),
  });
  process.stdout.write(a.json ? `${JSON.stringify(report)}\n` : `${formatMemory(report).join('\n')}\n`);
  if (!report.ok) {
    process.stderr.write(
      `\n*** MEMORY LEAK: ${report.series
        .filter((s) => s.leak)
        .map((s) => `${s.name} ${s.leak}`)
        .join('; ')} ***\n`,
    );
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
