import { describe, expect, it } from 'vitest';
import { teacherTask, teacherWeights, type TeacherConfig, type TeacherWeights } from '../../src/tasks/teacher.js';
import { Rng } from '../../src/tensor/rng.js';
import { expectContract } from './helpers.js';

/** An independent teacher forward pass for one sequence: x is [T][I], returns y [T][O]. */
function teach(w: TeacherWeights, x: number[][], H: number): number[][] {
  const mv = (M: Float64Array, v: number[], rows: number): number[] =>
    Array.from({ length: rows }, (_, i) => v.reduce((s, vj, j) => s + M[i * v.length + j] * vj, 0));
  let h = new Array(H).fill(0);
  return x.map((xt) => {
    let z = mv(w.W[0], h, H).map((s, i) => Math.tanh(s + mv(w.U, xt, H)[i] + w.b[0][i]));
    for (let l = 1; l < w.W.length; l++) z = mv(w.W[l], z, H).map((s, i) => Math.tanh(s + w.b[l][i]));
    h = z;
    return mv(w.C, h, w.C.length / H);
  });
}

function compare(config: Partial<TeacherConfig>): void {
  const task = teacherTask(config);
  const { T } = task;
  const I = task.inputSize;
  const O = task.outputSize;
  const H = config.hiddenSize ?? 16;
  const B = 3;
  const batch = task.sample(new Rng(21), B);
  const w = teacherWeights(config);
  for (let b = 0; b < B; b++) {
    const x = Array.from({ length: T }, (_, t) => Array.from(batch.x.subarray((t * B + b) * I, (t * B + b + 1) * I)));
    const y = teach(w, x, H);
    for (let o = 0; o < O; o++) {
      if (task.target === 'all')
        for (let t = 0; t < T; t++) expect(batch.y[(t * B + b) * O + o]).toBeCloseTo(y[t][o], 12);
      else expect(batch.y[b * O + o]).toBeCloseTo(y[T - 1][o], 12);
    }
  }
}

describe('teacher–student', () => {
  it('meets the task contract', () => {
    const task = teacherTask({ T: 12, inputSize: 3, hiddenSize: 8, outputSize: 2 });
    expect([task.inputSize, task.outputSize, task.T, task.loss, task.target, task.metric]).toEqual([
      3,
      2,
      12,
      'mse',
      'all',
      'mse',
    ]);
    expectContract(task);
    expect(task.solvedBelow).toBeCloseTo(0.01 * task.baseline, 14);
  });

  it('targets are the teacher recomputed independently (vanilla, deep, last)', () => {
    compare({ T: 9, inputSize: 3, hiddenSize: 6, outputSize: 2, gain: 1.3 });
    compare({ T: 7, teacher: 'deep', depth: 3, inputSize: 2, hiddenSize: 5, outputSize: 1, biasStd: 0.5 });
    compare({ T: 8, teacher: 'deep', depth: 2, hiddenSize: 4, target: 'last' });
    compare({ T: 9, hiddenSize: 6, recurrent: 'orthogonal', gain: 0.9, inputScale: 0.3, outputScale: 2, biasStd: 0 });
  });

  it('draws weights from teacherSeed with the documented scales', () => {
    const w = teacherWeights({ hiddenSize: 64, inputSize: 16, gain: 1.5, teacher: 'deep', depth: 2, biasStd: 0.2 });
    const std = (a: Float64Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    const near = (a: number, b: number): void => expect(Math.abs(a / b - 1)).toBeLessThan(0.06);
    near(std(w.W[0]), 1.5 / 8); // 4096 entries: relative standard error ≈ 1 %
    near(std(w.W[1]), 1.5 / 8);
    near(std(w.U), 1 / 4); // 1024 entries: ≈ 2 %
    expect(Math.abs(std(w.C) / (1 / 8) - 1)).toBeLessThan(0.3); // 64 entries
    expect(Math.abs(std(Float64Array.from([...w.b[0], ...w.b[1]])) / 0.2 - 1)).toBeLessThan(0.2); // 128 entries
    expect(teacherWeights({ teacherSeed: 5 }).W[0]).toEqual(teacherWeights({ teacherSeed: 5 }).W[0]);
    expect(teacherWeights({ teacherSeed: 5 }).W[0]).not.toEqual(teacherWeights({ teacherSeed: 6 }).W[0]);
    // vanilla is the deep teacher with L = 1 (same weights, same targets)
    const a = teacherTask({ T: 6 }).sample(new Rng(1), 2);
    const d = teacherTask({ T: 6, teacher: 'deep', depth: 1 }).sample(new Rng(1), 2);
    expect(d.y).toEqual(a.y);
  });

  it('inputs come from the sample rng, weights from the config seed', () => {
    const a = teacherTask({ T: 10, teacherSeed: 1 }).sample(new Rng(3), 4);
    const b = teacherTask({ T: 10, teacherSeed: 2 }).sample(new Rng(3), 4);
    expect(b.x).toEqual(a.x);
    expect(b.y).not.toEqual(a.y);
    // 'last' is the last step of 'all'
    const last = teacherTask({ T: 10, teacherSeed: 1, target: 'last' }).sample(new Rng(3), 4);
    expect(last.y).toEqual(a.y.subarray(9 * 4, 10 * 4));
  });

  it('baseline is the target variance (checked on fresh data)', () => {
    const orthogonal = {
      T: 20,
      recurrent: 'orthogonal' as const,
      gain: 0.95,
      inputScale: 0.1,
      outputScale: 10,
      biasStd: 0,
    };
    for (const config of [
      { T: 20 },
      { T: 20, target: 'last' as const, teacher: 'deep' as const, depth: 2 },
      orthogonal,
    ]) {
      const task = teacherTask(config);
      const batch = task.sample(new Rng(99), 1500);
      const y = batch.y;
      const m = y.reduce((s, v) => s + v, 0) / y.length;
      const v = y.reduce((s, u) => s + (u - m) ** 2, 0) / y.length;
      expect(Math.abs(v - task.baseline) / task.baseline).toBeLessThan(0.1);
    }
  });
});
