/**
 * The deep cell's fused step (one tape node per step, ops/deep-step.ts and highway-step.ts) computes exactly
 * what its composed step computes — bit-identical outputs, loss, ∂L/∂h_t and parameter gradients, on both
 * backends, at record time and on replay — and records far less.
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
import type { DeepCell, DeepConfig } from '../../src/cells/index.js';

const T = 5,
  B = 3,
  I = 4;

/** A model whose deep cells record their composed step instead of the fused one (same parameters). */
function composed(model: Model): Model {
  for (const layer of model.layers) {
    for (const cell of layer.cells) {
      const c = cell as DeepCell & { step: DeepCell['step'] };
      c.step = c.composedStep;
    }
  }
  return model;
}

interface Run {
  values: Float64Array[];
  bytes: number;
}

/** Record, backward, then replay on new data and backward again; every value and gradient in order. */
function run(config: ModelConfig, backend: Backend, fused: boolean, seed: number): Run {
  const model = new Model(config, backend, 7);
  if (!fused) composed(model);
  const rng = new Rng(seed);
  const data = (n: number): Float64Array => new Float64Array(n).map(() => rng.uniformIn(-1.5, 1.5));
  const tape = new Tape(backend);
  const x = Tensor.from(backend, [T, B, I], data(T * B * I)).markGrad();
  const mask = Tensor.from(backend, [T, B], [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0]);
  const out = model.forward(tape, x, { mask });
  const target = Tensor.from(backend, out.y.shape, data(out.y.size));
  const loss = mse(tape, out.y, target);
  const values: Float64Array[] = [];
  const read = (): void => {
    values.push(loss.toArray(), out.y.toArray(), x.grad?.toArray() ?? new Float64Array());
    for (const hs of out.hs) for (const h of hs) values.push(h.grad?.toArray() ?? new Float64Array());
    for (const p of model.parameters()) values.push(p.grad?.toArray() ?? new Float64Array());
  };
  try {
    tape.backward(loss);
    read();
    x.set(data(x.size));
    target.set(data(target.size));
    tape.forward();
    tape.backward(loss);
    read();
    return { values, bytes: tape.bytes };
  } finally {
    tape.dispose();
    model.dispose();
  }
}

const cells: DeepConfig[] = [];
for (const variant of ['plain', 'shortcut', 'residual', 'highway'] as const) {
  for (const layerNorm of [false, true]) {
    for (const depth of [1, 3]) cells.push({ kind: 'deep', hidden: 5, depth, variant, layerNorm });
  }
}
cells.push(
  { kind: 'deep', hidden: 4, depth: 2, variant: 'residual', residualScale: 'sqrt-depth' },
  { kind: 'deep', hidden: 4, depth: 2, activation: 'relu' },
  { kind: 'deep', hidden: 4, depth: 2, variant: 'highway', activation: 'sigmoid' },
  { kind: 'deep', hidden: 4, depth: 3, variant: 'shortcut', activation: 'identity', layerNorm: true },
);

const name = (c: DeepConfig): string =>
  `${c.variant ?? 'plain'}${c.layerNorm ? '+LN' : ''} L=${c.depth}${c.activation ? ` ${c.activation}` : ''}${c.residualScale ? ' ρ=1/√L' : ''}`;

const backends: [string, () => Backend][] = [['reference', () => referenceBackend]];
if (wasmAvailable()) backends.push(['wasm', () => getBackend('wasm')]);

describe('deep cell: the fused step is the composed step, bit for bit', () => {
  for (const [bname, backend] of backends) {
    for (const cell of cells) {
      it(`${bname}: ${name(cell)}, stacked ×2, bidirectional, masked, learned h0`, () => {
        const config: ModelConfig = {
          inputSize: I,
          outputSize: 2,
          cell,
          target: 'all',
          layers: 2,
          bidirectional: true,
          learnInitialState: true,
        };
        const a = run(config, backend(), true, 11),
          b = run(config, backend(), false, 11);
        expect(a.values.length).toBe(b.values.length);
        a.values.forEach((v, i) => expect(v, `value ${i}`).toEqual(b.values[i]));
        expect(a.bytes).toBeLessThan(b.bytes);
      });
    }
  }
});
