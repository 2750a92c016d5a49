/**
 * The threaded wasm backend (2 threads: this one and a worker on the same shared memory) against the
 * single-threaded one, same build variant, on identical inputs. Every split keeps each output element's
 * arithmetic (GEMM: whole 4×8 tiles per thread, same k order; pointwise: whole elements or rows), so
 * results must be bit-identical, not just close — this is asserted for every kernel that is split, below
 * and above the split thresholds and with odd sizes. Also: a whole training step (Model + GraphCache +
 * backward + Adam) gives identical losses and gradients with 1 and 2 threads; memory growth reaches the
 * workers; a worker's trap is reported; dispose() stops the workers; a process exits by itself.
 * Needs `npm run build` (the worker script is dist/kernels/wasm/thread-worker.js).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AdamStep,
  type Backend,
  packedLength,
  type Ref,
  stepScratch,
  type UnaryKind,
} from '../../src/kernels/backend.js';
import {
  createWasmBackend,
  DEFAULT_SPLIT_THRESHOLDS,
  wasmAvailable,
  type WasmBackend,
} from '../../src/kernels/wasm/backend.js';
import { Model, type ModelConfig } from '../../src/models/model.js';
import { createOptimizer, gradNorm } from '../../src/optim/index.js';
import { GraphCache } from '../../src/train/graph.js';
import { Rng } from '../../src/tensor/rng.js';

const available = wasmAvailable();
const ONE = available ? createWasmBackend() : null;
// backoffMs 0: never fall back to one thread (a loaded test machine must not skip the threaded paths).
const TWO = available ? createWasmBackend({ threads: 2, variant: ONE!.variant, backoffMs: 0 }) : null;
// Split every call, however small: boundary cases of the split arithmetic.
const ALL = available
  ? createWasmBackend({ threads: 2, variant: ONE!.variant, backoffMs: 0, splitThresholds: { gemm: 0, pointwise: 0 } })
  : null;
afterAll(async () => {
  await TWO?.dispose();
  await ALL?.dispose();
});

const rng = new Rng(77);
type Args = (be: Backend, ref: (i: number) => Ref) => void;

/**
 * Run `call` on the single-threaded backend and on `be` with the same operands (sizes[i] floats each,
 * filled from one seed; operand i at element offset i % 4) and expect every operand bit-identical after
 * (but those in `ignore`: scratch, whose contents depend on how the call was split).
 */
function same(
  be: WasmBackend,
  label: string,
  sizes: number[],
  call: Args,
  values = (n: number) => Array.from({ length: n }, () => Math.fround(rng.uniformIn(-2, 2))),
  ignore: readonly number[] = [],
): void {
  const data = sizes.map(values);
  const results = [ONE!, be].map((b) => {
    const blocks = sizes.map((n, i) => {
      const s = b.alloc(n + 4);
      s.array.set(data[i], s.base + (i % 4));
      return s;
    });
    call(b, (i) => ({ storage: blocks[i], offset: i % 4 }));
    const out = blocks.map((s, i) => Array.from(s.array.subarray(s.base + (i % 4), s.base + (i % 4) + sizes[i])));
    blocks.forEach((s) => b.free(s));
    return out;
  });
  results[0].forEach((want, i) => {
    if (ignore.includes(i)) return;
    const got = results[1][i];
    const bad = want.findIndex((v, j) => !Object.is(v, got[j]));
    expect(bad, `${label}: operand ${i} differs at ${bad} (${want[bad]} vs ${got[bad]})`).toBe(-1);
  });
}

/** Expect `be` to split (or not) the calls made by fn. */
function splits(be: WasmBackend, fn: () => void): boolean {
  const before = be.threadStats()!.dispatches;
  fn();
  return be.threadStats()!.dispatches > before;
}

const GEMM_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 2],
  [5, 17, 3],
  [33, 9, 13],
  [9, 33, 13],
  [13, 200, 7],
  [300, 6, 11],
  [7, 300, 270], // small, odd
  [32, 512, 128],
  [32, 128, 512],
  [512, 128, 32],
  [64, 512, 256],
  [800, 256, 32],
  [1000, 13, 17],
  [37, 91, 300], // large
];
const KINDS: UnaryKind[] = [
  'identity',
  'tanh',
  'sigmoid',
  'relu',
  'exp',
  'neg',
  'square',
  'sqrt',
  'sin',
  'cos',
  'oneMinus',
];
const N = [1, 7, 16, 17, 1000, 4099, 40_003, 100_000];
const ROWS: [number, number][] = [
  [1, 1],
  [3, 5],
  [2, 33],
  [17, 7],
  [32, 128],
  [33, 129],
  [64, 256],
  [5, 1000],
];

