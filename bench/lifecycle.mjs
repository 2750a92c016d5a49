#!/usr/bin/env node
/**
 * The wasm heap over a library user's lifecycles (issue 12): N fit() calls on one LSTM-256, M models
 * created, fitted and dropped — with `model.dispose()` when the library has it — and K study-worker trials
 * (runTrial: training and every instrument) on one backend. Prints the bytes in live heap blocks and the wasm
 * memory's size; exits 1 if the heap in use grew after the first round of any of the three.
 * `npm run bench -- --memory` runs it with --fits 100 --models 40 --trials 200.
 *
 *   node --expose-gc bench/lifecycle.mjs [--fits 5] [--models 40] [--trials 0] [--lib ./dist/index.js]
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const { values: a } = parseArgs({
  options: {
    fits: { type: 'string', default: '5' },
    models: { type: 'string', default: '40' },
    trials: { type: 'string', default: '0' },
    lib: { type: 'string', default: './dist/index.js' },
  },
});
const lib = await import(pathToFileURL(resolve(a.lib)).href);
const MiB = 2 ** 20;
const be = lib.createWasmBackend();
const task = lib.addingTask({ T: 20 });
const config = { inputSize: 2, outputSize: 1, target: 'last', cell: { kind: 'lstm', hidden: 256 } };
const opts = { steps: 2, batchSize: 8, evalBatches: 1, evalBatchSize: 8, optimizer: { kind: 'adam', lr: 1e-3 } };
const heap = () => {
  globalThis.gc?.();
  const s = be.heap.stats();
  return { used: s.used / MiB, capacity: s.capacity / MiB };
};
const fmt = (h) => `in use ${h.used.toFixed(2)} MiB, wasm memory ${h.capacity.toFixed(2)} MiB`;

const model = new lib.Model(config, be, 1);
const fits = [];
for (let i = 0; i < Number(a.fits); i++) {
  lib.fit(model, task, { ...opts, seed: i });
  fits.push(heap());
}
console.log(`${a.fits} fit() calls on one LSTM-256:`);
fits.forEach((h, i) => console.log(`  after fit ${i + 1}: ${fmt(h)}`));
model.dispose?.();

const disposable = typeof lib.Model.prototype.dispose === 'function';
const start = heap();
let afterFirst = null;
for (let i = 0; i < Number(a.models); i++) {
  const m = new lib.Model(config, be, i);
  lib.fit(m, task, opts);
  m.dispose?.();
  afterFirst ??= heap();
}
const end = heap();
console.log(
  `${a.models} LSTM-256 models created, fitted and dropped${disposable ? ' (model.dispose())' : ' (no Model.dispose in this build)'}:`,
);
console.log(`  before: ${fmt(start)}; after the first: ${fmt(afterFirst)}; after all: ${fmt(end)}`);
let trialsGrew = false;
if (Number(a.trials) > 0) trialsGrew = await trials(Number(a.trials));
const grew = fits[fits.length - 1].used > fits[0].used || end.used > afterFirst.used || trialsGrew;
console.log(grew ? 'heap in use GREW after the first round' : 'heap in use flat after the first round');
process.exitCode = grew ? 1 : 0;

/** `n` trials of a small study, run as a study worker runs them (runTrial, one shared backend). */
async function trials(n) {
  const url = (p) => new URL(p, pathToFileURL(resolve(a.lib))).href;
  const { parseStudy } = await import(url('./runner/study.js'));
  const { expandStudy } = await import(url('./runner/grid.js'));
  const { runTrial } = await import(url('./runner/trial.js'));
  const training = { steps: 3, batchSize: 4, optimizer: { kind: 'adam', lr: 1e-3 }, evalEvery: 3, evalBatches: 1 };
  const study = {
    name: 'memory',
    seeds: Math.ceil(n / 2),
    training: { ...training, evalBatchSize: 4 },
    instruments: {
      gradientThroughTime: { at: [0, 1], batchSize: 2 },
      jacobian: { batchSize: 2 },
      lyapunov: { k: 1, batchSize: 2 },
    },
    tasks: { adding: { kind: 'adding', T: 4 } },
    models: { lstm: { cell: { kind: 'lstm', hidden: 6 } }, deep: { cell: { kind: 'deep', hidden: 5, depth: 2 } } },
  };
  const list = expandStudy(parseStudy(JSON.stringify(study), 'memory.json')).slice(0, n);
  const shared = lib.getBackend('wasm');
  const at = () => {
    globalThis.gc?.();
    const s = shared.heap.stats();
    return { used: s.used / MiB, capacity: s.capacity / MiB };
  };
  let first = null;
  for (const trial of list) {
    const r = runTrial(trial, { backend: 'wasm' });
    if (r.status !== 'done') throw new Error(`trial ${trial.key ?? ''} ${r.status}: ${r.error ?? ''}`);
    first ??= at();
  }
  const last = at();
  console.log(`${list.length} study-worker trials (runTrial: training, gradient through time, Jacobians, Lyapunov):`);
  console.log(`  after the first: ${fmt(first)}; after all: ${fmt(last)}`);
  return last.used > first.used;
}
