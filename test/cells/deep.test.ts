/** Deep transitions (plain, shortcut, residual, highway): BPTT gradient check and exact semantics. */
import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autodiff/tape.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { scan } from '../../src/models/scan.js';
import { Rng } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { createCell, type Cell, type CellConfig, type DeepConfig, type DeepVariant } from '../../src/cells/index.js';
import { depthAwareTransformBias } from '../../src/cells/deep.js';
import { randomTensor } from '../helpers/random.js';
import { B, I, T, checkModelGradients } from '../helpers/model-gradcheck.js';

const check = checkModelGradients;

const variants: DeepVariant[] = ['plain', 'shortcut', 'residual', 'highway'];

describe('deep transition: BPTT gradient check (reference backend)', () => {
  for (const variant of variants) {
    for (const layerNorm of [false, true]) {
      for (const depth of [1, 2, 3]) {
        // H ≥ 4 under layerNorm: LN over 3 units is so curved that central differences at ε = 1e−5 are off by
        // ~1e−6 (relative; the error falls as ε², so it is truncation, not a wrong gradient).
        const cell: DeepConfig = { kind: 'deep', hidden: depth === 3 && !layerNorm ? 3 : 4, depth, variant, layerNorm };
        const name = `${variant}${layerNorm ? '+LN' : ''} L=${depth}`;
        it(`${name}: many-to-one, mse`, () => check({ inputSize: I, outputSize: 2, cell, target: 'last' }));
        it(`${name}: stacked ×2, bidirectional, masked, many-to-many xent`, () =>
          check(
            {
              inputSize: I,
              outputSize: 3,
              cell,
              target: 'all',
              layers: 2,
              bidirectional: true,
              readout: { hidden: [4], activation: 'tanh' },
            },
            { mask: true, xent: true },
          ));
      }
    }
  }
  it('residual scaled by 1/√L, L=3: many-to-one, mse', () =>
    check({
      inputSize: I,
      outputSize: 2,
      cell: { kind: 'deep', hidden: 4, depth: 3, variant: 'residual', residualScale: 'sqrt-depth' },
      target: 'last',
    }));
  it('depth-aware transform bias: −2 at L = 1, the per-step carry (1 − σ(b))^L stays 1 − σ(−2)', () => {
    const sig = (x: number): number => 1 / (1 + Math.exp(-x));
    expect(depthAwareTransformBias(1)).toBeCloseTo(-2, 12);
    for (const L of [2, 4, 8, 16]) expect((1 - sig(depthAwareTransformBias(L))) ** L).toBeCloseTo(1 - sig(-2), 12);
    expect(depthAwareTransformBias(4)).toBeCloseTo(-3.43, 2);
    expect(depthAwareTransformBias(8)).toBeCloseTo(-4.14, 2);
  });
  it('plain sigmoid L=2, masked many-to-one with learned initial state', () =>
    check(
      {
        inputSize: I,
        outputSize: 2,
        cell: { kind: 'deep', hidden: 4, depth: 2, activation: 'sigmoid' },
        target: 'last',
        learnInitialState: true,
        bidirectional: true,
      },
      { mask: true },
    ));
});

/** Run `cell` over x from h0 (no gradients); returns outputs [T, B, H] as a flat array. */
function run(cell: Cell, x: Tensor, h0: Tensor): Float64Array {
  const tape = new Tape(referenceBackend, { grad: false });
  try {
    return scan(tape, cell, x, [h0]).outputs.toArray();
  } finally {
    tape.dispose();
  }
}

function make(cfg: CellConfig, seed = 1): Cell {
  return createCell(cfg, I, referenceBackend, new Rng(seed));
}