describe.skipIf(!available)('threaded wasm backend: bit-identical to one thread', () => {
  it('runs on 2 threads and splits only calls above the thresholds', () => {
    expect(TWO!.threads).toBe(2);
    expect(ONE!.threads).toBe(1);
    const [m, n, k] = [32, 512, 128];
    expect(m * n * k).toBeGreaterThanOrEqual(DEFAULT_SPLIT_THRESHOLDS.gemm);
    const big = (be: Backend, r: (i: number) => Ref) => be.gemm(false, true, m, n, k, 1, r(0), r(1), 0, r(2));
    const tiny = (be: Backend, r: (i: number) => Ref) => be.gemm(false, true, 8, 8, 8, 1, r(0), r(1), 0, r(2));
    expect(splits(TWO!, () => same(TWO!, 'gemm 32×512×128', [m * k, n * k, m * n], big))).toBe(true);
    expect(splits(TWO!, () => same(TWO!, 'gemm 8×8×8', [64, 64, 64], tiny))).toBe(false);
    expect(splits(TWO!, () => same(TWO!, 'axpy 100000', [1e5, 1e5], (be, r) => be.axpy(1e5, 0.5, r(0), r(1))))).toBe(
      true,
    );
    expect(splits(TWO!, () => same(TWO!, 'axpy 1000', [1e3, 1e3], (be, r) => be.axpy(1e3, 0.5, r(0), r(1))))).toBe(
      false,
    );
  });

  for (const [name, be] of [
    ['default thresholds', () => TWO!],
    ['every call split', () => ALL!],
  ] as const) {
    it(`gemm, all transpositions, α/β, odd and large shapes (${name})`, () => {
      for (const [m, n, k] of GEMM_SHAPES) {
        for (const [tA, tB] of [
          [false, false],
          [false, true],
          [true, false],
          [true, true],
        ]) {
          for (const [alpha, beta] of [
            [1, 0],
            [0.7, 1],
            [-1.5, -0.5],
          ]) {
            same(be(), `gemm ${m}×${n}×${k} tA=${tA} tB=${tB} α=${alpha} β=${beta}`, [m * k, k * n, m * n], (b, r) =>
              b.gemm(tA, tB, m, n, k, alpha, r(0), r(1), beta, r(2)),
            );
          }
        }
      }
      same(be(), 'gemm k = 0', [0, 0, 33 * 40], (b, r) => b.gemm(false, false, 33, 40, 0, 1, r(0), r(1), 0.5, r(2)));
    });

    it(`elementwise kernels and unary kinds (${name})`, () => {
      const s: AdamStep = {
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay: 0.01,
        bias1: 0.19,
        bias2: 0.0199,
      };
      for (const n of N) {
        const b = be();
        same(b, `fill ${n}`, [n], (x, r) => x.fill(n, 0.3, r(0)));
        same(b, `copy ${n}`, [n, n], (x, r) => x.copy(n, r(0), r(1)));
        same(b, `axpy ${n}`, [n, n], (x, r) => x.axpy(n, -0.7, r(0), r(1)));
        same(b, `scale ${n}`, [n, n], (x, r) => x.scale(n, 1.3, r(0), r(1), -2));
        same(b, `clamp ${n}`, [n, n], (x, r) => x.clamp(n, -0.5, 0.8, r(0), r(1)));
        for (const op of ['add', 'sub', 'mul', 'mulAcc'] as const)
          same(b, `${op} ${n}`, [n, n, n], (x, r) => x[op](n, r(0), r(1), r(2)));
        same(
          b,
          `adam ${n}`,
          [n, n, n, n],
          (x, r) => x.adam(n, s, r(0), r(1), r(2), r(3)),
          (k) => Array.from({ length: k }, () => Math.fround(rng.uniformIn(0, 1))),
        );
        for (const kind of KINDS) {
          same(
            b,
            `${kind} ${n}`,
            [n, n],
            (x, r) => x.unary(kind, n, r(0), r(1)),
            (k) => Array.from({ length: k }, () => Math.fround(rng.uniformIn(0.01, 3))),
          );
          same(
            b,
            `${kind}′ ${n}`,
            [n, n, n, n],
            (x, r) => x.unaryBackward(kind, n, r(0), r(1), r(2), r(3)),
            (k) => Array.from({ length: k }, () => Math.fround(rng.uniformIn(0.01, 3))),
          );
        }
      }
    });

    it(`row kernels, LSTM/GRU pointwise and whole steps, layer norm (${name})`, () => {
      const mask = (m: number) => Array.from({ length: m }, (_, i) => [0, 1, 0.25][i % 3]);
      for (const [m, n] of ROWS) {
        const b = be();
        same(b, `addRow ${m}×${n}`, [m * n, n, m * n], (x, r) => x.addRow(m, n, r(0), r(1), r(2)));
        same(b, `mulRow ${m}×${n}`, [m * n, n, m * n], (x, r) => x.mulRow(m, n, r(0), r(1), r(2)));
        same(b, `copyBlock ${m}×${n}`, [m * (n + 3), m * (n + 5)], (x, r) =>
          x.copyBlock(m, n, r(0), n + 3, r(1), n + 5, true),
        );
        same(b, `copyBlock= ${m}×${n}`, [m * (n + 3), m * n], (x, r) => x.copyBlock(m, n, r(0), n + 3, r(1), n, false));
        same(
          b,
          `blend ${m}×${n}`,
          [m, m * n, m * n, m * n],
          (x, r) => x.blend(m, n, r(0), r(1), r(2), r(3)),
          (k) => (k === m ? mask(m) : Array.from({ length: k }, () => rng.normal())),
        );
        same(
          b,
          `blendBackward ${m}×${n}`,
          [m, m * n, m * n, m * n],
          (x, r) => {
            x.blendBackward(m, n, r(0), r(1), r(2), r(3));
            x.blendBackward(m, n, r(0), r(1), null, r(3));
            x.blendBackward(m, n, r(0), r(1), r(2), null);
          },
          (k) => (k === m ? mask(m) : Array.from({ length: k }, () => Math.fround(rng.normal()))),
        );
        const [B, H] = [m, n];
        same(b, `lstmForward ${B}×${H}`, [4 * B * H, B * H, 4 * B * H, B * H, B * H, B * H], (x, r) =>
          x.lstmForward(B, H, r(0), r(1), r(2), r(3), r(4), r(5)),
        );
        same(b, `lstmBackward ${B}×${H}`, [4 * B * H, B * H, B * H, B * H, B * H, 4 * B * H, B * H], (x, r) => {
          x.lstmBackward(B, H, r(0), r(1), r(2), r(3), r(4), r(5), r(6));
          x.lstmBackward(B, H, r(0), r(1), r(2), r(3), null, r(5), null);
        });
        same(b, `gruForward ${B}×${H}`, [3 * B * H, 3 * B * H, B * H, 3 * B * H, B * H], (x, r) =>
          x.gruForward(B, H, r(0), r(1), r(2), r(3), r(4)),
        );
        same(b, `gruBackward ${B}×${H}`, [3 * B * H, 3 * B * H, B * H, B * H, 3 * B * H, 3 * B * H, B * H], (x, r) => {
          x.gruBackward(B, H, r(0), r(1), r(2), r(3), r(4), r(5), r(6));
          x.gruBackward(B, H, r(0), r(1), r(2), r(3), r(4), r(5), null);
        });
        // whole recurrent steps (table-steps.ts): the operands in signature order, scratch last (ignored)
        const BH = B * H,
          sc = (k: number) => stepScratch(B, k).length,
          pl = packedLength;
        same(
          b,
          `rnnStep ${B}×${H}`,
          [BH, pl(H, H), H, BH, BH, BH, sc(H)],
          (x, r) => x.rnnStep(B, H, 'tanh', r(0), r(1), r(2), r(3), r(4), r(5), r(6), stepScratch(B, H).row),
          undefined,
          [6],
        );
        same(
          b,
          `rnnStepBackward ${B}×${H}`,
          [BH, BH, BH, BH, pl(H, H), BH, sc(H)],
          (x, r) => {
            x.rnnStepBackward(B, H, 'tanh', r(0), r(1), r(2), r(3), r(4), r(5), r(6), stepScratch(B, H).row);
            x.rnnStepBackward(B, H, 'relu', r(0), r(1), r(2), r(3), r(4), null, r(6), stepScratch(B, H).row);
          },
          undefined,
          [6],
        );
        same(
          b,
          `gruStep ${B}×${H}`,
          [3 * BH, pl(H, 3 * H), 3 * H, BH, 3 * BH, 3 * BH, BH, sc(H)],
          (x, r) => x.gruStep(B, H, r(0), r(1), r(2), r(3), r(4), r(5), r(6), r(7), stepScratch(B, H).row),
          undefined,
          [7],
        );
        same(
          b,
          `gruStepBackward ${B}×${H}`,
          [3 * BH, 3 * BH, BH, BH, 3 * BH, 3 * BH, pl(3 * H, H), BH, sc(3 * H)],
          (x, r) => {
            x.gruStepBackward(B, H, r(0), r(1), r(2), r(3), r(4), r(5), r(6), r(7), r(8), stepScratch(B, 3 * H).row);
            x.gruStepBackward(B, H, r(0), r(1), r(2), r(3), r(4), r(5), r(6), null, r(8), stepScratch(B, 3 * H).row);
          },
          undefined,
          [8],
        );
        same(
          b,
          `lstmStep ${B}×${H}`,
          [4 * BH, pl(H, 4 * H), 4 * H, BH, BH, 4 * BH, 4 * BH, BH, BH, BH, sc(H)],
          (x, r) =>
            x.lstmStep(B, H, r(0), r(1), r(2), r(3), r(4), r(5), r(6), r(7), r(8), r(9), r(10), stepScratch(B, H).row),
          undefined,
          [10],
        );
        same(
          b,
          `lstmStepBackward ${B}×${H}`,
          [4 * BH, BH, BH, BH, BH, 4 * BH, BH, pl(4 * H, H), BH, sc(4 * H)],
          (x, r) => {
            const row = stepScratch(B, 4 * H).row;
            x.lstmStepBackward(B, H, r(0), r(1), r(2), r(3), r(4), r(5), r(6), r(7), r(8), r(9), row);
            x.lstmStepBackward(B, H, r(0), r(1), r(2), r(3), null, r(5), null, r(7), null, r(9), row);
          },
          undefined,
          [9],
        );
        same(b, `layerNorm ${m}×${n}`, [m * n, n, n, m * n, m, m], (x, r) =>
          x.layerNorm(m, n, 1e-5, r(0), r(1), r(2), r(3), r(4), r(5)),
        );
      }
    });
  }

  it('workers see memory grown after they started', () => {
    const be = createWasmBackend({ threads: 2, initialPages: 4, backoffMs: 0 });
    try {
      const [m, n, k] = [256, 256, 256]; // 3·256 KiB of operands: the 256 KiB memory must grow
      expect(
        splits(be, () =>
          same(be, 'gemm after growth', [m * k, k * n, m * n], (b, r) =>
            b.gemm(false, false, m, n, k, 1, r(0), r(1), 0, r(2)),
          ),
        ),
      ).toBe(true);
    } finally {
      void be.dispose();
    }
  });

  it('reports a worker that traps, and keeps working afterwards', () => {
    const be = createWasmBackend({ threads: 2, backoffMs: 0 });
    try {
      const s = be.alloc(64);
      const far = { storage: s, offset: 2 ** 29 }; // byte address 2 GiB: out of bounds
      expect(() => be.gemm(false, false, 256, 256, 256, 1, far, far, 0, far)).toThrow();
      be.free(s);
      same(be, 'gemm after a trap', [64 * 64, 64 * 64, 64 * 64], (b, r) =>
        b.gemm(false, false, 64, 64, 64, 1, r(0), r(1), 0, r(2)),
      );
    } finally {
      void be.dispose();
    }
  });

  it('dispose() stops the workers; the backend keeps working on one thread', async () => {
    const be = createWasmBackend({ threads: 2, backoffMs: 0 });
    const work = (b: Backend, r: (i: number) => Ref) => b.gemm(false, true, 64, 256, 64, 1, r(0), r(1), 0, r(2));
    expect(splits(be, () => same(be, 'before dispose', [64 * 64, 256 * 64, 64 * 256], work))).toBe(true);
    await be.dispose();
    expect(splits(be, () => same(be, 'after dispose', [64 * 64, 256 * 64, 64 * 256], work))).toBe(false);
    await be.dispose(); // idempotent
  });
});

