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
    for (const [r, k] of [
      [4, 1],
      [3.7, 3],
    ]) {
      const T = 30;
      const B = 20;
      const batch = chaosTask({ T, r, horizon: k }).sample(new Rng(5), B);
      const { bad, check } = checker();
      const f = (v: number): number => r * v * (1 - v);
      for (let b = 0; b < B; b++) {
        const x0 = batch.x[b];
        check(
          x0 > 0 && x0 < 1 && Math.abs(x0 - (1 - 1 / r)) >= 1e-3 && Math.abs(x0 - 0.5) >= 1e-3,
          `b=${b}: start ${x0}`,
        );
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
        check(
          Math.abs(s[0]) < 25 && Math.abs(s[1]) < 30 && s[2] > 0 && s[2] < 55,
          `b=${b} t=${t}: off the attractor ${s}`,
        );
        let next = s;
        for (let j = 0; j < stride; j++) next = rk4(next, 0.01);
        if (t + 1 < T) {
          const got = unscale(batch.x.subarray(((t + 1) * B + b) * 3, ((t + 1) * B + b + 1) * 3));
          check(
            got.every((v, i) => Math.abs(v - next[i]) < 1e-9),
            `b=${b} t=${t}: not ${stride} RK4 steps`,
          );
        }
        for (let j = 1; j < k; j++) for (let i = 0; i < stride; i++) next = rk4(next, 0.01);
        const target = unscale(batch.y.subarray((t * B + b) * 3, (t * B + b + 1) * 3));
        check(
          target.every((v, i) => Math.abs(v - next[i]) < 1e-8),
          `b=${b} t=${t}: target is not ${k} observations ahead`,
        );
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

describe('chaos: Lorenz observer (observe one coordinate, infer another; needs memory)', () => {
  const config = { system: 'lorenz', observe: 'x', predict: 'z', horizon: 0, T: 100 } as const;

  it('meets the task contract: one input, one output, a washout of 25 steps without target', () => {
    const task = chaosTask({ ...config, T: 40, burnIn: 200 });
    expect([task.inputSize, task.outputSize, task.T, task.loss, task.target]).toEqual([1, 1, 40, 'mse', 'all']);
    const batch = expectContract(task);
    const lossMask = batch.lossMask!;
    for (let t = 0; t < 40; t++) for (let b = 0; b < 5; b++) expect(lossMask[t * 5 + b]).toBe(t < 25 ? 0 : 1);
    expect(chaosTask({ ...config, T: 40, burnIn: 200, stride: 5 }).definition).toContain('washout 5');
    expect(chaosTask({ system: 'lorenz', T: 10, burnIn: 10 }).sample(new Rng(1), 2).lossMask).toBeUndefined();
  });

  it('hand-checked sample: the input is the scaled x of the full-state trajectory, the target its z k steps on', () => {
    const T = 30;
    const k = 2;
    const full = chaosTask({ system: 'lorenz', T, horizon: k, burnIn: 300 }).sample(new Rng(9), 3);
    const obs = chaosTask({
      system: 'lorenz',
      T,
      horizon: k,
      burnIn: 300,
      observe: 'x',
      predict: 'z',
      washout: 0,
    }).sample(new Rng(9), 3);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < 3; b++) {
        expect(obs.x[t * 3 + b]).toBe(full.x[(t * 3 + b) * 3]);
        expect(obs.y[t * 3 + b]).toBe(full.y[(t * 3 + b) * 3 + 2]);
      }
    }
    // by hand: step 0 of sequence 0, two RK4 steps (dt = 0.01) of the unscaled state give z, scaled (z − 25)/10
    const s0 = unscale(full.x.subarray(0, 3));
    const z2 = rk4(rk4(s0, 0.01), 0.01)[2];
    expect(obs.y[0]).toBeCloseTo((z2 - 25) / 10, 9);
  });

  it('baseline is the best memoryless MSE E[Var(z | x)], checked on an independent large sample', () => {
    const task = chaosTask(config);
    const rng = new Rng(123);
    const bins = 60; // a different binning than the task's 200
    const [sum, sq, cnt] = [new Float64Array(bins), new Float64Array(bins), new Float64Array(bins)];
    let [n, mean, meanSq] = [0, 0, 0];
    for (let i = 0; i < 12; i++) {
      const batch = task.sample(rng, 256);
      for (let r = 25 * 256; r < batch.x.length; r++) {
        const bin = Math.min(bins - 1, Math.max(0, Math.floor(((batch.x[r] + 2.2) / 4.4) * bins)));
        sum[bin] += batch.y[r];
        sq[bin] += batch.y[r] ** 2;
        cnt[bin]++;
        mean += batch.y[r];
        meanSq += batch.y[r] ** 2;
        n++;
      }
    }
    let residual = 0;
    for (let bin = 0; bin < bins; bin++) if (cnt[bin] > 0) residual += sq[bin] - sum[bin] ** 2 / cnt[bin];
    const variance = meanSq / n - (mean / n) ** 2;
    expect(Math.abs(residual / n / task.baseline - 1)).toBeLessThan(0.05);
    expect(task.baseline).toBeGreaterThan(0.38);
    expect(task.baseline / variance).toBeGreaterThan(0.5); // x alone leaves more than half of z's variance unexplained
    expect(task.solvedBelow).toBeCloseTo(0.01 * task.baseline, 14);
  });

  it('is solvable with memory: nearest neighbour on 4 delayed inputs beats 0.01 × baseline', () => {
    const task = chaosTask(config);
    const lags = [0, 10, 20, 30];
    const embed = (b: { x: Float64Array; y: Float64Array }, B: number) => {
      const rows: { key: number[]; z: number }[] = [];
      for (let i = 0; i < B; i++)
        for (let t = 30; t < 100; t++) rows.push({ key: lags.map((l) => b.x[(t - l) * B + i]), z: b.y[t * B + i] });
      return rows;
    };
    const library = embed(task.sample(new Rng(1), 300), 300);
    const queries = embed(task.sample(new Rng(2), 12), 12);
    let se = 0;
    for (const q of queries) {
      let best = Infinity;
      let z = 0;
      for (const r of library) {
        let d = 0;
        for (let j = 0; j < 4 && d < best; j++) d += (r.key[j] - q.key[j]) ** 2;
        if (d < best) [best, z] = [d, r.z];
      }
      se += (z - q.z) ** 2;
    }
    expect(se / queries.length).toBeLessThan(task.solvedBelow!);
  });

  it('rejects the settings where the task is trivial or unidentifiable', () => {
    expect(() => chaosTask({ observe: 'x' })).toThrow("chaos.observe: expected 'all' for the logistic map");
    expect(() => chaosTask({ system: 'lorenz', horizon: 0 })).toThrow(
      'chaos.horizon: expected >= 1 unless observing one coordinate',
    );
    expect(() => chaosTask({ system: 'lorenz', observe: 'x', predict: 'x', horizon: 0 })).toThrow('chaos.horizon');
    expect(() => chaosTask({ system: 'lorenz', observe: 'z', predict: 'x' })).toThrow(
      "chaos.predict: expected 'z' when observing z",
    );
    expect(() => chaosTask({ system: 'lorenz', observe: 'x', predict: 'z', T: 20 })).toThrow(
      'chaos.washout: expected fewer than T = 20 steps, found 25',
    );
  });
});
