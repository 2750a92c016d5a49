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
        fail(
          mask[t * B + b] === 0 && at(batch.x, B, 2, t, b, 0) === 0 && at(batch.x, B, 2, t, b, 1) === 0,
          `padding b=${b} t=${t}`,
        );
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
      fail(
        marked.every((p) => p < half),
        `b=${b}: marker outside the first half`,
      );
      fail(
        marked.some((p) => p < 10),
        `b=${b}: no marker in the first ten steps`,
      );
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

describe('adding (le2015)', () => {
  it('meets the task contract: fixed length, no mask, baseline 1/6', () => {
    const task = addingTask({ T: 30, variant: 'le2015' });
    expect([task.inputSize, task.outputSize, task.T, task.loss, task.target]).toEqual([2, 1, 30, 'mse', 'last']);
    expect(task.baseline).toBe(1 / 6);
    expect(task.solvedBelow).toBe(0.01);
    expect(expectContract(task).mask).toBeUndefined();
  });

  it('hand-checked sample (seed 42, T = 8): two marked steps, target their sum', () => {
    const batch = addingTask({ T: 8, variant: 'le2015' }).sample(new Rng(42), 2);
    const markers = (b: number): number[] => [0, 1, 2, 3, 4, 5, 6, 7].filter((t) => at(batch.x, 2, 2, t, b, 1) === 1);
    // sequence 0: values 0.6606 0.0791 0.8807 0.9689 …, marked steps 0 and 2 → 0.6606 + 0.8807 = 1.5413
    expect(markers(0)).toEqual([0, 2]);
    expect(at(batch.x, 2, 2, 0, 0)).toBeCloseTo(0.6606, 4);
    expect(at(batch.x, 2, 2, 2, 0)).toBeCloseTo(0.8807, 4);
    expect(batch.y[0]).toBeCloseTo(1.5413, 4);
    // sequence 1: marked steps 3 (0.7726) and 7 (0.8398) → 1.6124
    expect(markers(1)).toEqual([3, 7]);
    expect(batch.y[1]).toBeCloseTo(1.6124, 3);
  });

  it('marks two distinct steps anywhere in the sequence; baseline checked on a large sample', () => {
    const T = 9;
    const B = 40000;
    const batch = addingTask({ T, variant: 'le2015' }).sample(new Rng(4), B);
    const pairs = new Set<string>();
    const { bad, check } = checker();
    let mse = 0;
    for (let b = 0; b < B; b++) {
      const marked: number[] = [];
      for (let t = 0; t < T; t++) if (at(batch.x, B, 2, t, b, 1) === 1) marked.push(t);
      check(marked.length === 2, `b=${b}: markers at ${marked}`);
      pairs.add(marked.join(','));
      check(batch.y[b] === at(batch.x, B, 2, marked[0], b) + at(batch.x, B, 2, marked[1], b), `b=${b}: target`);
      mse += (batch.y[b] - 1) ** 2 / B;
    }
    expect(bad).toEqual([]);
    expect(pairs.size).toBe((T * (T - 1)) / 2); // every pair of distinct steps occurs
    expect(Math.abs(mse - 1 / 6)).toBeLessThan(0.004); // standard error ≈ 0.001
  });
});