/** One training run of `steps` steps (forward, BPTT, gradient norm, Adam): losses and final gradients. */
function train(
  be: Backend,
  config: ModelConfig,
  batch: { T: number; B: number; x: Float64Array; y: Float64Array; mask?: Float64Array },
  steps: number,
) {
  const model = new Model(config, be, 3);
  const params = model.parameters();
  const graphs = new GraphCache(
    model,
    { loss: 'xent', target: config.target === 'all' ? 'all' : 'last' },
    { grad: true, training: true },
  );
  const opt = createOptimizer({ kind: 'adam', lr: 1e-2 }, params);
  const losses: number[] = [],
    norms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const g = graphs.run(batch);
    losses.push(g.loss.item());
    g.tape.backward(g.loss);
    norms.push(gradNorm(params));
    opt.step(1e-2);
  }
  const grads = params.map((p) => p.grad!.toArray());
  const weights = params.map((p) => p.toArray());
  graphs.dispose();
  opt.dispose();
  return { losses, norms, grads, weights };
}

describe.skipIf(!available)('a whole training step: identical with 1 and 2 threads', () => {
  const r = new Rng(5);
  const make = (T: number, B: number, I: number, classes: number, rows: number, masked: boolean) => ({
    T,
    B,
    x: new Float64Array(T * B * I).map(() => r.uniformIn(-1, 1)),
    y: new Float64Array(rows).map(() => Math.floor(r.uniformIn(0, classes))),
    ...(masked ? { mask: new Float64Array(T * B).map((_, i) => (Math.floor(i / B) < T - ((i % B) % 4) ? 1 : 0)) } : {}),
  });
  const cases: [string, ModelConfig, ReturnType<typeof make>][] = [
    [
      'LSTM H64 B32 (W1-like)',
      { inputSize: 16, outputSize: 10, cell: { kind: 'lstm', hidden: 64 }, target: 'last' },
      make(12, 32, 16, 10, 32, false),
    ],
    [
      'GRU H48 B17, 2 layers, bidirectional, mask, per-step targets',
      { inputSize: 9, outputSize: 5, cell: { kind: 'gru', hidden: 48 }, target: 'all', layers: 2, bidirectional: true },
      make(7, 17, 9, 5, 7 * 17, true),
    ],
    [
      'deep transition L2 with layer norm, H96 B24, readout MLP',
      {
        inputSize: 8,
        outputSize: 4,
        cell: { kind: 'deep', hidden: 96, depth: 2, variant: 'residual', layerNorm: true },
        target: 'last',
        readout: { hidden: [64] },
      },
      make(6, 24, 8, 4, 24, false),
    ],
    [
      'highway transition L3 H64 B24, masked (the fused deep step)',
      { inputSize: 8, outputSize: 4, cell: { kind: 'deep', hidden: 64, depth: 3, variant: 'highway' }, target: 'last' },
      make(6, 24, 8, 4, 24, true),
    ],
  ];
  for (const [label, config, batch] of cases) {
    it(label, () => {
      const before = TWO!.threadStats()!.dispatches;
      const a = train(ONE!, config, batch, 3),
        b = train(TWO!, config, batch, 3);
      expect(TWO!.threadStats()!.dispatches, 'the threaded run split some calls').toBeGreaterThan(before);
      expect(b.losses).toEqual(a.losses);
      expect(b.norms).toEqual(a.norms);
      a.grads.forEach((g, i) => expect(Array.from(b.grads[i]), `gradient ${i}`).toEqual(Array.from(g)));
      a.weights.forEach((w, i) => expect(Array.from(b.weights[i]), `parameter ${i}`).toEqual(Array.from(w)));
    });
  }
});

