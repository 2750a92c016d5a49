/** bench --memory's section: the W1 series, then bench/lifecycle.mjs's lines (fits, models, study-worker trials). */
import { expect, it } from 'vitest';
import { formatMemory } from '../../bench/table.mjs';

const series = [
  { name: 'wasm heap in use', first: 2 ** 20, last: 2 ** 20, growth: 0, slopePerStep: 0, rises: 0, intervals: 10 },
];
const w1 = { workload: 'W1', steps: 200, warmup: 5, every: 20, peakRssBytes: 99 * 2 ** 20, series };

it('shows the lifecycle lines after the W1 series, and the verdict last', () => {
  const lines = formatMemory({
    ...w1,
    ok: false,
    lifecycle: { ok: false, lines: ['100 fit() calls on one LSTM-256:', 'heap in use GREW after the first round'] },
  });
  expect(lines[0]).toMatch(/^memory: W1 training, 200 steps/);
  expect(lines).toContain('memory over lifecycles (bench/lifecycle.mjs, wasm heap after a full GC):');
  expect(lines).toContain('  heap in use GREW after the first round');
  expect(lines.at(-1)).toBe('  MEMORY GROWS STEADILY: FAILED');
});

it('a failed W1 check still shows its error and the lifecycles', () => {
  const lines = formatMemory({
    ok: false,
    error: 'memory.mjs failed (exit code 3): boom',
    series: [],
    lifecycle: { ok: true, lines: ['heap in use flat after the first round'] },
  });
  expect(lines[0]).toBe('memory: memory.mjs failed (exit code 3): boom');
  expect(lines).toContain('  heap in use flat after the first round');
});
