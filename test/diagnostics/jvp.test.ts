/**
 * Forward mode (Tape.jvp) of every op the cells compose, on the reference backend (float64):
 * against central differences, (f(x + εv) − f(x − εv))/2ε, and against the VJP identity uᵀ(J·v) = (Jᵀu)ᵀv.
 * Each op is checked with tangents on all inputs at once and on each input alone (the others zero).
 */
import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autodiff/tape.js';
import { referenceBackend as be } from '../../src/kernels/reference/index.js';
import type { UnaryKind } from '../../src/kernels/backend.js';
import * as ops from '../../src/ops/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { createGruCell, createLstmCell } from '../../src/cells/index.js';
import { randomMask, randomTensor } from '../helpers/random.js';

type Fn = (tape: Tape, ...xs: Tensor[]) => Tensor;

const dot = (a: Tensor, b: Tensor): number => be.dot(a.size, a, b);

function checkJvp(fn: Fn, inputs: Tensor[], rng: Rng, eps = 1e-6): void {
  const xs = inputs.map((t) => Tensor.zeros(be, t.shape).copyFrom(t).markGrad());
  const tape = new Tape(be);
  const y = fn(tape, ...xs);
  const subsets = [xs.map((_, i) => i), ...(xs.length > 1 ? xs.map((_, i) => [i]) : [])];
  for (const wrt of subsets) {
    const vs = wrt.map((i) => randomTensor(rng, xs[i].shape));
    tape.jvp(
      wrt.map((i) => xs[i]),
      vs,
    );
    const ydot = y.tangent;
    expect(ydot, 'output tangent').not.toBeNull();
    const jv = (ydot as Tensor).toArray();
    // central differences along v
    const x0 = wrt.map((i) => xs[i].toArray());
    const shift = (s: number): Float64Array => {
      wrt.forEach((i, j) => xs[i].set(x0[j].map((x, k) => x + s * vs[j].get(k))));
      tape.forward();
      return y.toArray();
    };
    const yp = shift(eps),
      ym = shift(-eps);
    shift(0);
    let err = 0,
      scale = 1e-3;
    for (let k = 0; k < jv.length; k++) {
      const fd = (yp[k] - ym[k]) / (2 * eps);
      err = Math.max(err, Math.abs(fd - jv[k]));
      scale = Math.max(scale, Math.abs(fd));
    }
    expect(err / scale, `finite differences, tangents on inputs ${wrt}`).toBeLessThan(1e-6);
    // uᵀ(Jv) = Σ_i (J_iᵀu)ᵀ v_i
    const u = randomTensor(rng, y.shape);
    tape.backward(y, { seed: u });
    const lhs = dot(u, ydot as Tensor);
    const rhs = wrt.reduce((s, i, j) => s + dot(xs[i].grad as Tensor, vs[j]), 0);
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-10 * Math.max(1, Math.abs(lhs)));
  }
  tape.dispose();
}

