import { describe, expect, it } from 'vitest';
import { copyRecallStart, copyTask, recallAccuracy } from '../../src/tasks/copy.js';
import { Rng } from '../../src/tensor/rng.js';
import { checker, expectContract } from './helpers.js';

/** The class whose one-hot bit is set at (t, b), or −1 unless exactly one bit is set. */
function classAt(x: Float64Array, B: number, n: number, t: number, b: number): number {
  let c = -1;
  let ones = 0;
  for (let i = 0; i < n; i++) {
    const v = x[(t * B + b) * n + i];
    if (v === 1) {
      c = i;
      ones++;
    } else if (v !== 0) return -1;
  }
  return ones === 1 ? c : -1;
}

describe('copy memory', () => {
  it('meets the task contract; sizes follow the definition', () => {
    const task = copyTask({ T: 30 });
    expect([task.inputSize, task.outputSize, task.T, task.loss, task.target, task.metric]).toEqual([
      10,
      9,
      50,
      'xent',
      'all',
      'xent',
    ]);
    expect(task.baseline).toBeCloseTo((10 * Math.log(8)) / 50, 14);
    expect(task.solvedBelow).toBeCloseTo(0.1 * task.baseline, 14);
    expectContract(task);
  });

  it('lays out symbols, blanks, delimiter and the recall targets as defined', () => {
    const T = 15;
    const K = 10;
    const L = T + 2 * K;
    const B = 300;
    const batch = copyTask({ T }).sample(new Rng(2), B);
    const { bad, check } = checker();
    const symbolsSeen = new Set<number>();
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L; t++) {
        const c = classAt(batch.x, B, 10, t, b);
        const y = batch.y[t * B + b];
        if (t < K) {
          check(c >= 1 && c <= 8, `b=${b} t=${t}: input ${c} is not a symbol`);
          check(batch.y[(T + K + t) * B + b] === c, `b=${b}: recall target ${t} differs from the symbol`);
          check(y === 0, `b=${b} t=${t}: target ${y} before the recall`);
          symbolsSeen.add(c);
        } else if (t === K + T - 1) {
          check(c === 9 && y === 0, `b=${b}: delimiter at ${t}: input ${c}, target ${y}`);
        } else {
          check(c === 0, `b=${b} t=${t}: input ${c} is not blank`);
          if (t < T + K) check(y === 0, `b=${b} t=${t}: target ${y} before the recall`);
          else check(y >= 1 && y <= 8, `b=${b} t=${t}: recall target ${y}`);
        }
      }
    }
    expect(bad).toEqual([]);
    expect([...symbolsSeen].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(copyRecallStart({ T })).toBe(T + K);
  });

  it('baseline: the memoryless predictor scores K·ln 8/(T+20) on a batch', () => {
    const T = 25;
    const task = copyTask({ T });
    const B = 50;
    const batch = task.sample(new Rng(4), B);
    // blank with probability 1 before the recall (−ln 1 = 0); uniform over 8 symbols during it
    let xent = 0;
    for (let t = 0; t < task.T; t++) {
      for (let b = 0; b < B; b++)
        xent += (t < T + 10 ? (batch.y[t * B + b] === 0 ? 0 : Infinity) : Math.log(8)) / (task.T * B);
    }
    expect(xent).toBeCloseTo((10 * Math.log(8)) / (T + 20), 12);
  });

  it('scores recalled symbols with recallAccuracy', () => {
    const task = copyTask({ T: 5 });
    const batch = task.sample(new Rng(1), 8);
    expect(recallAccuracy(batch, batch.y, { T: 5 })).toBe(1);
    expect(recallAccuracy(batch, new Float64Array(batch.y.length), { T: 5 })).toBe(0);
    expect(() => recallAccuracy(batch, [1, 2], { T: 5 })).toThrow(/predicted has 2 entries/);
  });

  it('supports other K and alphabet sizes', () => {
    const task = copyTask({ T: 4, symbols: 3, alphabet: 5 });
    expect([task.inputSize, task.outputSize, task.T]).toEqual([7, 6, 10]);
    expect(task.baseline).toBeCloseTo((3 * Math.log(5)) / 10, 14);
    expectContract(task);
  });
});
