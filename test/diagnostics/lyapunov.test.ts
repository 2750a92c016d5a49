/** Lyapunov exponents by the QR method: linear maps, the logistic map, and a linear RNN's hidden dynamics. */
import { describe, expect, it } from 'vitest';
import { createStepProbe, jacobianProductNorms, lyapunovOfMap, lyapunovSpectrum } from '../../src/diagnostics/index.js';
import {
  create,
  diag,
  eigenvalues,
  gaussianMatrix,
  inverse,
  matmul,
  matvec,
  type Matrix,
} from '../../src/linalg/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { makeBatch, makeModel, setRecurrent } from './helpers.js';

const linearMap = (A: Matrix) => ({ dim: A.rows, step: (x: Float64Array) => matvec(A, x), jacobian: () => A });
const sortedLogModuli = (A: Matrix): number[] => {
  const { re, im } = eigenvalues(A);
  return Array.from(re, (r, i) => Math.log(Math.hypot(r, im[i]))).sort((a, b) => b - a);
};

/** V·diag(μ)·V⁻¹ with a random V: real eigenvalues μ. */
function withEigenvalues(mu: number[], seed: number): Matrix {
  const V = gaussianMatrix(mu.length, mu.length, new Rng(seed));
  return matmul(matmul(V, diag(mu)), inverse(V));
}

describe('Lyapunov exponents', () => {
  it('h ↦ A·h: the spectrum is the sorted log|eigenvalues| (real eigenvalues)', () => {
    const A = withEigenvalues([1.3, -0.9, 0.5, 0.2], 3);
    const r = lyapunovOfMap(linearMap(A), new Float64Array(4).fill(1), 600, { k: 4, burnIn: 100 });
    const expected = sortedLogModuli(A);
    r.exponents.forEach((l, i) => expect(Math.abs(l - expected[i])).toBeLessThan(1e-3));
    expect(r.running[0]).toHaveLength(500);
    expect(r.stderrBlocks[0]).toBeLessThan(1e-6);
  });

  it('h ↦ A·h with a rotation (complex pair): top exponent log ρ(A), spectrum log|μ|', () => {
    const c = Math.cos(0.7),
      s = Math.sin(0.7);
    const R = create(3, 3, [0.95 * c, -0.95 * s, 0, 0.95 * s, 0.95 * c, 0, 0, 0, 0.6]);
    const V = gaussianMatrix(3, 3, new Rng(5));
    const A = matmul(matmul(V, R), inverse(V));
    const r = lyapunovOfMap(linearMap(A), Float64Array.of(1, 0, 0), 20_000, { k: 3, burnIn: 200 });
    const expected = sortedLogModuli(A);
    expect(Math.abs(r.exponents[0] - Math.log(0.95))).toBeLessThan(1e-3);
    r.exponents.forEach((l, i) => expect(Math.abs(l - expected[i])).toBeLessThan(1e-3));
  });

  it('the logistic map at r = 4: ln 2', () => {
    const map = {
      dim: 1,
      step: (x: Float64Array) => Float64Array.of(4 * x[0] * (1 - x[0])),
      jacobian: (x: Float64Array) => [4 - 8 * x[0]],
    };
    const r = lyapunovOfMap(map, Float64Array.of(0.3141), 200_000, { burnIn: 1000, blocks: 20 });
    expect(Math.abs(r.exponents[0] - Math.LN2)).toBeLessThan(1e-2);
    expect(r.stderrBlocks[0]).toBeLessThan(1e-2);
    expect(r.stderrSamples).toBeNull();
  });

  it('a linear RNN (vanilla, identity, A = V·diag(μ)·V⁻¹): per-sample spectra equal log|μ|, whatever the input', () => {
    const A = withEigenvalues([0.95, -0.8, 0.6, 0.3], 6);
    const model = makeModel({ kind: 'vanilla', hidden: 4, activation: 'identity' });
    setRecurrent(model, A);
    const probe = createStepProbe(model, makeBatch(300, 3));
    const r = lyapunovSpectrum(probe, { k: 4, burnIn: 100 });
    const expected = sortedLogModuli(A);
    r.exponents.forEach((l, i) => expect(Math.abs(l - expected[i])).toBeLessThan(1e-3));
    for (const p of r.perSample as Float64Array[])
      p.forEach((l, i) => expect(Math.abs(l - expected[i])).toBeLessThan(1e-3));
    expect((r.stderrSamples as Float64Array)[0]).toBeLessThan(1e-6);
    probe.dispose();
  });

  it('k = 1, no burn-in: T·λ₁ = log‖J_T⋯J_1·q₀‖ ≤ log‖J_T⋯J_1‖ (a tanh RNN)', () => {
    const model = makeModel({ kind: 'vanilla', hidden: 5 }, 9);
    const probe = createStepProbe(model, makeBatch(30, 2));
    const r = lyapunovSpectrum(probe, { burnIn: 0 });
    expect(r.steps).toBe(30);
    expect(Number.isFinite(r.exponents[0])).toBe(true);
    expect(r.running[0][29]).toBe(r.exponents[0]);
    const P = jacobianProductNorms(probe, { spans: [[0, 30]] }).estimates[0];
    (r.perSample as Float64Array[]).forEach((p, b) => {
      expect(30 * p[0]).toBeLessThanOrEqual(P.logNorm[b] + 1e-9);
      expect(30 * p[0]).toBeGreaterThan(P.logNorm[b] - 5); // not wildly below: q₀ is a random direction
    });
    probe.dispose();
  });

  it('rejects bad options', () => {
    const A = create(2, 2, [0.5, 0, 0, 0.5]);
    expect(() => lyapunovOfMap(linearMap(A), [1, 1], 10, { k: 3 })).toThrow(/k must be/);
    expect(() => lyapunovOfMap(linearMap(A), [1, 1], 10, { burnIn: 9 })).toThrow(/burnIn/);
    expect(() => lyapunovOfMap(linearMap(A), [1], 10)).toThrow(/x0/);
  });
});
