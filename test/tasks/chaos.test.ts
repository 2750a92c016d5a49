import { describe, expect, it } from 'vitest';
import { chaosTask, LORENZ } from '../../src/tasks/chaos.js';
import { Rng } from '../../src/tensor/rng.js';
import { checker, expectContract } from './helpers.js';

/** An independent RK4 step of Lorenz-63 (σ = 10, ρ = 28, β = 8/3). */
function rk4(s: number[], dt: number): number[] {
  const f = ([x, y, z]: number[]): number[] => [10 * (y - x), x * (28 - z) - y, x * y - (8 / 3) * z];
  const add = (a: number[], b: number[], h: number): number[] => a.map((v, i) => v + h * b[i]);
  const k1 = f(s);
  const k2 = f(add(s, k1, dt / 2));
  const k3 = f(add(s, k2, dt / 2));
  const k4 = f(add(s, k3, dt));
  return s.map((v, i) => v + (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
}

const unscale = (u: ArrayLike<number>): number[] => [u[0] * 10, u[1] * 10, u[2] * 10 + 25];

describe('chaos: logistic map', () => {
  it('meets the task contract', () => {
    const task = chaosTask({ T: 20 });
    expect([task.inputSize, task.outputSize, task.T, task.loss, task.target]).toEqual([1, 1, 20, 'mse', 'all']);
    expectContract(task);
  });

  it('inputs follow x_{t+1} = r·x_t(1 − x_t) and targets are k steps ahead', () => {
    for (const [r, k] of [[4, 1], [3.7, 3]]) {
      const T = 30;
      const B = 20;
      const batch = chaosTask({ T, r, horizon: k }).sample(new Rng(5), B);
      const { bad, check } = checker();
      const f = (v: number): number => r * v * (1 - v);
      for (let b = 0; b < B; b++) {
        const x0 = batch.x[b];
        check(x0 > 0 && x0 < 1 && Math.abs(x0 - (1 - 1 / r)) >= 1e-3 && Math.abs(x0 - 0.5) >= 1e-3, `b=${b}: start ${x0}`);
        for (let t = 0; t < T; t++) {
          const x = batch.x[t * B + b];
          if (t + 1 < T) check(batch.x[(t + 1) * B + b] === f(x), `b=${b} t=${t}: not the map`);
          let ahead = x;
          for (let j = 0; j < k; j++) ahead = f(ahead);
          check(batch.y[t * B + b] === ahead, `b=${b} t=${t}: target is not f^${k}(x)`);
        }
      }
      expect(bad).toEqual([]);
    }
  });

  it('baseline is the persistence MSE', () => {
    const task = chaosTask({ T: 50 });
    const batch = task.sample(new Rng(77), 400);
    let mse = 0;
    for (let i = 0; i < batch.x.length; i++) mse += (batch.y[i] - batch.x[i]) ** 2 / batch.x.length;
    expect(Math.abs(mse - task.baseline) / task.baseline).toBeLessThan(0.05);
    expect(task.solvedBelow).toBeCloseTo(0.01 * task.baseline, 14);
    expect(() => chaosTask({ r: 1 })).toThrow('chaos.r: expected a value > 1, found 1');
  });
});

describe('chaos: Lorenz-63', () => {
  it('meets the task contract', () => {
    const task = chaosTask({ system: 'lorenz', T: 15, burnIn: 200 });
    expect([task.inputSize, task.outputSize, task.T]).toEqual([3, 3, 15]);
    expectContract(task);
  });

  it('observations are scaled RK4 steps on the attractor; targets k observations ahead', () => {
    expect(LORENZ).toMatchObject({ sigma: 10, rho: 28, dt: 0.01 });
    const T = 40;
    const B = 4;
    const stride = 2;
    const k = 3;
    const batch = chaosTask({ system: 'lorenz', T, stride, horizon: k }).sample(new Rng(6), B);
    const { bad, check } = checker();
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const s = unscale(batch.x.subarray((t * B + b) * 3, (t * B + b + 1) * 3));
        check(Math.abs(s[0]) < 25 && Math.abs(s[1]) < 30 && s[2] > 0 && s[2] < 55, `b=${b} t=${t}: off the attractor ${s}`);
        let next = s;
        for (let j = 0; j < stride; j++) next = rk4(next, 0.01);
        if (t + 1 < T) {
          const got = unscale(batch.x.subarray(((t + 1) * B + b) * 3, ((t + 1) * B + b + 1) * 3));
          check(got.every((v, i) => Math.abs(v - next[i]) < 1e-9), `b=${b} t=${t}: not ${stride} RK4 steps`);
        }
        for (let j = 1; j < k; j++) for (let i = 0; i < stride; i++) next = rk4(next, 0.01);
        const target = unscale(batch.y.subarray((t * B + b) * 3, (t * B + b + 1) * 3));
        check(target.every((v, i) => Math.abs(v - next[i]) < 1e-8), `b=${b} t=${t}: target is not ${k} observations ahead`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('baseline is the persistence MSE', () => {
    const task = chaosTask({ system: 'lorenz', T: 50, stride: 5 });
    const batch = task.sample(new Rng(13), 200);
    let mse = 0;
    for (let i = 0; i < batch.x.length; i++) mse += (batch.y[i] - batch.x[i]) ** 2 / batch.x.length;
    expect(Math.abs(mse - task.baseline) / task.baseline).toBeLessThan(0.1);
  });
});