describe('adding (pascanu2013)', () => {
  it('meets the task contract: lengths T..T+⌊T/10⌋−1 with a mask, baseline 1/24', () => {
    const task = addingTask({ T: 40, variant: 'pascanu2013' });
    expect([task.inputSize, task.outputSize, task.T, task.loss, task.target]).toEqual([2, 1, 43, 'mse', 'last']);
    expect(task.baseline).toBe(1 / 24);
    expect(task.solvedBelow).toBeCloseTo(0.0060287, 6);
    expect(expectContract(task).mask).toBeDefined();
    expect(addingTask({ T: 15, variant: 'pascanu2013' }).sample(new Rng(1), 2).mask).toBeUndefined(); // ⌊15/10⌋ − 1 = 0
    expect(() => addingTask({ T: 9, variant: 'pascanu2013' })).toThrow(
      /adding\.T: expected T >= 10 for variant pascanu2013/,
    );
  });

  it('hand-checked sample (seed 42, T = 20): lengths 20..21, markers in [0, L/10) and [L/10, L/10 + 4L/10)', () => {
    const batch = addingTask({ T: 20, variant: 'pascanu2013' }).sample(new Rng(42), 2);
    const mask = batch.mask!;
    // sequence 0: L = 21 (w = 2), markers at 1 (0.0791) and 8 (0.5346) → (0.0791 + 0.5346)/2 = 0.30685
    expect(mask[20 * 2 + 0]).toBe(1);
    expect([1, 8].map((t) => at(batch.x, 2, 2, t, 0, 1))).toEqual([1, 1]);
    expect(at(batch.x, 2, 2, 1, 0)).toBeCloseTo(0.0791, 4);
    expect(at(batch.x, 2, 2, 8, 0)).toBeCloseTo(0.5346, 4);
    expect(batch.y[0]).toBeCloseTo(0.30685, 4);
    // sequence 1: L = 20, step 20 is padding; markers at 1 (0.9032) and 8 (0.8213) → 0.86225
    expect([mask[19 * 2 + 1], mask[20 * 2 + 1], at(batch.x, 2, 2, 20, 1), at(batch.x, 2, 2, 20, 1, 1)]).toEqual([
      1, 0, 0, 0,
    ]);
    expect(batch.y[1]).toBeCloseTo(0.86225, 4);
    let count = 0;
    for (let t = 0; t < 21; t++) count += at(batch.x, 2, 2, t, 0, 1) + at(batch.x, 2, 2, t, 1, 1);
    expect(count).toBe(4);
  });

  it("follows the authors' generator over many sequences; baseline checked on a large sample", () => {
    const T = 50;
    const B = 10000;
    const task = addingTask({ T, variant: 'pascanu2013' });
    const batch = task.sample(new Rng(8), B);
    const mask = batch.mask!;
    const lengths = new Set<number>();
    const firsts = new Set<number>();
    const seconds = new Set<number>();
    const { bad, check } = checker();
    let mse = 0;
    for (let b = 0; b < B; b++) {
      let L = 0;
      while (L < task.T && mask[L * B + b] === 1) L++;
      lengths.add(L);
      const marked: number[] = [];
      for (let t = 0; t < task.T; t++) {
        const [v, m] = [at(batch.x, B, 2, t, b), at(batch.x, B, 2, t, b, 1)];
        check(t < L ? v >= 0 && v < 1 && (m === 0 || m === 1) : v === 0 && m === 0, `b=${b} t=${t}: (${v}, ${m})`);
        if (m === 1) marked.push(t);
      }
      const w = Math.floor(L / 10);
      check(
        marked.length === 2 && marked[0] < w && marked[1] >= w && marked[1] < w + Math.floor((4 * L) / 10),
        `b=${b}: ${marked}`,
      );
      firsts.add(marked[0]);
      seconds.add(marked[1]);
      check(batch.y[b] === (at(batch.x, B, 2, marked[0], b) + at(batch.x, B, 2, marked[1], b)) / 2, `b=${b}: target`);
      mse += (batch.y[b] - 0.5) ** 2 / B;
    }
    expect(bad).toEqual([]);
    expect([...lengths].sort((a, b) => a - b)).toEqual([50, 51, 52, 53, 54]);
    expect([...firsts].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    expect(Math.min(...seconds)).toBe(5);
    expect(Math.max(...seconds)).toBe(5 + 21 - 1); // L = 54: ⌊54/10⌋ + ⌊216/10⌋ − 1
    expect(Math.abs(mse - 1 / 24)).toBeLessThan(0.0015); // standard error ≈ 0.0004
  });
});
