import { describe, expect, it } from 'vitest';
import { TEMPORAL_ORDER_SYMBOLS as S, temporalOrderTask, temporalOrderWindows } from '../../src/tasks/temporal-order.js';
import { Rng } from '../../src/tensor/rng.js';
import { checker, expectContract } from './helpers.js';

describe('temporal order', () => {
  it('meets the task contract in both variants', () => {
    for (const [variant, classes] of [['two', 4], ['three', 8]] as const) {
      const task = temporalOrderTask({ T: 40, variant });
      expect([task.inputSize, task.outputSize, task.loss, task.target, task.metric]).toEqual([8, classes, 'xent', 'last', 'accuracy']);
      expect(task.baseline).toBe(1 / classes);
      expect(task.solvedAbove).toBe(0.99);
      expectContract(task);
    }
  });

  it("scales the paper's windows with T (exactly the paper's at T = 100)", () => {
    expect(temporalOrderWindows(100, 'two')).toEqual([[10, 20], [50, 60]]);
    expect(temporalOrderWindows(100, 'three')).toEqual([[10, 20], [33, 43], [66, 76]]);
    expect(temporalOrderWindows(200, 'three')).toEqual([[20, 40], [66, 86], [132, 152]]);
    expect(() => temporalOrderTask({ T: 9 })).toThrow(/temporal-order\.T: expected a value >= 10, found 9/);
  });

  for (const variant of ['two', 'three'] as const) {
    it(`places start, end, distractors and relevant symbols as defined (${variant})`, () => {
      const T = 50;
      const B = 800;
      const windows = temporalOrderWindows(T, variant);
      const batch = temporalOrderTask({ T, variant }).sample(new Rng(11), B);
      const counts = new Array(1 << windows.length).fill(0);
      const { bad, check } = checker();
      for (let b = 0; b < B; b++) {
        const relevant: number[] = [];
        let cls = 0;
        for (let t = 0; t < T; t++) {
          const row = batch.x.subarray((t * B + b) * 8, (t * B + b + 1) * 8);
          const on = [...row.keys()].filter((i) => row[i] === 1);
          check(on.length === 1 && row.reduce((a, v) => a + v, 0) === 1, `b=${b} t=${t}: not one-hot`);
          const s = on[0];
          if (t === 0) check(s === S.E, `b=${b}: no start symbol`);
          else if (t === T - 1) check(s === S.B, `b=${b}: no end symbol`);
          else if (s === S.X || s === S.Y) {
            relevant.push(t);
            cls = cls * 2 + (s === S.Y ? 1 : 0);
          } else check(s >= S.a && s <= S.d, `b=${b} t=${t}: symbol ${s}`);
        }
        check(relevant.length === windows.length, `b=${b}: ${relevant.length} relevant symbols`);
        relevant.forEach((t, j) => check(t >= windows[j][0] && t <= windows[j][1], `b=${b}: step ${t} outside window ${j}`));
        check(batch.y[b] === cls, `b=${b}: class ${batch.y[b]}, expected ${cls}`);
        counts[cls]++;
      }
      expect(bad).toEqual([]);
      for (const n of counts) expect(Math.abs(n / B - 1 / counts.length)).toBeLessThan(0.05);
    });
  }
});
