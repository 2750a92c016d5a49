/**
 * Step Jacobians: the probe's trajectory is the model's; matrix-free spectral norms equal the dense SVD's
 * σ₁ for every transition; product norms equal the dense product's; Pascanu bounds hold.
 */
import { describe, expect, it } from 'vitest';
import {
  compareWithBound,
  createStepProbe,
  denseStepJacobians,
  jacobianProductNorms,
  stepJacobianNorms,
  transitionBound,
  tridiagonalMaxEigenvalue,
} from '../../src/diagnostics/index.js';
import {
  matmul,
  scaleToSpectralNorm,
  gaussianMatrix,
  randomOrthogonal,
  singularValues,
  spectralNorm,
  create,
  symmetricEigen,
} from '../../src/linalg/index.js';
import { Tape } from '../../src/autodiff/tape.js';
import { Rng } from '../../src/tensor/rng.js';
import type { CellConfig } from '../../src/cells/index.js';
import { makeBatch, makeModel, maxRel, setRecurrent } from './helpers.js';

const H = 5,
  T = 6,
  B = 3;
const cells: [string, CellConfig][] = [
  ['vanilla tanh', { kind: 'vanilla', hidden: H }],
  ['vanilla relu', { kind: 'vanilla', hidden: H, activation: 'relu' }],
  ['gru', { kind: 'gru', hidden: H }],
  ['lstm (h, c)', { kind: 'lstm', hidden: H, forgetBias: 1 }],
  ['deep plain L=3', { kind: 'deep', hidden: H, depth: 3 }],
  ['deep shortcut L=2', { kind: 'deep', hidden: H, depth: 2, variant: 'shortcut' }],
  ['deep residual L=2', { kind: 'deep', hidden: H, depth: 2, variant: 'residual' }],
  ['deep highway L=2 + layerNorm', { kind: 'deep', hidden: H, depth: 2, variant: 'highway', layerNorm: true }],
  ['lru (Re, Im)', { kind: 'lru', hidden: H, state: 3 }],
];

