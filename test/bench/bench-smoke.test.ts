/**
 * The benchmark cannot rot silently: a tiny version of its workloads runs through the very code the bench
 * times (bench/recur.mjs's runner: GraphCache replay + backward + gradient norm + Adam, as fit does), here on
 * the TypeScript sources; and the report formatter is exercised on synthetic results. Nothing is timed, no
 * peer runs.
 */
import { describe, expect, it } from 'vitest';
import { createRecurRunner, NotAvailable, type RecurLib } from '../../bench/recur.mjs';
import { multiplyAdds, workload, type Workload } from '../../bench/workloads.mjs';
import { formatReport, ratios, targets } from '../../bench/table.mjs';
import { analyse } from '../../bench/memory.mjs';
import { getBackend } from '../../src/kernels/index.js';
import { wasmAvailable } from '../../src/kernels/wasm/backend.js';
import { Model } from '../../src/models/model.js';
import { GraphCache } from '../../src/train/graph.js';
import { createOptimizer, gradNorm } from '../../src/optim/index.js';

const lib: RecurLib = { getBackend, Model, GraphCache, createOptimizer, gradNorm };
const backend = wasmAvailable() ? 'wasm' : 'reference';
const tiny = (id: string): Workload => ({ ...workload(id), input: 4, hidden: 6, batch: 3, T: 5, classes: 3 });

describe('bench: recur runner', () => {
  it('trains tiny W1 as the bench does: finite losses that go down, no wasm allocation per step', () => {
    const r = createRecurRunner(lib, tiny('W1'), { backend });
    const first = r.step();
    const used = r.wasmHeapUsedBytes();
    let last = first;
    for (let i = 0; i < 40; i++) last = r.step();
    expect(Number.isFinite(first) && Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first);
    expect(r.wasmHeapUsedBytes()).toBe(used);
    expect(r.info.parameters).toBe(4 * 6 * (4 + 6) + 2 * 4 * 6 + 6 * 3 + 3); // PyTorch's LSTM + Linear count
    r.dispose();
  });

  it.each(['W2', 'W3', 'W4', 'W5', 'W6', 'S1', 'S2', 'S3', 'S4'])('runs tiny %s', (id) => {
    let r: ReturnType<typeof createRecurRunner>;
    try {
      r = createRecurRunner(lib, tiny(id), { backend });
    } catch (e) {
      if (id === 'W6' && e instanceof NotAvailable) return; // the deep transition is not in this tree yet
      throw e;
    }
    const a = r.step(),
      b = r.step();
    expect(Number.isFinite(a) && Number.isFinite(b)).toBe(true);
    if (!workload(id).train) expect(b).toBe(a); // inference does not change the model
    r.dispose();
  });

  it('reports a cell this build does not know as not available, not as an error', () => {
    const unknown: RecurLib = {
      ...lib,
      Model: class {
        constructor() {
          throw new Error("unknown transition kind 'deep'");
        }
      } as never,
    };
    expect(() => createRecurRunner(unknown, tiny('W6'), { backend })).toThrow(NotAvailable);
  });
});

