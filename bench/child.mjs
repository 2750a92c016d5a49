#!/usr/bin/env node
/**
 * One framework × one workload, in a process of its own (bench/run.mjs spawns one per pair, so each peak RSS
 * belongs to one framework running one workload). Prints one line `@@result {json}`:
 *   { peer, workload, status: 'ok' | 'n/a' | 'error', medianMs, minMs, repeats, warmup, samples,
 *     baseRssBytes (after loading the framework), peakRssBytes, info, reason? }
 *
 *   node --expose-gc bench/child.mjs --peer recur --workload W1 [--policy '{"warmup":5,...}'] [--tfjs-impl loop]
 */
import { parseArgs } from 'node:util';
import { POLICIES, peakRss, timeSteps } from './timing.mjs';
import { workload } from './workloads.mjs';

const { values: args } = parseArgs({
  options: {
    peer: { type: 'string' },
    workload: { type: 'string' },
    policy: { type: 'string' },
    'tfjs-impl': { type: 'string', default: 'loop' },
  },
});
const w = workload(args.workload);
const policy = args.policy ? JSON.parse(args.policy) : POLICIES.full.default;
const result = { peer: args.peer, workload: w.id, status: 'ok' };

try {
  const runner = await createRunner(args.peer);
  const t = await timeSteps(runner.step, policy);
  const loss = await runner.step();
  if (!Number.isFinite(loss)) throw new Error(`the loss is ${loss} after ${t.warmup + t.repeats + 1} steps`);
  Object.assign(result, t, { loss, info: runner.info, baseRssBytes: result.baseRssBytes, peakRssBytes: peakRss() });
  runner.dispose();
} catch (e) {
  result.status = e.name === 'NotAvailable' ? 'n/a' : 'error';
  result.reason = e.name === 'NotAvailable' ? e.message : String(e.stack ?? e);
  result.peakRssBytes = peakRss();
}
process.stdout.write(`@@result ${JSON.stringify(result)}\n`);

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
