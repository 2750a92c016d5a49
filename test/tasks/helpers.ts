/** Checks every task must pass: shapes, finiteness, class ranges, determinism and buffer reuse. */
import { expect } from 'vitest';
import type { Batch, Task } from '../../src/tasks/task.js';
import { Rng } from '../../src/tensor/rng.js';

/** Expected length of y for B sequences. */
export function yLength(task: Task, B: number): number {
  const perStep = task.loss === 'xent' ? 1 : task.outputSize;
  return (task.target === 'all' ? task.T : 1) * B * perStep;
}

/** Element (t, b, i) of a time-major [T, B, n] array. */
export function at(a: Float64Array, B: number, n: number, t: number, b: number, i = 0): number {
  return a[(t * B + b) * n + i];
}

export function expectContract(task: Task, B = 5): Batch {
  const batch = task.sample(new Rng(7), B);
  expect(batch.T).toBe(task.T);
  expect(batch.B).toBe(B);
  expect(batch.x).toBeInstanceOf(Float64Array);
  expect(batch.x.length).toBe(task.T * B * task.inputSize);
  expect(batch.y.length).toBe(yLength(task, B));
  if (batch.mask) expect(batch.mask.length).toBe(task.T * B);
  expect(batch.x.every(Number.isFinite)).toBe(true);
  expect(batch.y.every(Number.isFinite)).toBe(true);
  if (task.loss === 'xent') {
    expect(batch.y.every((c) => Number.isInteger(c) && c >= 0 && c < task.outputSize)).toBe(true);
  }
  expect(task.baseline).toBeGreaterThan(0);
  expect(task.definition.length).toBeGreaterThan(20);
  if (task.name !== 'mnist' && task.name !== 'text') expect(task.evaluationSet?.()).toBeNull();

  // determinism: same seed, same arrays; another seed, other inputs
  const again = task.sample(new Rng(7), B);
  expect(again.x).toEqual(batch.x);
  expect(again.y).toEqual(batch.y);
  expect(again.mask).toEqual(batch.mask);
  const other = task.sample(new Rng(8), B);
  expect(other.x).not.toEqual(batch.x);

  // reuse: `out` keeps its arrays and, refilled with seed 7, equals a fresh seed-7 batch (nothing stale)
  const { x, y, mask } = other;
  const reused = task.sample(new Rng(7), B, other);
  expect(reused).toBe(other);
  expect(reused.x).toBe(x);
  expect(reused.y).toBe(y);
  if (mask) expect(reused.mask).toBe(mask);
  expect(reused.x).toEqual(batch.x);
  expect(reused.y).toEqual(batch.y);
  expect(reused.mask).toEqual(batch.mask);

  // a different batch size through the same `out` gives correctly sized arrays
  const resized = task.sample(new Rng(7), B + 1, other);
  expect(resized.B).toBe(B + 1);
  expect(resized.x.length).toBe(task.T * (B + 1) * task.inputSize);
  expect(resized.y.length).toBe(yLength(task, B + 1));
  return batch;
}

export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/** Collects the first few failed element checks (one expect() per element would be slow). */
export function checker(): { bad: string[]; check: (cond: boolean, what: string) => void } {
  const bad: string[] = [];
  return { bad, check: (cond, what) => void (!cond && bad.length < 5 && bad.push(what)) };
}
