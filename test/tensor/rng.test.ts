/** The seeded generator: same seed → identical bits, different seeds → different values, sane distributions. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { getBackend } from '../../src/kernels/index.js';
import { wasmAvailable } from '../../src/kernels/wasm/backend.js';
import { Model } from '../../src/models/model.js';

const draw = (seed: number | string, n = 1000): Float64Array => {
  const r = new Rng(seed);
  return Float64Array.from({ length: n }, (_, i) =>
    i % 3 === 0 ? r.uniform() : i % 3 === 1 ? r.normal() : r.int(1000),
  );
};

describe('Rng', () => {
  it('same seed gives bit-identical sequences; different seeds differ', () => {
    expect(Buffer.from(draw(42).buffer).equals(Buffer.from(draw(42).buffer))).toBe(true);
    expect(Buffer.from(draw('study').buffer).equals(Buffer.from(draw('study').buffer))).toBe(true);
    const a = draw(1),
      b = draw(2);
    expect(a.filter((v, i) => v !== b[i]).length).toBeGreaterThan(900);
    expect(draw(2 ** 40)[0]).not.toBe(draw(0)[0]);
  });

  it('uniform, normal and permutations have the right distributions', () => {
    const r = new Rng(7),
      n = 200_000;
    let s = 0,
      s2 = 0,
      min = 1,
      max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      s += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    s = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(s / n).toBeCloseTo(0, 2);
    expect(s2 / n).toBeCloseTo(1, 2);
    const p = Array.from(r.permutation(100));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(() => r.int(0)).toThrow('Rng.int: n must be a positive integer, got 0');
  });

  it('forks are independent streams, reproducible from the parent seed', () => {
    const a = new Rng(3),
      b = new Rng(3);
    const fa = a.fork(),
      fb = b.fork();
    expect(fa.uniform()).toBe(fb.uniform());
    expect(a.fork().uniform()).not.toBe(fa.uniform());
  });

  it('the same seed initialises a model bit-identically on each backend', () => {
    const names = wasmAvailable() ? (['reference', 'wasm'] as const) : (['reference'] as const);
    for (const name of names) {
      const config = {
        inputSize: 3,
        outputSize: 2,
        target: 'last' as const,
        cell: { kind: 'lstm' as const, hidden: 5 },
      };
      const p1 = new Model(config, getBackend(name), 9).parameters().map((t) => Array.from(t.toArray()));
      const p2 = new Model(config, getBackend(name), 9).parameters().map((t) => Array.from(t.toArray()));
      const p3 = new Model(config, getBackend(name), 10).parameters().map((t) => Array.from(t.toArray()));
      expect(p2).toEqual(p1);
      expect(p3).not.toEqual(p1);
    }
  });
});

describe('Tensor', () => {
  it('views share memory and their gradient is the view of the base gradient', () => {
    const t = Tensor.from(referenceBackend, [3, 2], [1, 2, 3, 4, 5, 6]).markGrad();
    const row = t.at(1);
    expect(Array.from(row.toArray())).toEqual([3, 4]);
    row.set([7, 8]);
    expect(Array.from(t.toArray())).toEqual([1, 2, 7, 8, 5, 6]);
    row.ensureGrad().set([1, 1]);
    expect(Array.from(t.grad!.toArray())).toEqual([0, 0, 1, 1, 0, 0]);
    expect(t.reshape([2, 3]).toNested()).toEqual([
      [1, 2, 7],
      [8, 5, 6],
    ]);
    expect(() => t.at(3)).toThrow('at: index 3 out of range for tensor [3,2]');
    expect(() => t.reshape([4, 2])).toThrow('reshape: cannot view [3,2] as [4,2]');
    expect(() => Tensor.from(referenceBackend, [2], [1, Infinity])).toThrow('value Infinity at index 1 is not finite');
    expect(() => Tensor.zeros(referenceBackend, [2, -1])).toThrow('invalid shape');
  });
});
