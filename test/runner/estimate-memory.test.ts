/**
 * The estimate's measurements give back every byte they take, also when one runs out of memory, so a long
 * dry run cannot exhaust the heap part-way; a trial that does not fit is listed with the heap it would need.
 */
import { describe, expect, it } from 'vitest';
import { getBackend } from '../../src/kernels/index.js';
import { createWasmBackend, type WasmBackend, wasmAvailable } from '../../src/kernels/wasm/backend.js';
import { estimateTrials } from '../../src/runner/estimate.js';
import type { TrialSpec } from '../../src/runner/grid.js';

const trial = (label: string, cell: Record<string, unknown>, T: number): TrialSpec =>
  ({
    key: label,
    label,
    model: { cell },
    task: { kind: 'adding', T },
    seed: 1,
    training: { steps: 20, batchSize: 8, optimizer: { kind: 'adam', lr: 1e-3 }, evalBatchSize: 16 },
    instruments: {},
  }) as unknown as TrialSpec;

const highway = { kind: 'deep', hidden: 16, depth: 2, variant: 'highway' };
const lstm = { kind: 'lstm', hidden: 8 };

describe.skipIf(!wasmAvailable())('estimate: memory', () => {
  it('repeated measurements do not grow the heap', () => {
    const be = getBackend('wasm') as WasmBackend;
    const trials = [trial('a', highway, 8), trial('b', highway, 24), trial('c', lstm, 16)];
    estimateTrials(trials, 1, be); // the first call may grow the heap to what the largest measurement needs
    const { used, capacity } = be.heap.stats();
    for (let i = 0; i < 3; i++) {
      const e = estimateTrials(trials, 1, be);
      expect(e.measurements).toBe(3);
      expect(e.unrunnable).toEqual([]);
      expect(be.heap.stats().used).toBe(used);
      expect(be.heap.stats().capacity).toBe(capacity);
    }
  });

  it('a trial that does not fit is listed with the heap it would need; the heap is intact and the next is measured', () => {
    const be = createWasmBackend({ maximumPages: 64 }); // a 4 MiB heap
    try {
      expect(be.heap.stats().liveBlocks).toBe(0);
      const long = trial('long', highway, 2000);
      const e = estimateTrials([trial('short', highway, 8), long, trial('other', lstm, 8)], 1, be);
      // nothing left but the packing buffer the backend keeps for gemm (grown to the largest product seen)
      expect(be.heap.stats().liveBlocks).toBe(1);
      expect(e.unrunnable).toHaveLength(1);
      const [u] = e.unrunnable;
      expect(u.trials).toEqual([long]);
      expect(u.reason).toMatch(/out of memory/);
      expect(u.needs).toHaveLength(1);
      expect(u.needs[0].T).toBe(2000);
      expect(u.needs[0].bytes).toBeGreaterThan(e.heapLimit as number);
      expect(u.needs[0].bytes).toBeLessThan(20 * (e.heapLimit as number)); // a linear extrapolation, not a guess
      expect(e.cpuSeconds).toBeGreaterThan(0); // the short trial and the LSTM after the failure were measured
    } finally {
      void be.dispose();
    }
  });
});
