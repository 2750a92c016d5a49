#!/usr/bin/env node
/**
 * One framework × one workload, in a process of its own (bench/run.mjs spawns one per pair and configuration,
 * so each peak RSS belongs to one framework running one workload). Builds the workload, warms it up, then
 * serves the parent's interleaved rounds over stdin (bench/timing.mjs: `run <k> <rewarm>` … `end`). Last it
 * prints one line `@@result {json}`:
 *   { peer, workload, status: 'ok' | 'n/a' | 'error', loss, timed, warmup, baseRssBytes (after loading the
 *     framework), peakRssBytes, info, reason? }
 * (the step times went out with each round's `@@samples` line).
 *
 *   echo "run 10" | node --expose-gc bench/child.mjs --peer recur --workload W1 [--warmup 5] [--tfjs-impl loop]
 */
import { parseArgs } from 'node:util';
import { peakRss, serveRounds } from './timing.mjs';
import { workload } from './workloads.mjs';

const { values: args } = parseArgs({
  options: {
    peer: { type: 'string' },
    workload: { type: 'string' },
    warmup: { type: 'string', default: '5' },
    'tfjs-impl': { type: 'string', default: 'loop' },
  },
});
const w = workload(args.workload);
const result = { peer: args.peer, workload: w.id, status: 'ok' };
const write = (line) => process.stdout.write(`${line}\n`);

try {
  const runner = await createRunner(args.peer);
  const warmup = Number(args.warmup);
  const timed = await serveRounds(runner.step, warmup, write);
  const loss = await runner.step();
  if (!Number.isFinite(loss)) throw new Error(`the loss is ${loss} after ${warmup + timed + 1} steps`);
  Object.assign(result, { loss, timed, warmup, info: runner.info, peakRssBytes: peakRss() });
  runner.dispose();
} catch (e) {
  result.status = e.name === 'NotAvailable' ? 'n/a' : 'error';
  result.reason = e.name === 'NotAvailable' ? e.message : String(e.stack ?? e);
  result.peakRssBytes = peakRss();
}
write(`@@result ${JSON.stringify(result)}`);
process.exit(0); // TF.js and recur's thread pool keep nothing alive that matters now

async function createRunner(peer) {
  if (peer === 'recur') {
    const { loadRecur, createRecurRunner } = await import('./recur.mjs');
    const lib = await loadRecur();
    result.baseRssBytes = process.memoryUsage().rss;
    return createRecurRunner(lib, w);
  }
  if (peer === 'tfjs-wasm' || peer === 'tfjs-cpu') {
    const { loadTfjs, createTfjsRunner } = await import('./tfjs.mjs');
    const tf = await loadTfjs(peer === 'tfjs-wasm' ? 'wasm' : 'cpu');
    result.baseRssBytes = process.memoryUsage().rss;
    return createTfjsRunner(tf, w, args['tfjs-impl']);
  }
  throw new Error(`child.mjs runs recur, tfjs-wasm and tfjs-cpu (PyTorch runs in torch_bench.py), not '${peer}'`);
}