describe('Tape.jvp of every composable op (reference backend)', () => {
  const rng = new Rng(7);
  const unaryKinds: [UnaryKind, number, number][] = [
    ['identity', -2, 2],
    ['tanh', -2, 2],
    ['sigmoid', -3, 3],
    ['relu', -2, 2],
    ['exp', -1, 1],
    ['neg', -1, 1],
    ['square', -2, 2],
    ['sqrt', 0.2, 2],
    ['sin', -3, 3],
    ['cos', -3, 3],
    ['oneMinus', -1, 1],
  ];
  for (const [kind, lo, hi] of unaryKinds) {
    it(`unary ${kind}`, () => {
      const x = randomTensor(rng, [3, 5], lo, hi);
      if (kind === 'relu') x.set(x.toArray().map((v) => (Math.abs(v) < 0.05 ? v + 0.1 : v)));
      checkJvp((tp, a) => ops.unary(tp, kind, a), [x], rng);
    });
  }

  it('add, sub, mul (also x⊙x), scale', () => {
    const a = randomTensor(rng, [4, 3]),
      b = randomTensor(rng, [4, 3]);
    checkJvp((tp, x, y) => ops.add(tp, x, y), [a, b], rng);
    checkJvp((tp, x, y) => ops.sub(tp, x, y), [a, b], rng);
    checkJvp((tp, x, y) => ops.mul(tp, x, y), [a, b], rng);
    checkJvp((tp, x) => ops.mul(tp, x, x), [a], rng);
    checkJvp((tp, x) => ops.scale(tp, x, -1.7, 0.3), [a], rng);
  });

  it('addRow, mulRow, blend', () => {
    const x = randomTensor(rng, [5, 4]),
      row = randomTensor(rng, [4]),
      y = randomTensor(rng, [5, 4]);
    const mask = randomMask(rng, 5);
    checkJvp((tp, a, r) => ops.addRow(tp, a, r), [x, row], rng);
    checkJvp((tp, a, r) => ops.mulRow(tp, a, r), [x, row], rng);
    checkJvp((tp, a, b) => ops.blend(tp, mask, a, b), [x, y], rng);
  });

  it('linear (x, W, bias, addend; leading dims), matmul with every transpose', () => {
    const x = randomTensor(rng, [2, 3, 4]),
      w = randomTensor(rng, [5, 4]),
      bias = randomTensor(rng, [5]);
    const add = randomTensor(rng, [2, 3, 5]);
    checkJvp((tp, a, W, b, c) => ops.linear(tp, a, W, b, c), [x, w, bias, add], rng);
    checkJvp((tp, a, W) => ops.linear(tp, a, W), [x, w], rng);
    for (const transA of [false, true])
      for (const transB of [false, true]) {
        const a = randomTensor(rng, transA ? [4, 3] : [3, 4]),
          b = randomTensor(rng, transB ? [2, 4] : [4, 2]);
        checkJvp((tp, p, q) => ops.matmul(tp, p, q, { transA, transB }), [a, b], rng);
      }
  });

  it('concat, slice, chunk, stack', () => {
    const a = randomTensor(rng, [3, 2]),
      b = randomTensor(rng, [3, 4]),
      c = randomTensor(rng, [3, 1]);
    checkJvp((tp, x, y, z) => ops.concat(tp, [x, y, z]), [a, b, c], rng);
    checkJvp((tp, x) => ops.slice(tp, x, 1, 2), [b], rng);
    checkJvp((tp, x) => ops.mul(tp, ...(ops.chunk(tp, x, 2) as [Tensor, Tensor])), [b], rng);
    const d = randomTensor(rng, [3, 2]);
    checkJvp((tp, x, y) => ops.stack(tp, [x, y, x]), [a, d], rng);
  });

  it('layerNorm (x, gain, bias)', () => {
    const x = randomTensor(rng, [4, 6]),
      g = randomTensor(rng, [6], 0.5, 1.5),
      b = randomTensor(rng, [6]);
    checkJvp((tp, a, gain, bias) => ops.layerNorm(tp, a, gain, bias), [x, g, b], rng);
  });

  it('views: a tangent on a time slice of a sequence, and an intermediate input', () => {
    const x = randomTensor(rng, [3, 2, 4]),
      w = randomTensor(rng, [4, 4]);
    checkJvp((tp, seq, W) => ops.tanh(tp, ops.linear(tp, seq.at(1), W)), [x, w], rng);
    const tape = new Tape(be);
    const a = Tensor.zeros(be, [2, 4]).copyFrom(x.at(0)).markGrad();
    const h = ops.tanh(tape, a),
      y = ops.scale(tape, h, 2);
    const v = randomTensor(rng, [2, 4]);
    tape.jvp([h], [v]); // an intermediate input: ẏ = 2v, whatever came before h
    expect(Array.from((y.tangent as Tensor).toArray())).toEqual(Array.from(v.toArray()).map((q) => 2 * q));
    expect(a.tangent).toBeNull();
  });

  it('GRU and LSTM composedStep: forward mode through a whole step', () => {
    const H = 3,
      I = 2,
      B = 2;
    for (const make of [createGruCell, createLstmCell] as const) {
      const cell = make({ kind: make === createGruCell ? 'gru' : 'lstm', hidden: H } as never, I, be, new Rng(3));
      const gates = make === createGruCell ? 3 : 4;
      const xs = [randomTensor(rng, [B, gates * H]), ...cell.stateSizes.map((s) => randomTensor(rng, [B, s]))];
      checkJvp((tp, xp, ...state) => ops.concat(tp, cell.composedStep(tp, xp, state)), xs, rng);
    }
  });

  it('GRU and LSTM fused pointwise kernels and step: forward mode, equal to the composed step', () => {
    const H = 3,
      I = 2,
      B = 2;
    const c = randomTensor(rng, [B, H]);
    checkJvp(
      (tp, pre, cp) => ops.concat(tp, Object.values(ops.lstmPointwise(tp, pre, cp))),
      [randomTensor(rng, [B, 4 * H]), c],
      rng,
    );
    checkJvp(
      (tp, gi, gh, hp) => ops.gruPointwise(tp, gi, gh, hp),
      [randomTensor(rng, [B, 3 * H]), randomTensor(rng, [B, 3 * H]), c],
      rng,
    );
    for (const make of [createGruCell, createLstmCell] as const) {
      const cell = make({ kind: make === createGruCell ? 'gru' : 'lstm', hidden: H } as never, I, be, new Rng(3));
      const gates = make === createGruCell ? 3 : 4;
      const xs = [randomTensor(rng, [B, gates * H]), ...cell.stateSizes.map((s) => randomTensor(rng, [B, s]))];
      checkJvp((tp, xp, ...state) => ops.concat(tp, cell.step(tp, xp, state)), xs, rng);
      // the fused step's tangent is the composed step's
      const v = xs.map((x) => randomTensor(rng, x.shape));
      const [fused, composed] = [cell.step, cell.composedStep].map((step) => {
        const tape = new Tape(be);
        const ins = xs.map((x) => Tensor.zeros(be, x.shape).copyFrom(x));
        const y = ops.concat(tape, step(tape, ins[0], ins.slice(1)));
        tape.jvp(ins, v);
        const t = (y.tangent as Tensor).toArray();
        tape.dispose();
        return t;
      });
      for (let k = 0; k < fused.length; k++) expect(fused[k]).toBeCloseTo(composed[k], 12);
    }
  });

  it('an op without a forward-mode rule on the path is named in the error', () => {
    const tape = new Tape(be);
    const pre = randomTensor(rng, [2, 8]).markGrad(),
      target = randomTensor(rng, [2, 8]);
    const h = ops.mse(tape, ops.scale(tape, pre, 1), target); // (a loss: no forward mode)
    expect(() => tape.jvp([pre], [randomTensor(rng, [2, 8])])).toThrow(/op 'mse'.*no forward-mode rule/);
    expect(h.tangent).toBeNull();
    const off = new Tape(be); // a node off the path is fine
    const loss = ops.mean(off, ops.tanh(off, pre));
    const x = randomTensor(rng, [2, 2]).markGrad();
    const y = ops.tanh(off, x);
    off.jvp([x], [randomTensor(rng, [2, 2])]);
    expect(y.tangent).not.toBeNull();
    expect(loss.tangent).toBeNull();
  });
});
