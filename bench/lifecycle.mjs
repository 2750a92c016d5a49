#!/usr/bin/env node
/**
 * The wasm heap over a library user's lifecycles (issue 12): N fit() calls on one LSTM-256, and M models
 * created, fitted and dropped — with `model.dispose()` when the library has it. Prints the bytes in live
 * heap blocks and the wasm memory's size after each round; exits 1 if the heap in use grew after round 1.
 *
 *   node --expose-gc bench/lifecycle.mjs [--fits 5] [--models 40] [--lib ./dist/index.js]
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const { values: a } = parseArgs({
  options: {
    fits: { type: 'string', default: '5' },
    models: { type: 'string', default: '40' },
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
const grew = fits[fits.length - 1].used > fits[0].used || end.used > afterFirst.used;
console.log(grew ? 'heap in use GREW after the first round' : 'heap in use flat after the first round');
process.exitCode = grew ? 1 : 0;
