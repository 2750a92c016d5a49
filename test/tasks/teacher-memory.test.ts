import { describe, expect, it } from 'vitest';
import { teacherMemory } from '../../src/tasks/teacher-memory.js';
import { teacherTask, teacherWeights, type TeacherWeights } from '../../src/tasks/teacher.js';
import { Rng } from '../../src/tensor/rng.js';
import { expectContract } from './helpers.js';

/** y at the last step of an independent forward pass (vanilla or deep teacher); x is [T][I], O = 1. */
function lastOutput(w: TeacherWeights, x: number[][], H: number): number {
  let h = new Array<number>(H).fill(0);
  for (const xt of x) {
    for (let l = 0; l < w.W.length; l++) {
      const I = xt.length;
      h = h.map((_, i) => {
        let s = w.b[l][i];
        for (let j = 0; j < H; j++) s += w.W[l][i * H + j] * h[j];
        if (l === 0) for (let j = 0; j < I; j++) s += w.U[i * I + j] * xt[j];
        return Math.tanh(s);
      });
    }
  }
  return h.reduce((s, v, j) => s + w.C[j] * v, 0);
}

describe('teacher: orthogonal recurrence and input/output scales', () => {
  it('orthogonal W has every singular value equal to gain; U, b, C are the same draws as the gaussian teacher', () => {
    const H = 24;
    const o = teacherWeights({ hiddenSize: H, recurrent: 'orthogonal', gain: 0.9, teacher: 'deep', depth: 2 });
    const g = teacherWeights({ hiddenSize: H, gain: 0.9, teacher: 'deep', depth: 2 });
    for (const W of o.W) {
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < H; j++) {
          let dot = 0; // (WᵀW)_ij
          for (let r = 0; r < H; r++) dot += W[r * H + i] * W[r * H + j];
          expect(Math.abs(dot - (i === j ? 0.81 : 0))).toBeLessThan(1e-12);
        }
      }
    }
    expect(o.W[0]).not.toEqual(g.W[0]);
    expect(teacherWeights({ recurrent: 'orthogonal', gain: 0 }).W[0].every((v) => v === 0)).toBe(true);
    expect([o.U, o.b, o.C]).toEqual([g.U, g.b, g.C]);
    const s = teacherWeights({ inputScale: 0.5, outputScale: 3 });
    const d = teacherWeights({});
    s.U.forEach((v, i) => expect(v).toBeCloseTo(0.5 * d.U[i], 14));
    s.C.forEach((v, i) => expect(v).toBeCloseTo(3 * d.C[i], 14));
  });

  it('meets the task contract; the definition names the non-default settings', () => {
    const task = teacherTask({
      T: 10,
      recurrent: 'orthogonal',
      gain: 0.95,
      inputScale: 0.1,
      outputScale: 10,
      biasStd: 0,
    });
    expectContract(task);
    expect(task.definition).toContain('gain 0.95 (orthogonal W), input scale 0.1, output scale 10');
  });
});

describe('teacherMemory: the measured memory horizon', () => {
  it('hand-checked: the profile equals finite differences of the teacher output (one sequence)', () => {
    const config = { hiddenSize: 5, inputSize: 1, gain: 1.2, biasStd: 0.3, teacher: 'deep', depth: 2 } as const;
    const [warmup, lags] = [3, 4];
    const m = teacherMemory(config, { sequences: 1, warmup, lags });
    // the same inputs: Rng('teacher-memory'), one N(0, 1) draw per step
    const rng = new Rng('teacher-memory');
    const x = Array.from({ length: warmup + lags }, () => [rng.normal()]);
    const w = teacherWeights(config);
    const eps = 1e-6;
    for (let s = 0; s < lags; s++) {
      const t = warmup + lags - 1 - s;
      const up = x.map((r, i) => (i === t ? [r[0] + eps] : r));
      const down = x.map((r, i) => (i === t ? [r[0] - eps] : r));
      const fd = (lastOutput(w, up, 5) - lastOutput(w, down, 5)) / (2 * eps);
      expect(m.profile[s]).toBeCloseTo(Math.abs(fd), 7);
    }
  });

  it('near-linear orthogonal teacher: measured per-step decay is ln a (within 0.01), horizon near ln(0.01)/ln a', () => {
    for (const a of [0.8, 0.9, 0.95]) {
      const m = teacherMemory(
        { recurrent: 'orthogonal', gain: a, inputScale: 1e-3, outputScale: 1e3, biasStd: 0 },
        { lags: 200, sequences: 8 },
      );
      expect(Math.abs(m.rate - Math.log(a))).toBeLessThan(0.01);
      expect(m.censored).toBe(false);
      const predicted = Math.log(0.01) / Math.log(a);
      expect(m.horizon).toBeGreaterThan(0.6 * predicted); // ‖C·Qˢ·U‖ itself fluctuates with s
      expect(m.horizon).toBeLessThan(1.4 * predicted);
    }
  });

  it('a longer setting gives a longer measured horizon (gain of an orthogonal teacher; gain of the default)', () => {
    const horizons = [0.5, 0.8, 0.9, 0.95].map(
      (a) =>
        teacherMemory({ recurrent: 'orthogonal', gain: a, inputScale: 0.1, biasStd: 0 }, { lags: 120, sequences: 16 })
          .horizon,
    );
    for (let i = 1; i < horizons.length; i++) expect(horizons[i]).toBeGreaterThan(horizons[i - 1]);
    expect(horizons[3]).toBeGreaterThan(30);
    const defaults = teacherMemory({}, { lags: 60, sequences: 32 });
    const short = teacherMemory({ gain: 0.5 }, { lags: 60, sequences: 32 });
    expect(defaults.horizon).toBeGreaterThan(short.horizon);
    expect(defaults.horizon).toBeLessThan(30); // the default teacher remembers little (the confound of issue 9)
  });

  it('reports a censored horizon and rejects bad options', () => {
    const m = teacherMemory(
      { recurrent: 'orthogonal', gain: 0.99, inputScale: 1e-3, biasStd: 0 },
      { lags: 20, sequences: 2 },
    );
    expect([m.censored, m.horizon, m.profile.length]).toEqual([true, 20, 20]);
    expect(() => teacherMemory({}, { lags: 1 })).toThrow('teacherMemory: lags must be an integer >= 2, got 1');
    expect(() => teacherMemory({}, { fraction: 1 })).toThrow('teacherMemory: fraction must lie in (0, 1), got 1');
  });
});