describe.skipIf(!available)('threads never keep a process alive', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const run = (code: string, env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });

  it('a process that used a threaded backend exits by itself (workers spinning, then asleep)', () => {
    const t0 = performance.now();
    const r = run(
      `
      import { getBackend } from './dist/kernels/index.js';
      const be = getBackend('wasm');
      const a = { storage: be.alloc(128 * 512), offset: 0 }, c = { storage: be.alloc(64 * 512), offset: 0 };
      be.gemm(false, true, 64, 512, 128, 1, a, a, 0, c);
      console.log('threads', be.threads, 'dispatches', be.threadStats().dispatches);
      setTimeout(() => { be.gemm(false, true, 64, 512, 128, 1, a, a, 0, c); console.log('dispatches', be.threadStats().dispatches); }, 100);`,
      { RECUR_THREADS: '2' },
    );
    expect(r.error, 'the child did not exit within 20 s').toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['threads 2 dispatches 1', 'dispatches 2']);
    expect(r.status).toBe(0);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it('RECUR_THREADS must be a positive integer', () => {
    const r = run(`import { getBackend } from './dist/kernels/index.js'; getBackend('wasm');`, {
      RECUR_THREADS: 'two',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/RECUR_THREADS must be a positive integer, got 'two'/);
  });
});
