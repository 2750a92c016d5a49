import { describe, expect, it } from 'vitest';
import { memoryKernel, memoryTask } from '../../src/tasks/memory.js';
import { Rng } from '../../src/tensor/rng.js';
import { checker, expectContract } from './helpers.js';

describe('memory functionals', () => {
  it('meets the task contract', () => {
    for (const kernel of ['exponential', 'polynomial'] as const) {
      const task = memoryTask({ T: 30, kernel });
      expect([task.inputSize, task.outputSize, task.T, task.loss, task.target]).toEqual([1, 1, 30, 'mse', 'all']);
      expectContract(task);
    }
  });

  it('normalises the kernel to Σρ² = 1 with the documented shapes', () => {
    const e = memoryKernel({ T: 50, kernel: 'exponential', tau: 7 });
    const p = memoryKernel({ T: 50, kernel: 'polynomial', p: 0.8 });
    for (const rho of [e, p]) expect(rho.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 14);
    for (let s = 1; s < 50; s++) {
      expect(e[s] / e[s - 1]).toBeCloseTo(Math.exp(-1 / 7), 12);
      expect(p[s] / p[0]).toBeCloseTo((1 + s) ** -0.8, 12);
    }
  });

  it('targets are y_t = Σ_{s≤t} ρ(s) x_{t−s} (direct sum)', () => {
    for (const config of [
      { T: 40, kernel: 'exponential' as const, tau: 5 },
      { T: 40, kernel: 'polynomial' as const, p: 1.5 },
    ]) {
      const rho = memoryKernel(config);
      const B = 6;
      const batch = memoryTask(config).sample(new Rng(8), B);
      const { bad, check } = checker();
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < 40; t++) {
          let y = 0;
          for (let s = 0; s <= t; s++) y += rho[s] * batch.x[(t - s) * B + b];
          check(Math.abs(batch.y[t * B + b] - y) < 1e-12, `b=${b} t=${t}: ${batch.y[t * B + b]} vs ${y}`);
        }
      }
      expect(bad).toEqual([]);
    }
  });

  it('baseline (predicting 0) is the mean target variance, exactly and empirically', () => {
    const config = { T: 25, kernel: 'polynomial' as const, p: 0.7 };
    const task = memoryTask(config);
    const rho = memoryKernel(config);
    let exact = 0;
    for (let t = 0; t < 25; t++) for (let s = 0; s <= t; s++) exact += (rho[s] * rho[s]) / 25;
    expect(task.baseline).toBeCloseTo(exact, 14);
    const B = 4000;
    const batch = task.sample(new Rng(2), B);
    const meanSq = batch.y.reduce((s, v) => s + v * v, 0) / batch.y.length;
    expect(Math.abs(meanSq - exact) / exact).toBeLessThan(0.05);
    // the last step has unit variance (Σρ² = 1 over the horizon)
    let last = 0;
    for (let b = 0; b < B; b++) last += batch.y[24 * B + b] ** 2 / B;
    expect(last).toBeCloseTo(1, 1);
  });
});
