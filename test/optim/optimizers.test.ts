/**
 * SGD, Adam, AdamW and RMSprop against float64 transcriptions of PyTorch's update rules (torch-rules.ts)
 * on the reference backend, plus hand-computed values, a quadratic to minimise, and checkpoint state.
 */
import { describe, expect, it } from 'vitest';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import {
  Adam,
  AdamW,
  RMSprop,
  SGD,
  cosine,
  createOptimizer,
  type Optimizer,
  type OptimizerConfig,
} from '../../src/optim/index.js';
import { CASES } from './cases.js';

const be = referenceBackend;
const SHAPES = [[3, 4], [5], [2, 1, 3]];

function makeParams(rng: Rng): Tensor[] {
  return SHAPES.map((s, i) => {
    const t = Tensor.zeros(be, s);
    const v = new Float64Array(t.size);
    rng.fillUniform(v, -1, 1);
    t.set(v).markGrad();
    t.name = `p${i}`;
    return t;
  });
}

/** Normal gradients from the seeded rng, one element scaled to 1e-3 and one to 10 (small and large magnitudes). */
function gradsAt(rng: Rng, params: readonly Tensor[]): Float64Array[] {
  return params.map((p) => {
    const g = new Float64Array(p.size);
    rng.fillNormal(g);
    g[0] *= 1e-3;
    if (g.length > 2) g[2] *= 10;
    return g;
  });
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}

describe('optimizers match PyTorch update rules (float64 reference backend)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const rng = new Rng(`optim ${c.name}`);
      const params = makeParams(rng);
      const mirror = params.map((p) => p.toArray());
      const opt = createOptimizer(c.cfg, params);
      const torch = c.torch();
      for (let t = 0; t < 8; t++) {
        const grads = gradsAt(rng, params);
        params.forEach((p, i) => p.grad!.set(grads[i]));
        // odd steps pass an explicit (scheduled) lr; at step 4 parameter 1 has no gradient and is skipped
        const lr = t % 2 === 1 ? opt.config.lr * (1 + 0.3 * t) : undefined;
        const saved = params[1].grad;
        if (t === 4) params[1].grad = null;
        opt.step(lr);
        params[1].grad = saved;
        torch.step(
          mirror,
          grads.map((g, i) => (t === 4 && i === 1 ? null : g)),
          lr ?? opt.config.lr,
        );
        params.forEach((p, i) =>
          expect(maxRelDiff(p.toArray(), mirror[i]), `step ${t}, ${p.name}`).toBeLessThan(1e-12),
        );
      }
      expect(opt.state().step).toEqual(Float64Array.from([8, 7, 8]));
    });
  }
});

