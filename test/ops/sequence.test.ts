/**
 * The fused whole-sequence ops (src/ops/sequence.ts) against scan's per-step path: the same outputs, final
 * states and gradients — parameters, inputs, initial states and every ∂L/∂h_t — for the vanilla (all four
 * activations), GRU and LSTM cells, masked and unmasked, forward and reverse; on the reference backend to
 * 1e-12 and on wasm to float32 precision. Plus central-difference gradchecks of the fused path, the
 * workspace path (xp read by a later node), and no allocation on replays.
 */
import { describe, expect, it } from 'vitest';
import { Tape } from '../../src/autodiff/tape.js';
import { gradcheckInPlace } from '../../src/autodiff/gradcheck.js';
import type { Backend } from '../../src/kernels/backend.js';
import { getBackend } from '../../src/kernels/index.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { wasmAvailable } from '../../src/kernels/wasm/backend.js';
import { createCell, type Cell, type CellConfig } from '../../src/cells/index.js';
import { scan } from '../../src/models/scan.js';
import { add, lstmSequence, mul, stack, sum, tanh } from '../../src/ops/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';

const T = 6,
  B = 3,
  I = 4;
const LENGTHS = [6, 2, 4];

const CELLS: CellConfig[] = [
  { kind: 'vanilla', hidden: 5, activation: 'tanh' },
  { kind: 'vanilla', hidden: 4, activation: 'sigmoid' },
  { kind: 'vanilla', hidden: 5, activation: 'relu' },
  { kind: 'vanilla', hidden: 3, activation: 'identity' },
  { kind: 'gru', hidden: 5 },
  { kind: 'lstm', hidden: 6, forgetBias: 1 },
];
const nameOf = (c: CellConfig): string => `${c.kind}${'activation' in c ? `/${c.activation}` : ''}`;

interface Data {
  x: Float64Array;
  h0: Float64Array[];
  mask: Float64Array;
  wOut: Float64Array;
  wFinal: Float64Array[];
}

function makeData(cell: CellConfig, seed: number): Data {
  const rng = new Rng(seed),
    H = cell.hidden,
    n = cell.kind === 'lstm' ? 2 : 1;
  const u = (len: number): Float64Array => new Float64Array(len).map(() => rng.uniformIn(-1, 1));
  const mask = new Float64Array(T * B).map((_, i) => (Math.floor(i / B) < LENGTHS[i % B] ? 1 : 0));
  return {
    x: u(T * B * I),
    h0: Array.from({ length: n }, () => u(B * H)),
    mask,
    wOut: u(T * B * H),
    wFinal: Array.from({ length: n }, () => u(B * H)),
  };
}

interface Run {
  outputs: Float64Array;
  final: Float64Array[];
  /** Gradients: every parameter, x, the initial states, and ∂L/∂h_t for every t. */
  grads: [string, Float64Array][];
  seqNodes: number;
  tape: Tape;
}

/** Record scan with a loss reading the outputs and the final states; backpropagate. */
function run(
  backend: Backend,
  cfg: CellConfig,
  d: Data,
  opts: { mask: boolean; reverse: boolean; perStep: boolean },
): Run {
  const cell = createCell(cfg, I, backend, new Rng(17));
  const tape = new Tape(backend);
  const x = Tensor.from(backend, [T, B, I], d.x).markGrad();
  const h0 = d.h0.map((v) => Tensor.from(backend, [B, cfg.hidden], v).markGrad());
  const mask = opts.mask ? Tensor.from(backend, [T, B], d.mask) : null;
  const r = scan(tape, cell, x, h0, { mask, reverse: opts.reverse, perStep: opts.perStep });
  let loss = sum(tape, mul(tape, r.outputs, Tensor.from(backend, [T, B, cfg.hidden], d.wOut)));
  r.final.forEach((s, i) => {
    loss = add(tape, loss, sum(tape, mul(tape, tanh(tape, s), Tensor.from(backend, s.shape, d.wFinal[i]))));
  });
  tape.backward(loss);
  const grads: [string, Float64Array][] = [
    ...Object.entries(cell.params).map(([k, p]): [string, Float64Array] => [k, p.grad!.toArray()]),
    ['x', x.grad!.toArray()],
    ...h0.map((s, i): [string, Float64Array] => [`initial ${i}`, s.grad!.toArray()]),
    ...r.hs.map((h, t): [string, Float64Array] => [`dL/dh_${t}`, h.grad!.toArray()]),
  ];
  const seqNodes = tape.nodes.filter((n) => n.op.endsWith('Sequence')).length;
  return { outputs: r.outputs.toArray(), final: r.final.map((s) => s.toArray()), grads, seqNodes, tape };
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  expect(a.length, what).toBe(b.length);
  let scale = 1,
    diff = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  expect(diff, what).toBeLessThanOrEqual(tol * scale);
}

