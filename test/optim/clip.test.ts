import { describe, expect, it } from 'vitest';
import { referenceBackend as be } from '../../src/kernels/reference/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { clipGradNorm, clipGradValue, gradNorm, paramGroupNorms } from '../../src/optim/index.js';

/** Parameters whose gradients are the given arrays (null = no gradient). */
function withGrads(...grads: Array<number[] | null>): Tensor[] {
  return grads.map((g, i) => {
    const p = Tensor.zeros(be, [g?.length ?? 1]);
    p.name = `p${i}`;
    if (g !== null) p.markGrad().grad!.set(g);
    return p;
  });
}
const grads = (ps: Tensor[]): Array<number[] | null> => ps.map((p) => (p.grad ? Array.from(p.grad.toArray()) : null));

describe('gradNorm', () => {
  it('is the L2 norm over all gradients, skipping missing ones', () => {
    expect(gradNorm(withGrads([3, 4], null, [12]))).toBe(13);
    expect(gradNorm(withGrads([0, 0]))).toBe(0);
  });
});

describe('clipGradNorm', () => {
  it('returns the pre-clip norm and rescales by maxNorm/(norm + 1e-6)', () => {
    const ps = withGrads([3, 4], null, [12]);
    expect(clipGradNorm(ps, 6.5)).toBe(13);
    const c = 6.5 / (13 + 1e-6);
    const got = grads(ps);
    expect(got[1]).toBeNull();
    [[3 * c, 4 * c], null, [12 * c]].forEach((want, i) =>
      want?.forEach((w, j) => expect(got[i]![j]).toBeCloseTo(w, 15)),
    );
    expect(gradNorm(ps)).toBeCloseTo(6.5, 6);
    expect(gradNorm(ps)).toBeLessThan(6.5);
  });

  it('leaves gradients alone below the limit', () => {
    const ps = withGrads([3, 4], [12]);
    expect(clipGradNorm(ps, 20)).toBe(13);
    expect(grads(ps)).toEqual([[3, 4], [12]]);
  });

  it('leaves zero gradients zero', () => {
    const ps = withGrads([0, 0, 0]);
    expect(clipGradNorm(ps, 1)).toBe(0);
    expect(grads(ps)).toEqual([[0, 0, 0]]);
  });

  it('returns a non-finite norm with the gradients untouched', () => {
    const ps = withGrads([1, 2], [3]);
    ps[0].grad!.set([NaN, 2], { allowNonFinite: true });
    expect(clipGradNorm(ps, 1)).toBeNaN();
    expect(grads(ps)[1]).toEqual([3]);
    ps[0].grad!.set([Infinity, 2], { allowNonFinite: true });
    expect(clipGradNorm(ps, 1)).toBe(Infinity);
    expect(grads(ps)[1]).toEqual([3]);
  });

  it('refuses a bad maxNorm', () => {
    expect(() => clipGradNorm(withGrads([1]), 0)).toThrow('clipGradNorm: maxNorm must be a finite number > 0, got 0');
    expect(() => clipGradNorm(withGrads([1]), NaN)).toThrow(/got NaN/);
  });
});

describe('clipGradValue', () => {
  it('clamps each element into [−limit, limit]', () => {
    const ps = withGrads([3, 4, -12], null, [0.5]);
    clipGradValue(ps, 3.5);
    expect(grads(ps)).toEqual([[3, 3.5, -3.5], null, [0.5]]);
  });
  it('refuses a bad limit', () => {
    expect(() => clipGradValue(withGrads([1]), -1)).toThrow('clipGradValue: limit must be a finite number > 0, got -1');
  });
});

describe('paramGroupNorms', () => {
  it("gives per-parameter norms under the tensors' names by default", () => {
    expect(paramGroupNorms(withGrads([3, 4], null, [-2]))).toEqual({ p0: 5, p1: 0, p2: 2 });
  });
  it('pools parameters that share a name', () => {
    const ps = withGrads([3, 4], [12], [1, 1, 1, 1]);
    expect(paramGroupNorms(ps, ['layer0', 'layer0', 'layer1'])).toEqual({ layer0: 13, layer1: 2 });
  });
  it('falls back to param<i> for unnamed tensors and checks the name count', () => {
    const ps = withGrads([1], [2]);
    ps[1].name = '';
    expect(paramGroupNorms(ps)).toEqual({ p0: 1, param1: 2 });
    expect(() => paramGroupNorms(ps, ['a'])).toThrow('paramGroupNorms: got 1 names for 2 parameters');
  });
});