describe('hand-computed values', () => {
  /** Run `steps` steps on one scalar parameter p0 with a constant gradient g; return p after each step. */
  function trace(make: (ps: Tensor[]) => Optimizer, p0: number, g: number, steps: number, lr?: number): number[] {
    const p = Tensor.from(be, [1], [p0]).markGrad();
    p.grad!.set([g]);
    const opt = make([p]);
    return Array.from({ length: steps }, () => (opt.step(lr), p.get(0)));
  }
  const close = (got: number[], want: number[]): void => got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 14));

  it('sgd: p ← p − lr·g', () =>
    close(
      trace((ps) => new SGD(ps, { lr: 0.1 }), 1, 2, 2),
      [0.8, 0.6],
    ));
  it('sgd weight decay: g + wd·p', () =>
    close(
      trace((ps) => new SGD(ps, { lr: 0.1, weightDecay: 0.5 }), 1, 0, 2),
      [0.95, 0.9025],
    ));
  it('sgd momentum: the buffer starts at g, then μ·b + g', () =>
    // b = 1, 1.9, 2.71 → p = 1 − 0.1·b cumulative: 0.9, 0.71, 0.439
    close(
      trace((ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 }), 1, 1, 3),
      [0.9, 0.71, 0.439],
    ));
  it('sgd dampening applies from the second step', () =>
    // b = 1, then 0.9 + 0.5 = 1.4 → p = 0.9, 0.76
    close(
      trace((ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.5 }), 1, 1, 2),
      [0.9, 0.76],
    ));
  it('sgd nesterov: g + μ·b', () =>
    // b = 1 → d = 1.9 → p = 0.81; b = 1.9 → d = 2.71 → p = 0.539
    close(
      trace((ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }), 1, 1, 2),
      [0.81, 0.539],
    ));
  it('adam: with a constant gradient every step moves by lr·g/(|g| + eps)', () => {
    const d = (0.1 * 2) / (2 + 1e-8);
    close(
      trace((ps) => new Adam(ps, { lr: 0.1 }), 1, 2, 3),
      [1 - d, 1 - 2 * d, 1 - 3 * d],
    );
  });
  it('adam L2 decay enters the moments: g = 0 still moves p', () =>
    close(
      trace((ps) => new Adam(ps, { lr: 0.1, weightDecay: 0.5 }), 1, 0, 1),
      [1 - (0.1 * 0.5) / (0.5 + 1e-8)],
    ));
  it('adamw decoupled decay: p − lr·wd·p − lr·ĝ', () =>
    // 1 − 0.01 − 0.1·2/(2 + 1e-8) = 0.8900000005
    close(
      trace((ps) => new AdamW(ps, { lr: 0.1, weightDecay: 0.1 }), 1, 2, 1),
      [0.8900000005],
    ));
  it('adamw with g = 0 decays geometrically by (1 − lr·wd)', () =>
    close(
      trace((ps) => new AdamW(ps, { lr: 0.1, weightDecay: 0.5 }), 2, 0, 3),
      [1.9, 1.805, 1.71475],
    ));
  it('rmsprop: v = (1 − α)g², p −= lr·g/(√v + eps)', () =>
    // v1 = 0.01 → p1 = 1 − 0.01/(0.1 + 1e-8); v2 = 0.0199 → p2 = p1 − 0.01/(√0.0199 + 1e-8)
    close(
      trace((ps) => new RMSprop(ps, { lr: 0.01 }), 1, 1, 2),
      [1 - 0.01 / (0.1 + 1e-8), 1 - 0.01 / (0.1 + 1e-8) - 0.01 / (Math.sqrt(0.0199) + 1e-8)],
    ));
  it('rmsprop centered: √(v − ḡ²)', () =>
    // v = 0.01, ḡ = 0.01 → a = √0.0099 + 1e-8
    close(
      trace((ps) => new RMSprop(ps, { lr: 0.01, centered: true }), 1, 1, 1),
      [1 - 0.01 / (Math.sqrt(0.0099) + 1e-8)],
    ));
  it('rmsprop momentum: b = μ·b + g/a', () => {
    const a1 = 0.1 + 1e-8,
      a2 = Math.sqrt(0.0199) + 1e-8;
    const b1 = 1 / a1,
      b2 = 0.5 * b1 + 1 / a2;
    close(
      trace((ps) => new RMSprop(ps, { lr: 0.01, momentum: 0.5 }), 1, 1, 2),
      [1 - 0.01 * b1, 1 - 0.01 * b1 - 0.01 * b2],
    );
  });
  it('an lr passed to step overrides the configured one', () =>
    close(
      trace((ps) => new SGD(ps, { lr: 0.1 }), 1, 2, 1, 0.25),
      [0.5],
    ));
});