function copyParams(dst: Cell, src: Cell, names: Record<string, string>): void {
  for (const [d, s] of Object.entries(names)) dst.params[d].copyFrom(src.params[s]);
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('deep transition: exact semantics', () => {
  const H = 5;
  const rng = new Rng(5);
  const x = randomTensor(rng, [T, B, I]);
  const h0 = randomTensor(rng, [B, H]);

  it('parameter names and layout', () => {
    expect(Object.keys(make({ kind: 'deep', hidden: H, depth: 2 }).params)).toEqual([
      'weight_ih',
      'bias_ih',
      'weight_hh_l1',
      'bias_hh_l1',
      'weight_hh_l2',
      'bias_hh_l2',
    ]);
    expect(
      Object.keys(make({ kind: 'deep', hidden: H, depth: 2, variant: 'shortcut', layerNorm: true }).params),
    ).toEqual([
      'weight_ih',
      'bias_ih',
      'weight_hh_l1',
      'bias_hh_l1',
      'ln_gain_l1',
      'ln_bias_l1',
      'weight_hh_l2',
      'bias_hh_l2',
      'ln_gain_l2',
      'ln_bias_l2',
      'weight_skip',
    ]);
    const hw = make({ kind: 'deep', hidden: H, depth: 2, variant: 'highway' });
    expect(Object.keys(hw.params)).toEqual(['weight_ih', 'weight_hh_l1', 'bias_hh_l1', 'weight_hh_l2', 'bias_hh_l2']);
    expect(hw.params.weight_ih.shape).toEqual([2 * H, I]);
    expect(hw.params.weight_hh_l2.shape).toEqual([2 * H, H]);
    // default transform bias: depth-aware, logit(1 − 0.881^{1/L})
    expect(Array.from(hw.params.bias_hh_l1.toArray().subarray(H))).toEqual(
      new Array(H).fill(depthAwareTransformBias(2)),
    );
    const hw2 = make({ kind: 'deep', hidden: H, depth: 2, variant: 'highway', transformBias: -2 });
    expect(Array.from(hw2.params.bias_hh_l2.toArray().subarray(H))).toEqual(new Array(H).fill(-2));
    const hwLn = make({ kind: 'deep', hidden: H, depth: 1, variant: 'highway', layerNorm: true, transformBias: -3 });
    expect(Array.from(hwLn.params.ln_bias_l1.toArray())).toEqual([...new Array(H).fill(0), ...new Array(H).fill(-3)]);
    expect(Array.from(hwLn.params.bias_hh_l1.toArray().subarray(H))).toEqual(new Array(H).fill(0));
    expect(Array.from(hwLn.params.ln_gain_l1.toArray())).toEqual(new Array(2 * H).fill(1));
  });

  it('theory: γ, one recurrent matrix per layer, shortcut kind', () => {
    const plain = make({ kind: 'deep', hidden: H, depth: 3, activation: 'sigmoid' });
    expect(plain.theory?.gamma).toBe(0.25);
    expect(plain.theory?.recurrentMatrices).toEqual([
      plain.params.weight_hh_l1,
      plain.params.weight_hh_l2,
      plain.params.weight_hh_l3,
    ]);
    expect(plain.theory?.shortcut).toBe('none');
    expect(make({ kind: 'deep', hidden: H, depth: 2, variant: 'shortcut' }).theory?.shortcut).toBe('matrix');
    expect(make({ kind: 'deep', hidden: H, depth: 1, variant: 'shortcut' }).theory?.shortcut).toBe('none');
    expect(make({ kind: 'deep', hidden: H, depth: 2, variant: 'residual' }).theory?.shortcut).toBe('identity');
    const hw = make({ kind: 'deep', hidden: H, depth: 2, variant: 'highway' });
    expect(hw.theory?.shortcut).toBe('gated');
    expect(hw.theory?.gamma).toBe(1);
    const rh2 = hw.theory!.recurrentMatrices[1];
    expect(rh2.shape).toEqual([H, H]);
    expect(Array.from(rh2.toArray())).toEqual(Array.from(hw.params.weight_hh_l2.toArray().subarray(0, H * H)));
  });

  it('rejects bad configs with a clear message', () => {
    expect(() => make({ kind: 'deep', hidden: H, depth: 0 })).toThrow(/deep cell: depth must be a positive integer/);
    expect(() => make({ kind: 'deep', hidden: H, depth: 2, variant: 'gated' as DeepVariant })).toThrow(
      /variant must be one of/,
    );
  });

  for (const activation of ['tanh', 'relu', 'sigmoid', 'identity'] as const) {
    it(`plain L = 1 (${activation}) is exactly the vanilla cell with the same weights`, () => {
      const vanilla = make({ kind: 'vanilla', hidden: H, activation }, 2);
      const deep = make({ kind: 'deep', hidden: H, depth: 1, activation }, 3);
      copyParams(deep, vanilla, {
        weight_ih: 'weight_ih',
        bias_ih: 'bias_ih',
        weight_hh_l1: 'weight_hh',
        bias_hh_l1: 'bias_hh',
      });
      expect(maxDiff(run(deep, x, h0), run(vanilla, x, h0))).toBe(0);
    });
  }

  it('shortcut with L = 1 is the plain cell; with S = 0 it is the plain cell at any depth', () => {
    const plain1 = make({ kind: 'deep', hidden: H, depth: 1 }, 4);
    const short1 = make({ kind: 'deep', hidden: H, depth: 1, variant: 'shortcut' }, 4);
    expect(Object.keys(short1.params)).toEqual(Object.keys(plain1.params));
    expect(maxDiff(run(short1, x, h0), run(plain1, x, h0))).toBe(0);
    const plain = make({ kind: 'deep', hidden: H, depth: 3 }, 4);
    const short = make({ kind: 'deep', hidden: H, depth: 3, variant: 'shortcut' }, 5);
    for (const name of Object.keys(plain.params)) short.params[name].copyFrom(plain.params[name]);
    short.params.weight_skip.fill(0);
    expect(maxDiff(run(short, x, h0), run(plain, x, h0))).toBe(0);
    // and S matters when it is not zero
    short.params.weight_skip.fill(0.3);
    expect(maxDiff(run(short, x, h0), run(plain, x, h0))).toBeGreaterThan(1e-3);
  });

  it('residual: h′ − h is the plain transition of h (one step, same weights)', () => {
    for (const layerNorm of [false, true]) {
      const plain = make({ kind: 'deep', hidden: H, depth: 2, layerNorm }, 6);
      const res = make({ kind: 'deep', hidden: H, depth: 2, variant: 'residual', layerNorm }, 7);
      for (const name of Object.keys(plain.params)) res.params[name].copyFrom(plain.params[name]);
      const x1 = randomTensor(new Rng(8), [1, B, I]);
      const z = run(plain, x1, h0),
        hNext = run(res, x1, h0),
        h = h0.toArray();
      expect(
        maxDiff(
          hNext.map((v, i) => v - h[i]),
          z,
        ),
      ).toBeLessThan(1e-15);
    }
  });

  for (const layerNorm of [false, true]) {
    it(`highway${layerNorm ? ' + LN' : ''} with the transform gate forced closed carries the state: h_t ≈ h_0`, () => {
      const hw = make({ kind: 'deep', hidden: H, depth: 3, variant: 'highway', layerNorm, transformBias: -40 });
      const out = run(hw, x, h0),
        h = h0.toArray();
      for (let t = 0; t < T; t++) expect(maxDiff(out.subarray(t * B * H, (t + 1) * B * H), h)).toBeLessThan(1e-12);
    });
  }

  it('highway with the transform gate forced open is the plain chain with W_l = R_H^l', () => {
    const L = 3;
    const hw = make({ kind: 'deep', hidden: H, depth: L, variant: 'highway', transformBias: 40 }, 9);
    const plain = make({ kind: 'deep', hidden: H, depth: L }, 10);
    plain.params.weight_ih.copyFrom(hw.params.weight_ih.view(0, [H, I])); // U = W_H
    plain.params.bias_ih.fill(0);
    for (let l = 1; l <= L; l++) {
      plain.params[`weight_hh_l${l}`].copyFrom(hw.params[`weight_hh_l${l}`].view(0, [H, H])); // R_H^l
      plain.params[`bias_hh_l${l}`].copyFrom(hw.params[`bias_hh_l${l}`].view(0, [H])); //       b_H^l
    }
    expect(maxDiff(run(hw, x, h0), run(plain, x, h0))).toBeLessThan(1e-14);
  });
});