describe('step Jacobians (reference backend)', () => {
  for (const [name, cfg] of cells) {
    it(`${name}: matrix-free σ₁ (Lanczos and power iteration) = dense SVD σ₁; products too`, () => {
      const model = makeModel(cfg, 2, undefined, { layers: 2 });
      const batch = makeBatch(T, B);
      for (const layer of [0, 1]) {
        const probe = createStepProbe(model, batch, { layer });
        // the probe's trajectory is the model's (the h component)
        const tape = new Tape(model.backend, { grad: false });
        const x = tape.input([T, B, 3]).set(batch.x);
        const { hs } = model.forward(tape, x);
        const hsL = hs[layer];
        const size = model.layers[layer].cells[0].stateSizes[0];
        for (let t = 1; t <= T && hsL.length; t++) {
          const s = probe.state(t),
            h = hsL[t - 1].toArray();
          for (let b = 0; b < B; b++)
            for (let j = 0; j < size; j++) expect(Math.abs(s[b * probe.D + j] - h[b * size + j])).toBeLessThan(1e-12);
        }
        tape.dispose();
        const steps = [1, 3, T];
        const dense = denseStepJacobians(probe, { steps });
        for (const method of ['lanczos', 'power'] as const) {
          const est = stepJacobianNorms(probe, { steps, method });
          dense.forEach((d, i) => {
            const top = d.singularValues.map((sv) => sv[0]);
            const e = est.estimates[i];
            expect(maxRel(e.norm, top), `${name} layer ${layer} t=${d.t} ${method}`).toBeLessThan(1e-6);
            if (method === 'lanczos') expect(e.converged).toBe(true);
            // power iteration: near-tied σ₁ ≈ σ₂ (the LSTM here) may exhaust the cap, accurate all the same
            else for (let b = 0; b < B; b++) expect(e.iterations[b] < 500 || e.residual[b] > 1e-6).toBe(true);
          });
        }
        // ‖J_T·J_{T−1}·J_{T−2}‖ against the dense product (span [T−3, T])
        const all = denseStepJacobians(probe, { steps: [T - 2, T - 1, T] });
        for (const method of ['lanczos', 'power'] as const) {
          const prod = jacobianProductNorms(probe, { spans: [[T - 3, T]], method });
          for (let b = 0; b < B; b++) {
            const P = matmul(all[2].matrices[b], matmul(all[1].matrices[b], all[0].matrices[b]));
            expect(
              Math.abs(prod.estimates[0].norm[b] / spectralNorm(P) - 1),
              `${name} product b=${b} ${method}`,
            ).toBeLessThan(1e-6);
          }
        }
        probe.dispose();
      }
    });
  }

  it('Lanczos and power iteration converge at once on tied singular values (orthogonal linear map)', () => {
    const model = makeModel({ kind: 'vanilla', hidden: 4, activation: 'identity' }, 4);
    setRecurrent(model, randomOrthogonal(4, new Rng(1)));
    const probe = createStepProbe(model, makeBatch(5, 2));
    for (const method of ['lanczos', 'power'] as const) {
      const e = stepJacobianNorms(probe, { steps: [3], method }).estimates[0];
      expect(e.converged).toBe(true);
      expect(Math.max(...e.iterations)).toBeLessThanOrEqual(3);
      expect(maxRel(e.norm, [1, 1])).toBeLessThan(1e-14);
    }
    probe.dispose();
  });

  it('Lanczos on larger states: fewer iterations than D, σ₁ of the dense SVD', () => {
    for (const cfg of [
      { kind: 'lstm', hidden: 24 },
      { kind: 'deep', hidden: 40, depth: 2, variant: 'residual' },
    ] as CellConfig[]) {
      const model = makeModel(cfg, 3);
      const probe = createStepProbe(model, makeBatch(4, 2));
      const [d] = denseStepJacobians(probe, { steps: [4] });
      const e = stepJacobianNorms(probe, { steps: [4] }).estimates[0];
      expect(
        maxRel(
          e.norm,
          d.singularValues.map((sv) => sv[0]),
        ),
      ).toBeLessThan(1e-6);
      expect(e.converged).toBe(true);
      expect(Math.max(...e.iterations)).toBeLessThan(probe.D / 2);
      probe.dispose();
    }
  });

  it('the largest eigenvalue of a symmetric tridiagonal matrix (Sturm bisection)', () => {
    const rng = new Rng(2);
    for (const n of [1, 2, 5, 12]) {
      const a = Array.from({ length: n }, () => rng.normal()),
        b = Array.from({ length: n - 1 }, () => rng.normal());
      const M = create(n, n);
      for (let i = 0; i < n; i++) {
        M.data[i * n + i] = a[i];
        if (i < n - 1) {
          M.data[i * n + i + 1] = b[i];
          M.data[(i + 1) * n + i] = b[i];
        }
      }
      const top = Math.max(...symmetricEigen(M).values);
      expect(Math.abs(tridiagonalMaxEigenvalue(a, b, n) - top)).toBeLessThan(1e-12 * Math.max(1, Math.abs(top)));
    }
  });

  it('reverse direction and masks: the probe follows the scan (processing order; finished rows keep their state)', () => {
    const model = makeModel({ kind: 'gru', hidden: 3 }, 6, undefined, { bidirectional: true });
    const batch = { ...makeBatch(5, 2), mask: Float64Array.from([1, 1, 1, 1, 1, 1, 1, 0, 1, 0]) }; // lengths 5, 3
    const tape = new Tape(model.backend, { grad: false });
    const x = tape.input([5, 2, 3]).set(batch.x);
    const mask = tape.input([5, 2]).set(batch.mask);
    const { hs } = model.forward(tape, x, { mask });
    const probe = createStepProbe(model, batch, { direction: 'bwd' });
    for (let k = 1; k <= 5; k++) expect(maxRel(probe.state(k), hs[1][5 - k].toArray())).toBeLessThan(1e-12);
    probe.dispose();
    const fwd = createStepProbe(model, batch);
    for (let k = 1; k <= 5; k++) expect(maxRel(fwd.state(k), hs[0][k - 1].toArray())).toBeLessThan(1e-12);
    const [J5] = denseStepJacobians(fwd, { steps: [5] });
    expect(Array.from(J5.matrices[1].data)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]); // sample 1 has ended: J = I
    fwd.dispose();
    tape.dispose();
  });

  it('LSTM: J on the full state (h, c) has the 2H×2H block structure', () => {
    const model = makeModel({ kind: 'lstm', hidden: 3 }, 5);
    const probe = createStepProbe(model, makeBatch(4, 2));
    expect(probe.D).toBe(6);
    const [J] = denseStepJacobians(probe, { steps: [2] });
    // ∂c_t/∂c_{t−1} = diag(f): off-diagonal entries of the lower-right block vanish
    const M = J.matrices[0];
    for (let i = 3; i < 6; i++) for (let j = 3; j < 6; j++) if (i !== j) expect(M.data[i * 6 + j]).toBe(0);
    probe.dispose();
  });

  it('tanh with ‖A‖ < 1: every measured ‖J_T⋯J_{t+1}‖ lies under (γ‖A‖)^(T−t)', () => {
    const model = makeModel({ kind: 'vanilla', hidden: 6 }, 7);
    setRecurrent(model, scaleToSpectralNorm(gaussianMatrix(6, 6, new Rng(8)), 0.9));
    const probe = createStepProbe(model, makeBatch(40, 4));
    const bound = transitionBound(probe.cell);
    expect(bound.rigorous).toBe(true);
    expect(bound.norms[0]).toBeCloseTo(0.9, 12);
    expect(bound.spectralRadius as number).toBeLessThanOrEqual(0.9 + 1e-12);
    const spans: [number, number][] = [];
    for (let t = 0; t < 40; t += 3) spans.push([t, 40]);
    spans.push([10, 20], [0, 1]);
    const prod = jacobianProductNorms(probe, { spans });
    const cmp = compareWithBound(
      bound,
      spans,
      prod.estimates.map((e) => Math.max(...e.norm)),
    );
    expect(cmp.allInside).toBe(true);
    expect(cmp.maxRatio as number).toBeLessThanOrEqual(1);
    for (const r of cmp.rows) expect(r.ratio as number).toBeGreaterThan(0);
    for (const e of stepJacobianNorms(probe).estimates)
      for (const s of e.norm) expect(s).toBeLessThanOrEqual(0.9 + 1e-12);
    probe.dispose();
  });

  it('bounds of the deep transitions and the gated cells', () => {
    const plain = transitionBound(makeModel({ kind: 'deep', hidden: 4, depth: 3 }).layers[0].cells[0]);
    expect(plain.norms).toHaveLength(3);
    expect(plain.perStep).toBeCloseTo(
      plain.norms.reduce((p, n) => p * n, 1),
      12,
    );
    expect(plain.bound(5)).toBeCloseTo((plain.perStep as number) ** 5, 12);
    const shortcut = transitionBound(
      makeModel({ kind: 'deep', hidden: 4, depth: 2, variant: 'shortcut' }).layers[0].cells[0],
    );
    expect(shortcut.perStep).toBeCloseTo(shortcut.norms[0] * shortcut.norms[1] + (shortcut.shortcutNorm as number), 12);
    const residual = transitionBound(
      makeModel({ kind: 'deep', hidden: 4, depth: 2, variant: 'residual' }).layers[0].cells[0],
    );
    expect(residual.perStep).toBeCloseTo(1 + residual.norms[0] * residual.norms[1], 12);
    for (const cfg of [
      { kind: 'gru', hidden: 4 },
      { kind: 'lstm', hidden: 4 },
      { kind: 'deep', hidden: 4, depth: 2, variant: 'highway' },
      { kind: 'deep', hidden: 4, depth: 2, layerNorm: true },
    ] as CellConfig[]) {
      const b = transitionBound(makeModel(cfg).layers[0].cells[0]);
      expect(b.perStep).toBeNull();
      expect(b.bound(3)).toBeNull();
      expect(b.note.length).toBeGreaterThan(10);
    }
    // the LRU's bound is exact: ‖J_t‖ = max|λ|
    const model = makeModel({ kind: 'lru', hidden: 3, state: 4 }, 3);
    const probe = createStepProbe(model, makeBatch(5, 2));
    const lru = transitionBound(probe.cell);
    const sv = denseStepJacobians(probe, { steps: [3] })[0].singularValues[0];
    expect(Math.abs(sv[0] - (lru.perStep as number))).toBeLessThan(1e-12);
    probe.dispose();
    // the vanilla bound equals the dense γ‖A‖ (sanity of the linear algebra)
    const v = makeModel({ kind: 'vanilla', hidden: 4, activation: 'sigmoid' });
    const A = v.layers[0].cells[0].params.weight_hh;
    const vb = transitionBound(v.layers[0].cells[0]);
    expect(vb.perStep).toBeCloseTo(0.25 * singularValues(create(4, 4, A.toArray()))[0], 12);
  });
});