function compare(backend: Backend, cfg: CellConfig, mask: boolean, reverse: boolean, tol: number): void {
  const d = makeData(cfg, 5);
  const fused = run(backend, cfg, d, { mask, reverse, perStep: false });
  const steps = run(backend, cfg, d, { mask, reverse, perStep: true });
  expect(fused.seqNodes).toBe(1);
  expect(steps.seqNodes).toBe(0);
  expectClose(fused.outputs, steps.outputs, tol, 'outputs');
  fused.final.forEach((f, i) => expectClose(f, steps.final[i], tol, `final ${i}`));
  fused.grads.forEach(([name, g], i) => {
    expect(steps.grads[i][0]).toBe(name);
    expectClose(g, steps.grads[i][1], tol, `gradient ${name}`);
  });
  if (mask) {
    // a finished sequence keeps its state: h_t = h_{len−1} past its length (forward direction)
    const H = cfg.hidden;
    if (!reverse)
      for (let t = LENGTHS[1]; t < T; t++)
        for (let j = 0; j < H; j++)
          expect(fused.outputs[(t * B + 1) * H + j]).toBe(fused.outputs[((LENGTHS[1] - 1) * B + 1) * H + j]);
  }
  fused.tape.dispose();
  steps.tape.dispose();
}

const VARIANTS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

describe('fused sequence ops equal the per-step path (reference, float64)', () => {
  for (const cfg of CELLS) {
    for (const [mask, reverse] of VARIANTS) {
      it(`${nameOf(cfg)}${mask ? ', masked' : ''}${reverse ? ', reverse' : ''}`, () =>
        compare(referenceBackend, cfg, mask, reverse, 1e-12));
    }
  }
});

describe.skipIf(!wasmAvailable())('fused sequence ops equal the per-step path (wasm, float32)', () => {
  for (const cfg of CELLS) {
    for (const [mask, reverse] of VARIANTS) {
      it(`${nameOf(cfg)}${mask ? ', masked' : ''}${reverse ? ', reverse' : ''}`, () =>
        compare(getBackend('wasm'), cfg, mask, reverse, 2e-6));
    }
  }
});

describe('gradient check of the fused path (reference backend)', () => {
  for (const cfg of CELLS) {
    for (const [mask, reverse] of [
      [false, false],
      [true, true],
    ] as const) {
      it(`${nameOf(cfg)}${mask ? ', masked' : ''}${reverse ? ', reverse' : ''}`, () => {
        const d = makeData(cfg, 9);
        const cell = createCell(cfg, I, referenceBackend, new Rng(3));
        if (cfg.kind === 'vanilla' && cfg.activation === 'relu') cell.params.bias_hh.fill(0.3); // away from the kink
        const x = Tensor.from(referenceBackend, [T, B, I], d.x).markGrad();
        const h0 = d.h0.map((v) => Tensor.from(referenceBackend, [B, cfg.hidden], v).markGrad());
        const m = mask ? Tensor.from(referenceBackend, [T, B], d.mask) : null;
        const w = Tensor.from(referenceBackend, [T, B, cfg.hidden], d.wOut);
        const fn = (tape: Tape): Tensor => {
          const r = scan(tape, cell, x, h0, { mask: m, reverse });
          expect(tape.nodes.some((n) => n.op.endsWith('Sequence'))).toBe(true);
          return add(
            tape,
            sum(tape, mul(tape, r.outputs, w)),
            sum(tape, mul(tape, r.final[r.final.length - 1], r.final[0])),
          );
        };
        const res = gradcheckInPlace(fn, [...Object.values(cell.params), x, ...h0]);
        expect(res.checked).toBeGreaterThan(50);
        expect(res.maxRelError, JSON.stringify(res.worst)).toBeLessThan(1e-6);
      });
    }
  }
});

