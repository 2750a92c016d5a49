/** Linear Recurrent Unit: BPTT gradient check, the recurrence against a complex loop, decay, init ring. */
import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autodiff/tape.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { Model } from '../../src/models/model.js';
import { scan } from '../../src/models/scan.js';
import { predict } from '../../src/models/infer.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { createCell, lruEigenvalues, type Cell, type LruConfig } from '../../src/cells/index.js';
import { randomTensor } from '../helpers/random.js';
import { B, I, T, checkModelGradients } from '../helpers/model-gradcheck.js';

const check = checkModelGradients;

const configs: LruConfig[] = [
  { kind: 'lru', hidden: 4 },
  { kind: 'lru', hidden: 3, state: 5, mlpHidden: 4, rMin: 0, rMax: 0.99, maxPhase: Math.PI / 10 },
];

describe('LRU: BPTT gradient check (reference backend)', () => {
  for (const cell of configs) {
    const name = `lru H=${cell.hidden} N=${cell.state ?? cell.hidden}`;
    it(`${name}: many-to-one, mse`, () => check({ inputSize: I, outputSize: 2, cell, target: 'last' }));
    it(`${name}: many-to-many, mse`, () => check({ inputSize: I, outputSize: 2, cell, target: 'all' }));
    it(`${name}: stacked ×2, bidirectional, masked, many-to-many xent, MLP readout`, () =>
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
    it(`${name}: masked many-to-one with learned initial state, bidirectional`, () =>
      check(
        {
          inputSize: I,
          outputSize: 2,
          cell,
          target: 'last',
          learnInitialState: true,
          bidirectional: true,
        },
        { mask: true },
      ));
  }
});

function make(cfg: Omit<LruConfig, 'kind'>, seed = 1, inputSize = I): Cell {
  return createCell({ kind: 'lru', ...cfg }, inputSize, referenceBackend, new Rng(seed));
}

/** y = W·x + b for a row-major W [out, in]. */
function affine(w: Float64Array, b: Float64Array | null, x: ArrayLike<number>, out: number, inp: number): Float64Array {
  const y = new Float64Array(out);
  for (let i = 0; i < out; i++) {
    let s = b ? b[i] : 0;
    for (let j = 0; j < inp; j++) s += w[i * inp + j] * x[j];
    y[i] = s;
  }
  return y;
}

describe('LRU: exact semantics', () => {
  it('parameter names, shapes, state sizes', () => {
    const c = make({ hidden: 4, state: 6, mlpHidden: 5 });
    expect(Object.entries(c.params).map(([n, t]) => [n, t.shape])).toEqual([
      ['nu_log', [6]],
      ['theta_log', [6]],
      ['B_re', [6, I]],
      ['B_im', [6, I]],
      ['C_re', [4, 6]],
      ['C_im', [4, 6]],
      ['D', [4, I]],
      ['mlp.0.weight', [5, 4]],
      ['mlp.0.bias', [5]],
      ['mlp.1.weight', [4, 5]],
      ['mlp.1.bias', [4]],
    ]);
    expect(c.stateSizes).toEqual([6, 6]);
    expect(c.outputSize).toBe(4);
    expect(c.emitComponents).toEqual([0, 1]);
  });

  it('a fresh LRU has |λ| in [rMin, rMax] and arg λ in (0, maxPhase]', () => {
    for (const [rMin, rMax, maxPhase] of [
      [0.9, 0.999, 2 * Math.PI],
      [0, 0.5, Math.PI / 10],
      [0.99, 0.99, 1],
    ]) {
      for (let seed = 0; seed < 5; seed++) {
        const { modulus, phase } = lruEigenvalues(make({ hidden: 4, state: 64, rMin, rMax, maxPhase }, seed));
        for (const r of modulus) {
          expect(r).toBeGreaterThanOrEqual(rMin - 1e-12);
          expect(r).toBeLessThanOrEqual(rMax + 1e-12);
        }
        for (const p of phase) {
          expect(p).toBeGreaterThan(0);
          expect(p).toBeLessThanOrEqual(maxPhase * (1 + 1e-12));
        }
      }
    }
    // the defaults: the ring [0.9, 0.999], phases over the whole circle
    const { modulus } = lruEigenvalues(make({ hidden: 4, state: 256 }));
    expect(Math.min(...modulus)).toBeGreaterThanOrEqual(0.9 - 1e-12);
    expect(Math.max(...modulus)).toBeLessThanOrEqual(0.999 + 1e-12);
  });

  it('rejects rMax ≥ 1 and a bad ring', () => {
    expect(() => make({ hidden: 4, rMax: 1 })).toThrow(/rMin ≤ rMax < 1/);
    expect(() => make({ hidden: 4, rMin: 0.95, rMax: 0.9 })).toThrow(/rMin ≤ rMax < 1/);
    expect(() => make({ hidden: 4, maxPhase: 0 })).toThrow(/maxPhase/);
  });

  it('with B·x = 0 the state decays exactly as |λ|^t (and turns by arg λ per step)', () => {
    const N = 5,
      steps = 30;
    const cell = make({ hidden: 3, state: N, rMin: 0.5, rMax: 0.99 }, 4);
    cell.params.B_re.fill(0);
    cell.params.B_im.fill(0);
    const { modulus, phase } = lruEigenvalues(cell);
    const rng = new Rng(2);
    const x = randomTensor(rng, [steps, B, I]);
    // h_0 on the unit circle: re = cos α, im = sin α
    const alpha = new Float64Array(B * N);
    rng.fillUniform(alpha, -Math.PI, Math.PI);
    const re0 = Tensor.from(referenceBackend, [B, N], alpha.map(Math.cos));
    const im0 = Tensor.from(referenceBackend, [B, N], alpha.map(Math.sin));
    const tape = new Tape(referenceBackend, { grad: false });
    const xp = cell.project(tape, x);
    let state = [re0, im0];
    for (let t = 1; t <= steps; t++) {
      state = cell.step(tape, xp.at(t - 1), state);
      const re = state[0].toArray(),
        im = state[1].toArray();
      for (let i = 0; i < B * N; i++) {
        const j = i % N;
        expect(Math.hypot(re[i], im[i]) / modulus[j] ** t - 1).toBeCloseTo(0, 12);
        const turned = alpha[i] + t * phase[j];
        expect(Math.abs(Math.cos(turned) * modulus[j] ** t - re[i])).toBeLessThan(1e-12);
        expect(Math.abs(Math.sin(turned) * modulus[j] ** t - im[i])).toBeLessThan(1e-12);
      }
    }
    tape.dispose();
  });

  it('the recurrence, output and MLP match a hand-written complex loop (float64)', () => {
    const H = 3,
      N = 4,
      M = 5,
      TT = 6;
    const cell = make({ hidden: H, state: N, mlpHidden: M, rMin: 0.3, rMax: 0.95 }, 7);
    const p = Object.fromEntries(Object.entries(cell.params).map(([n, t]) => [n, t.toArray()]));
    const rng = new Rng(3);
    const x = randomTensor(rng, [TT, B, I]);
    const re0 = randomTensor(rng, [B, N]),
      im0 = randomTensor(rng, [B, N]);
    const tape = new Tape(referenceBackend, { grad: false });
    const r = scan(tape, cell, x, [re0, im0]);
    const got = r.outputs.toArray();
    const finalRe = r.final[0].toArray(),
      finalIm = r.final[1].toArray();
    tape.dispose();

    const xs = x.toArray();
    for (let b = 0; b < B; b++) {
      const hRe = re0.toArray().slice(b * N, (b + 1) * N),
        hIm = im0.toArray().slice(b * N, (b + 1) * N);
      for (let t = 0; t < TT; t++) {
        const xt = xs.subarray((t * B + b) * I, (t * B + b + 1) * I);
        const bxRe = affine(p.B_re, null, xt, N, I),
          bxIm = affine(p.B_im, null, xt, N, I);
        for (let j = 0; j < N; j++) {
          const mod = Math.exp(-Math.exp(p.nu_log[j])),
            arg = Math.exp(p.theta_log[j]);
          const lRe = mod * Math.cos(arg),
            lIm = mod * Math.sin(arg),
            g = Math.sqrt(1 - mod * mod);
          const nRe = lRe * hRe[j] - lIm * hIm[j] + g * bxRe[j];
          const nIm = lRe * hIm[j] + lIm * hRe[j] + g * bxIm[j];
          hRe[j] = nRe;
          hIm[j] = nIm;
        }
        // o = Re(C·h) + D·x, y = W_2·relu(W_1·o + b_1) + b_2
        const cr = affine(p.C_re, null, hRe, H, N),
          ci = affine(p.C_im, null, hIm, H, N),
          dx = affine(p.D, null, xt, H, I);
        const o = cr.map((v, i) => v - ci[i] + dx[i]);
        const z = affine(p['mlp.0.weight'], p['mlp.0.bias'], o, M, H).map((v) => Math.max(0, v));
        const y = affine(p['mlp.1.weight'], p['mlp.1.bias'], z, H, M);
        for (let i = 0; i < H; i++) expect(Math.abs(got[(t * B + b) * H + i] - y[i])).toBeLessThan(1e-12);
      }
      for (let j = 0; j < N; j++) {
        expect(Math.abs(finalRe[b * N + j] - hRe[j])).toBeLessThan(1e-12);
        expect(Math.abs(finalIm[b * N + j] - hIm[j])).toBeLessThan(1e-12);
      }
    }
  });

  it('step on a tape without a project call (a Jacobian probe) uses that tape’s own λ', () => {
    const cell = make({ hidden: 3, state: 4 }, 8);
    const rng = new Rng(4);
    const x = randomTensor(rng, [1, B, I]);
    const re = randomTensor(rng, [B, 4]),
      im = randomTensor(rng, [B, 4]);
    const t1 = new Tape(referenceBackend, { grad: false });
    const xp = cell.project(t1, x);
    const ref = cell.step(t1, xp.at(0), [re, im]).map((s) => s.toArray());
    const t2 = new Tape(referenceBackend, { grad: false });
    const probe = cell.step(t2, xp.at(0), [re, im]).map((s) => s.toArray());
    expect(probe).toEqual(ref);
    t2.dispose();
    t1.dispose();
  });

  it("model.forward with target 'last' reads the LRU's output at the last step", () => {
    const base = { inputSize: I, outputSize: 2, cell: { kind: 'lru', hidden: 4, state: 3 } as LruConfig };
    const last = new Model({ ...base, target: 'last' }, referenceBackend, 5);
    const all = new Model({ ...base, target: 'all' }, referenceBackend, 5);
    const x = randomTensor(new Rng(6), [T, B, I]);
    const tape = new Tape(referenceBackend, { grad: false });
    const yLast = last.forward(tape, x).y;
    const yAll = all.forward(tape, x).y;
    expect(yLast.shape).toEqual([B, 2]);
    expect(Array.from(yLast.toArray())).toEqual(Array.from(yAll.at(T - 1).toArray()));
    // bidirectional, stacked: the features are the forward output at T − 1 and the backward one at 0
    const bi = new Model({ ...base, target: 'last', bidirectional: true, layers: 2 }, referenceBackend, 5);
    const yBi = bi.forward(tape, x).y;
    expect(yBi.shape).toEqual([B, 2]);
    expect(yBi.toArray().every(Number.isFinite)).toBe(true);
    tape.dispose();
  });
});

describe('LRU many-to-one with padding', () => {
  it("answers from each sequence's last valid step, as if unpadded", () => {
    const model = new Model(
      { inputSize: 2, outputSize: 2, target: 'last', cell: { kind: 'lru', hidden: 3 } },
      referenceBackend,
      4,
    );
    const x = Float64Array.from({ length: 4 * 2 }, (_, i) => Math.cos(i));
    const padded = predict(model, { x, T: 4, B: 1, mask: [1, 1, 0, 0] });
    const short = predict(model, { x: x.subarray(0, 4), T: 2, B: 1 });
    Array.from(short.y).forEach((v, i) => expect(padded.y[i]).toBeCloseTo(v, 12));
  });
});