describe('minimising a quadratic ½Σ aᵢ(pᵢ − cᵢ)²', () => {
  const configs: OptimizerConfig[] = [
    { kind: 'sgd', lr: 0.1 },
    { kind: 'sgd', lr: 0.05, momentum: 0.9 },
    { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
    { kind: 'adam', lr: 0.05 },
    { kind: 'adamw', lr: 0.05, weightDecay: 0 },
    { kind: 'rmsprop', lr: 0.02 },
    { kind: 'rmsprop', lr: 0.01, centered: true, momentum: 0.5 },
  ];
  for (const cfg of configs) {
    it(JSON.stringify(cfg), () => {
      const rng = new Rng('quadratic');
      const n = 10;
      const a = Tensor.from(
        be,
        [n],
        Array.from({ length: n }, () => rng.uniformIn(0.5, 2)),
      );
      const c = Tensor.from(
        be,
        [n],
        Array.from({ length: n }, () => rng.uniformIn(-2, 2)),
      );
      const p = Tensor.zeros(be, [n]).markGrad();
      const opt = createOptimizer(cfg, [p]);
      const steps = 600,
        lr = cosine(opt.config.lr, steps);
      for (let t = 0; t < steps; t++) {
        be.sub(n, p, c, p.grad!); // g = a ⊙ (p − c)
        be.mul(n, a, p.grad!, p.grad!);
        opt.step(lr(t));
      }
      expect(maxRelDiff(p.toArray(), c.toArray())).toBeLessThan(1e-3); // started ≥ 0.5 away on most coordinates
    });
  }
});

describe('state() / loadState()', () => {
  for (const c of CASES) {
    it(`${c.name}: a restored copy continues identically`, () => {
      const rng = new Rng(`state ${c.name}`);
      const a = makeParams(rng);
      const optA = createOptimizer(c.cfg, a);
      const feed = (ps: Tensor[], grads: Float64Array[]): void => ps.forEach((p, i) => p.grad!.set(grads[i]));
      for (let t = 0; t < 3; t++) {
        feed(a, gradsAt(rng, a));
        optA.step();
      }
      // through JSON and plain arrays, as a checkpoint would
      const saved = JSON.parse(
        JSON.stringify(Object.fromEntries(Object.entries(optA.state()).map(([k, v]) => [k, Array.from(v)]))),
      );
      const b = a.map((p) => Tensor.from(be, p.shape, p.toArray()).markGrad());
      const optB = createOptimizer(c.cfg, b);
      optB.loadState(saved);
      for (let t = 0; t < 4; t++) {
        const grads = gradsAt(rng, a);
        feed(a, grads);
        feed(b, grads);
        optA.step(0.01 * (t + 1));
        optB.step(0.01 * (t + 1));
      }
      a.forEach((p, i) => expect(b[i].toArray()).toEqual(p.toArray()));
      expect(optB.state()).toEqual(optA.state());
    });
  }

  it('uses PyTorch slot names', () => {
    const ps = makeParams(new Rng(1));
    const keys = (cfg: OptimizerConfig): string[] => Object.keys(createOptimizer(cfg, ps).state());
    expect(keys({ kind: 'sgd' })).toEqual(['step']);
    expect(keys({ kind: 'sgd', momentum: 0.9 })).toEqual([
      'step',
      'momentum_buffer.0',
      'momentum_buffer.1',
      'momentum_buffer.2',
    ]);
    expect(keys({ kind: 'adam' })).toEqual([
      'step',
      'exp_avg.0',
      'exp_avg.1',
      'exp_avg.2',
      'exp_avg_sq.0',
      'exp_avg_sq.1',
      'exp_avg_sq.2',
    ]);
    expect(keys({ kind: 'rmsprop', centered: true, momentum: 0.1 })).toEqual([
      'step',
      'square_avg.0',
      'square_avg.1',
      'square_avg.2',
      'momentum_buffer.0',
      'momentum_buffer.1',
      'momentum_buffer.2',
      'grad_avg.0',
      'grad_avg.1',
      'grad_avg.2',
    ]);
  });

  it('refuses a state that does not fit, naming the entry, and writes nothing', () => {
    const ps = makeParams(new Rng(2));
    const opt = createOptimizer({ kind: 'adam' }, ps);
    const good = opt.state();
    const before = opt.state();
    expect(() => opt.loadState({ ...good, 'exp_avg.3': new Float64Array(1) })).toThrow(/unexpected entries exp_avg\.3/);
    const { 'exp_avg_sq.1': _, ...missing } = good;
    expect(() => opt.loadState(missing)).toThrow(/missing entry "exp_avg_sq\.1"/);
    expect(() => opt.loadState({ ...good, 'exp_avg.2': new Float64Array(5) })).toThrow(
      /"exp_avg\.2" has 5 values, expected 6/,
    );
    expect(() => opt.loadState({ ...good, step: Float64Array.from([1, 2, 0.5]) })).toThrow(
      /"step" value 0\.5 at index 2/,
    );
    const bad = { ...good, 'exp_avg.2': Float64Array.from([1, 1, 1, 1, 1, NaN]) };
    expect(() => opt.loadState(bad)).toThrow(/"exp_avg\.2" value NaN at index 5 is not finite/);
    expect(() => createOptimizer({ kind: 'sgd', momentum: 0.5 }, ps).loadState(good)).toThrow(
      /unexpected entries exp_avg\.0/,
    );
    expect(opt.state()).toEqual(before);
  });
});

describe('parameter lists and step arguments', () => {
  it('refuses empty, duplicate and mixed-backend parameter lists', () => {
    const [p, q] = makeParams(new Rng(3));
    expect(() => new SGD([])).toThrow(/sgd: got an empty parameter list/);
    p.name = 'w';
    expect(() => new Adam([p, q, p])).toThrow(/adam: parameter 2 \("w"\) appears twice/);
    const other = { ...be };
    expect(() => new RMSprop([p, Tensor.zeros(other, [2])])).toThrow(/parameter 1 lives on backend reference/);
  });

  it('refuses a bad lr at step time', () => {
    const opt = new SGD(makeParams(new Rng(4)));
    expect(() => opt.step(NaN)).toThrow(/sgd\.step: lr must be a finite number ≥ 0, got NaN/);
    expect(() => opt.step(-1)).toThrow(/got -1/);
  });

  it('zeroGrad zeroes every existing gradient and skips missing ones', () => {
    const ps = makeParams(new Rng(5));
    ps.forEach((p) => p.grad!.fill(3));
    const bare = Tensor.zeros(be, [2]);
    const opt = new AdamW([...ps, bare]);
    opt.zeroGrad();
    for (const p of ps) expect(Array.from(p.grad!.toArray()).every((v) => v === 0)).toBe(true);
    expect(bare.grad).toBeNull();
    opt.step(); // a parameter without a gradient is skipped
    expect(opt.state().step).toEqual(Float64Array.from([1, 1, 1, 0]));
  });
});