describe('sequence op bookkeeping', () => {
  const lstm = (backend: Backend): Cell => createCell({ kind: 'lstm', hidden: 4 }, I, backend, new Rng(2));

  it('adds to the gradient of a projection that a later node reads too (workspace path), and of a leaf', () => {
    const d = makeData({ kind: 'lstm', hidden: 4 }, 1);
    const grads = (fused: boolean, leaf: boolean): Float64Array[] => {
      const cell = lstm(referenceBackend),
        tape = new Tape(referenceBackend);
      const x = Tensor.from(referenceBackend, [T, B, I], d.x).markGrad();
      const h0 = Tensor.from(referenceBackend, [B, 4], d.h0[0]),
        c0 = Tensor.from(referenceBackend, [B, 4], d.h0[1]);
      const projected = cell.project(tape, x);
      const xp = leaf ? Tensor.zeros(referenceBackend, projected.shape).copyFrom(projected).markGrad() : projected;
      const r = fused
        ? lstmSequence(tape, xp, cell.params.weight_hh, cell.params.bias_hh, h0, c0)
        : scanSteps(tape, cell, xp, [h0, c0]);
      const loss = add(tape, sum(tape, tanh(tape, r.outputs)), sum(tape, mul(tape, xp, xp))); // xp read again, later
      tape.backward(loss);
      if (leaf) tape.backward(loss, { accumulate: true }); // a leaf's gradient accumulates across passes
      return [...Object.values(cell.params).map((p) => p.grad!.toArray()), (leaf ? xp : x).grad!.toArray()];
    };
    for (const leaf of [false, true]) {
      const a = grads(true, leaf),
        b = grads(false, leaf);
      a.forEach((g, i) => expectClose(g, b[i], 1e-12, `gradient ${i}${leaf ? ' (leaf xp)' : ''}`));
    }
  });

  it('replays (forward + backward) allocate nothing', () => {
    let allocs = 0;
    const counting: Backend = {
      ...referenceBackend,
      alloc: (n) => {
        allocs++;
        return referenceBackend.alloc(n);
      },
    };
    for (const cfg of CELLS) {
      const cell = createCell(cfg, I, counting, new Rng(1));
      const tape = new Tape(counting);
      const x = tape.input([T, B, I]).fill(0.5);
      const mask = tape.input([T, B]).fill(1);
      const r = scan(
        tape,
        cell,
        x,
        cell.stateSizes.map((s) => tape.tensor([B, s])),
        { mask },
      );
      const loss = sum(tape, r.outputs);
      tape.backward(loss);
      const before = allocs;
      for (let i = 0; i < 3; i++) {
        tape.forward();
        tape.backward(loss);
      }
      expect(allocs, nameOf(cfg)).toBe(before);
      tape.dispose();
    }
  });
});

/** scan's per-step loop on a given projection (what scan does after cell.project). */
function scanSteps(tape: Tape, cell: Cell, xp: Tensor, initial: Tensor[]): { outputs: Tensor } {
  let state = initial;
  const hs: Tensor[] = [];
  for (let t = 0; t < xp.shape[0]; t++) {
    state = cell.step(tape, xp.at(t), state);
    hs.push(state[0]);
  }
  return { outputs: stack(tape, hs) };
}
