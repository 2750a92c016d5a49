/**
 * A study worker runs trial after trial on one backend: 200 trials (training, gradient through time, step
 * Jacobians, Lyapunov exponents) leave the wasm heap exactly where it was after the first one.
 */
import { expect, it } from 'vitest';
import { parseStudy } from '../../src/runner/study.js';
import { expandStudy } from '../../src/runner/grid.js';
import { runTrial } from '../../src/runner/trial.js';
import { getBackend } from '../../src/kernels/index.js';
import { wasmAvailable, type WasmBackend } from '../../src/kernels/wasm/backend.js';

it.skipIf(!wasmAvailable())(
  '200 trials in one worker: the wasm heap stays flat',
  () => {
    const study = parseStudy(
      JSON.stringify({
        name: 'memory',
        seeds: 50,
        training: {
          steps: 3,
          batchSize: 4,
          optimizer: { kind: 'adam', lr: 1e-3 },
          evalEvery: 3,
          evalBatches: 1,
          evalBatchSize: 4,
        },
        instruments: {
          gradientThroughTime: { at: [0, 1], batchSize: 2 },
          jacobian: { batchSize: 2 },
          lyapunov: { k: 1, batchSize: 2 },
        },
        tasks: { adding: { kind: 'adding', T: 4 } },
        models: { lstm: { cell: { kind: 'lstm', hidden: 6 } }, deep: { cell: { kind: 'deep', hidden: 5, depth: 2 } } },
      }),
      'memory.json',
    );
    const trials = expandStudy(study);
    const backend = getBackend('wasm') as WasmBackend;
    let first: ReturnType<WasmBackend['heap']['stats']> | null = null;
    for (let round = 0; round < 2; round++) {
      for (const trial of trials) {
        const r = runTrial(trial, { backend: 'wasm' });
        expect(r.status, r.error ?? '').toBe('done');
        first ??= backend.heap.stats();
      }
    }
    expect(trials.length * 2).toBe(200);
    const last = backend.heap.stats();
    expect(last.used).toBe(first!.used);
    expect(last.liveBlocks).toBe(first!.liveBlocks);
    expect(last.capacity).toBe(first!.capacity);
  },
  120_000,
);
