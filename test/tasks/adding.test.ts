import { describe, expect, it } from 'vitest';
import { addingTask, originalAddingBaseline } from '../../src/tasks/adding.js';
import { Rng } from '../../src/tensor/rng.js';
import { at, checker, expectContract } from './helpers.js';

describe('adding (modern)', () => {
  it('meets the task contract', () => {
    const task = addingTask({ T: 30 });
    expect([task.inputSize, task.outputSize, task.T, task.loss, task.target]).toEqual([2, 1, 30, 'mse', 'last']);
    expect(task.baseline).toBeCloseTo(1 / 6, 12);
    expect(task.solvedBelow).toBe(0.01);
    expectContract(task);
  });

  it('has one marker in each half and the sum of the marked values as target', () => {
    const T = 11; // odd: halves {0..4} and {5..10}
    const B = 400;
    const batch = addingTask({ T }).sample(new Rng(1), B);
    const seen1 = new Set<number>();
    const seen2 = new Set<number>();
    const { bad, check } = checker();
    for (let b = 0; b < B; b++) {
      const marked: number[] = [];
      for (let t = 0; t < T; t++) {
        const v = at(batch.x, B, 2, t, b, 0);
        const m = at(batch.x, B, 2, t, b, 1);
        check(v >= 0 && v < 1 && (m === 0 || m === 1), `b=${b} t=${t}: (${v}, ${m})`);
        if (m === 1) marked.push(t);
      }
      check(marked.length === 2 && marked[0] < 5 && marked[1] >= 5, `b=${b}: markers at ${marked}`);
      seen1.add(marked[0]);
      seen2.add(marked[1]);
      check(batch.y[b] === at(batch.x, B, 2, marked[0], b) + at(batch.x, B, 2, marked[1], b), `b=${b}: target`);
    }
    expect(bad).toEqual([]);
    expect([...seen1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    expect([...seen2].sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('baseline: always answering 1 gives MSE ≈ 1/6', () => {
    const B = 20000;
    const batch = addingTask({ T: 6 }).sample(new Rng(3), B);
    let mse = 0;
    for (let b = 0; b < B; b++) mse += (batch.y[b] - 1) ** 2 / B;
    expect(Math.abs(mse - 1 / 6)).toBeLessThan(0.006); // standard error ≈ 0.0014
  });
});

describe('adding (original1997)', () => {
  it('meets the task contract with a validity mask', () => {
    const task = addingTask({ T: 40, variant: 'original1997' });
    expect(task.T).toBe(44);
    expect(task.solvedBelow).toBeCloseTo(0.0016, 12);
    const batch = expectContract(task);
    expect(batch.mask).toBeDefined();
  });

  it('follows Hochreiter & Schmidhuber: lengths, markers, zeroed step 0, target 0.5 + (X1+X2)/4', () => {
    const T = 40;
    const half = 20;
    const B = 2000;
    const task = addingTask({ T, variant: 'original1997' });
    const batch = task.sample(new Rng(5), B);
    const mask = batch.mask!;
    const lengths = new Set<number>();
    const { bad, check: fail } = checker();
    let zeroedStart = 0;
    for (let b = 0; b < B; b++) {
      let L = 0;
      while (L < task.T && mask[L * B + b] === 1) L++;
      for (let t = L; t < task.T; t++) {
        fail(mask[t * B + b] === 0 && at(batch.x, B, 2, t, b, 0) === 0 && at(batch.x, B, 2, t, b, 1) === 0, `padding b=${b} t=${t}`);
      }
      fail(L >= T && L <= T + 4, `length ${L}`);
      lengths.add(L);
      const marked: number[] = [];
      for (let t = 0; t < L; t++) {
        const v = at(batch.x, B, 2, t, b, 0);
        const m = at(batch.x, B, 2, t, b, 1);
        fail(v >= -1 && v < 1, `value ${v}`);
        if (m === 1) marked.push(t);
        else fail(m === (t === 0 || t === L - 1 ? -1 : 0), `marker b=${b} t=${t}: ${m}`);
      }
      fail(marked.length === 2, `b=${b}: ${marked.length} markers`);
      fail(marked.every((p) => p < half), `b=${b}: marker outside the first half`);
      fail(marked.some((p) => p < 10), `b=${b}: no marker in the first ten steps`);
      if (marked[0] === 0) {
        fail(at(batch.x, B, 2, 0, b, 0) === 0, `b=${b}: marked step 0 not zeroed`);
        zeroedStart++;
      }
      const [x1, x2] = marked.map((p) => at(batch.x, B, 2, p, b, 0));
      fail(Math.abs(batch.y[b] - (0.5 + (x1 + x2) / 4)) < 1e-14, `b=${b}: target`);
    }
    expect(bad).toEqual([]);
    expect([...lengths].sort((a, b) => a - b)).toEqual([40, 41, 42, 43, 44]);
    expect(zeroedStart).toBeGreaterThan(0);
  });

  it('baseline is the variance of the target', () => {
    expect(originalAddingBaseline(100)).toBeCloseTo((0.3 + (1 - 0.9 / 49) / 3) / 16, 14);
    const T = 20;
    const B = 40000;
    const batch = addingTask({ T, variant: 'original1997' }).sample(new Rng(9), B);
    let m = 0;
    for (let b = 0; b < B; b++) m += batch.y[b] / B;
    let v = 0;
    for (let b = 0; b < B; b++) v += (batch.y[b] - m) ** 2 / B;
    expect(m).toBeCloseTo(0.5, 2);
    expect(Math.abs(v - originalAddingBaseline(T)) / originalAddingBaseline(T)).toBeLessThan(0.03);
  });

  it('rejects T < 20', () => {
    expect(() => addingTask({ T: 19, variant: 'original1997' })).toThrow(/adding\.T: expected T >= 20.*found 19/);
  });
});
