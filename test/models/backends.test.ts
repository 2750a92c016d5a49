/**
 * The float32 wasm backend agrees with the float64 reference on every model (forward and gradients), and
 * the fused GRU/LSTM steps compute exactly what the composed elementary ops compute.
 */
import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autodiff/tape.js';
import { getBackend } from '../../src/kernels/index.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { wasmAvailable } from '../../src/kernels/wasm/backend.js';
import { Model, type ModelConfig } from '../../src/models/model.js';
import { mse } from '../../src/ops/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import type { Backend } from '../../src/kernels/backend.js';
import type { CellConfig } from '../../src/cells/index.js';
import { createGruCell } from '../../src/cells/gru.js';
import { createLstmCell } from '../../src/cells/lstm.js';

const T = 6,
  B = 3,
  I = 5;

function run(config: ModelConfig, backend: Backend, x: Float64Array, target: Float64Array, mask: Float64Array) {
  const model = new Model(config, backend, 5);
  const tape = new Tape(backend);
  const xt = Tensor.from(backend, [T, B, I], x).markGrad();
  const m = Tensor.from(backend, [T, B], mask);
  const { y } = model.forward(tape, xt, { mask: m });
  const loss = mse(tape, y, Tensor.from(backend, y.shape, target));
  tape.backward(loss);
  const out = {
    loss: loss.item(),
    y: y.toArray(),
    grads: [xt.grad!.toArray(), ...model.parameters().map((p) => p.grad!.toArray())],
  };
  tape.dispose();
  return out;
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string, rel = 1e-5): void {
  let scale = 1,
    diff = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  expect(diff, what).toBeLessThanOrEqual(rel * scale);
}

const cells: CellConfig[] = [
  { kind: 'vanilla', hidden: 7, activation: 'tanh' },
  { kind: 'vanilla', hidden: 4, activation: 'relu', recurrentInit: { kind: 'identity' } },
  { kind: 'vanilla', hidden: 5, activation: 'sigmoid' },
  { kind: 'gru', hidden: 6 },
  { kind: 'lstm', hidden: 9 },
];

describe.skipIf(!wasmAvailable())('wasm backend agrees with the reference on every model', () => {
  const rng = new Rng(3);
  const x = new Float64Array(T * B * I).map(() => rng.uniformIn(-1, 1));
  const mask = new Float64Array(T * B).map((_, i) => (Math.floor(i / B) < [6, 3, 5][i % B] ? 1 : 0));
  for (const cell of cells) {
    for (const variant of ['last', 'all-bidirectional-stacked'] as const) {
      it(`${cell.kind}${'activation' in cell ? `/${cell.activation}` : ''} ${variant}`, () => {
        const config: ModelConfig =
          variant === 'last'
            ? { inputSize: I, outputSize: 2, cell, target: 'last', readout: { hidden: [8] } }
            : { inputSize: I, outputSize: 3, cell, target: 'all', layers: 2, bidirectional: true };
        const n = variant === 'last' ? B * 2 : T * B * 3;
        const target = new Float64Array(n).map(() => rng.uniformIn(-1, 1));
        const ref = run(config, referenceBackend, x, target, mask);
        const w = run(config, getBackend('wasm'), x, target, mask);
        close([w.loss], [ref.loss], 'loss');
        close(w.y, ref.y, 'output');
        ref.grads.forEach((g, i) => close(w.grads[i], g, `gradient ${i}`, 2e-5));
      });
    }
  }
});

describe('fused GRU/LSTM steps equal the composed elementary ops', () => {
  for (const kind of ['gru', 'lstm'] as const) {
    it(kind, () => {
      const rng = new Rng(9),
        H = 5;
      const cell =
        kind === 'gru'
          ? createGruCell({ kind, hidden: H }, I, referenceBackend, rng)
          : createLstmCell({ kind, hidden: H }, I, referenceBackend, rng);
      const results = (['step', 'composedStep'] as const).map((which) => {
        const tape = new Tape(referenceBackend);
        const x = Tensor.from(
          referenceBackend,
          [T, B, I],
          new Float64Array(T * B * I).map(() => rng.uniformIn(-1, 1)),
        ).markGrad();
        const xs = new Rng(4);
        x.set(new Float64Array(T * B * I).map(() => xs.uniformIn(-1, 1)));
        const xp = cell.project(tape, x);
        let state = cell.stateSizes.map((s) => tape.tensor([B, s]));
        for (let t = 0; t < T; t++) state = cell[which](tape, xp.at(t), state);
        const loss = mse(tape, state[0], Tensor.from(referenceBackend, [B, H], new Float64Array(B * H).fill(0.3)));
        for (const p of Object.values(cell.params)) p.grad!.fill(0);
        tape.backward(loss);
        const r = {
          h: state[0].toArray(),
          gx: x.grad!.toArray(),
          gp: Object.values(cell.params).map((p) => p.grad!.toArray()),
        };
        tape.dispose();
        return r;
      });
      close(results[0].h, results[1].h, 'h', 1e-12);
      close(results[0].gx, results[1].gx, 'dx', 1e-12);
      results[0].gp.forEach((g, i) => close(g, results[1].gp[i], `param ${i}`, 1e-12));
    });
  }
});