describe('bench: report', () => {
  it('computes speed ratios against each peer and the best PyTorch configuration', () => {
    const w = workload('W1');
    const results = [
      {
        peer: 'recur',
        workload: 'W1',
        status: 'ok',
        medianMs: 10,
        minMs: 9,
        repeats: 5,
        peakRssBytes: 2 ** 27,
        info: { variant: 'simd' },
      },
      {
        peer: 'tfjs-wasm',
        workload: 'W1',
        status: 'ok',
        medianMs: 234,
        minMs: 200,
        repeats: 5,
        peakRssBytes: 2 ** 28,
        info: { impl: 'loop', tfjs: '4.22.0' },
      },
      {
        peer: 'torch',
        threads: 1,
        blasThreads: 1,
        config: '1:1',
        workload: 'W1',
        status: 'ok',
        medianMs: 8,
        minMs: 7,
        repeats: 5,
        peakRssBytes: 2 ** 28,
        info: { torch: '1.13' },
      },
      {
        peer: 'torch',
        threads: 2,
        blasThreads: 1,
        config: '2:1',
        workload: 'W1',
        status: 'ok',
        medianMs: 12,
        minMs: 7,
        repeats: 5,
        peakRssBytes: 2 ** 28,
        info: { torch: '1.13' },
      },
      { peer: 'recur', workload: 'W6', status: 'n/a', reason: 'recur does not know cell deep yet', peakRssBytes: null },
    ];
    const rs = ratios(results);
    expect(rs.find((r) => r.peer === 'tfjs-wasm')?.speedup).toBeCloseTo(23.4);
    expect(rs.find((r) => r.peer === 'torch-best')?.speedup).toBeCloseTo(0.8);
    const report = {
      date: 'now',
      command: 'npm run bench',
      notes: [],
      workloads: [w, workload('W6')],
      results,
      ratios: rs,
      machine: {
        cpu: 'CPU',
        cores: 2,
        avx512f: true,
        memoryGiB: '8',
        node: 'v20',
        v8: '11',
        os: 'Linux',
        loadStart: ['0'],
        loadEnd: ['0'],
        git: null,
        simdPeak: { simd: 40, relaxed: 50 },
      },
    };
    // W1's targets: ≥ 1.2× PyTorch's best (0.8: not met), ≥ 20× TF.js wasm (23.4: met); no rounds, no interval
    expect(targets(report).map((t) => [t.peer, t.verdict])).toEqual([
      ['torch-best', 'not met'],
      ['tfjs-wasm', 'met'],
    ]);
    const text = formatReport(report);
    expect(text).toContain('recur 23.4× faster');
    expect(text).toContain('recur at 0.80× its speed');
    expect(text).toContain('PyTorch 1.13, 2 threads, OpenBLAS 1 | 12.0 |');
    expect(text).toMatch(/W6 .*\| n\/a \|/);
    expect(text).toContain('320,000'); // sequence-steps/s of recur on W1: B·T / 10 ms
    // recur's GFLOP/s beside its share of the plain-SIMD peak (its build) × 1 thread; PyTorch's alone
    const g = (2 * multiplyAdds(w)) / 1e7;
    expect(text).toContain(`| ${g.toFixed(1)} (${Math.round((100 * g) / 40)}%) |`);
    expect(text).toContain(`| ${((2 * multiplyAdds(w)) / 8e6).toFixed(1)} |`);
  });
});

describe('bench: memory growth', () => {
  const series = (f: (i: number) => number) => Array.from({ length: 11 }, (_, i) => ({ step: i * 100, v: f(i) }));
  const MiB = 2 ** 20;

  it('flags any growth of an exact series (the wasm heap) and steady growth of a noisy one', () => {
    expect(
      analyse(
        'wasm',
        series(() => 5e7),
        'v',
        0,
      ).leak,
    ).toBeNull();
    expect(
      analyse(
        'wasm',
        series((i) => 5e7 + (i === 10 ? 16 : 0)),
        'v',
        0,
      ).leak,
    ).toMatch(/grew by 16 bytes/);
    expect(
      analyse(
        'rss',
        series((i) => 100 * MiB + i * MiB),
        'v',
        8 * MiB,
      ).leak,
    ).toMatch(/grows steadily/);
  });

  it('lets noise and a one-off jump pass', () => {
    expect(
      analyse(
        'rss',
        series((i) => 100 * MiB + (i % 2 ? 3 : -3) * MiB),
        'v',
        8 * MiB,
      ).leak,
    ).toBeNull();
    expect(
      analyse(
        'rss',
        series((i) => 100 * MiB + (i >= 5 ? 20 * MiB : 0)),
        'v',
        8 * MiB,
      ).leak,
    ).toBeNull();
  });
});
