/** Every op's gradient on the reference backend against central finite differences (float64). */
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../src/autodiff/gradcheck.js';
import type { Tape } from '../../src/autodiff/tape.js';
import * as ops from '../../src/ops/index.js';
import { Rng } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import type { UnaryKind } from '../../src/kernels/backend.js';
import { randomLabels, randomMask, randomTensor } from '../helpers/random.js';

const TOL = 1e-6;
const SIZES: [number, number][] = [
  [1, 1],
  [1, 5],
  [3, 1],
  [3, 7],
  [5, 13],
  [4, 8],
];

function expectGrad(fn: (tape: Tape, ...xs: Tensor[]) => Tensor, xs: Tensor[], wrt?: number[]): void {
  const r = gradcheck(fn, xs, { wrt });
  expect(r.checked).toBeGreaterThan(0);
  expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(TOL);
}

describe('gradcheck of every op (reference backend)', () => {
  const rng = new Rng(1);
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
      for (const [m, n] of SIZES) {
        const x = randomTensor(rng, [m, n], lo, hi);
        if (kind === 'relu') {
          // keep away from the kink, where finite differences are meaningless
          const a = x.toArray().map((v) => (Math.abs(v) < 0.05 ? v + 0.1 : v));
          x.set(a);
        }
        expectGrad((tp, a) => ops.unary(tp, kind, a), [x]);
      }
    });
  }

  it('add, sub, mul, scale, addN', () => {
    for (const [m, n] of SIZES) {
      const a = randomTensor(rng, [m, n]),
        b = randomTensor(rng, [m, n]),
        c = randomTensor(rng, [m, n]);
      expectGrad((tp, x, y) => ops.add(tp, x, y), [a, b]);
      expectGrad((tp, x, y) => ops.sub(tp, x, y), [a, b]);
      expectGrad((tp, x, y) => ops.mul(tp, x, y), [a, b]);
      expectGrad((tp, x) => ops.mul(tp, x, x), [a]);
      expectGrad((tp, x) => ops.scale(tp, x, -1.7, 0.3), [a]);
      expectGrad((tp, x, y, z) => ops.addN(tp, x, y, z), [a, b, c]);
    }
  });

  it('addRow, mulRow, blend', () => {
    for (const [m, n] of SIZES) {
      const x = randomTensor(rng, [m, n]),
        row = randomTensor(rng, [n]),
        y = randomTensor(rng, [m, n]);
      const mask = randomMask(rng, m);
      expectGrad((tp, a, r) => ops.addRow(tp, a, r), [x, row]);
      expectGrad((tp, a, r) => ops.mulRow(tp, a, r), [x, row]);
      expectGrad((tp, a, b) => ops.blend(tp, mask, a, b), [x, y]);
    }
  });

  it('matmul with every transpose combination, and linear', () => {
    for (const [m, k, n] of [
      [1, 1, 1],
      [2, 3, 4],
      [5, 7, 3],
      [4, 8, 1],
      [1, 9, 6],
    ]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const a = randomTensor(rng, transA ? [k, m] : [m, k]);
          const b = randomTensor(rng, transB ? [n, k] : [k, n]);
          expectGrad((tp, x, y) => ops.matmul(tp, x, y, { transA, transB }), [a, b]);
        }
      }
      const x = randomTensor(rng, [2, m, k]),
        w = randomTensor(rng, [n, k]),
        bias = randomTensor(rng, [n]);
      expectGrad((tp, a, b, c) => ops.linear(tp, a, b, c), [x, w, bias]);
      expectGrad((tp, a, b) => ops.linear(tp, a, b), [x, w]);
      const add = randomTensor(rng, [2, m, n]);
      expectGrad((tp, a, b, c, d) => ops.linear(tp, a, b, c, d), [x, w, bias, add]);
    }
  });

  it('concat, slice, chunk, stack', () => {
    for (const [m, n] of SIZES) {
      const a = randomTensor(rng, [m, n]),
        b = randomTensor(rng, [m, n + 2]),
        c = randomTensor(rng, [m, 1]);
      expectGrad((tp, x, y, z) => ops.concat(tp, [x, y, z]), [a, b, c]);
      expectGrad((tp, x) => ops.slice(tp, x, 1, n + 1), [b]);
      expectGrad((tp, x) => ops.stack(tp, [x, x, x]), [a]);
      const g = randomTensor(rng, [m, 3 * n]);
      expectGrad(
        (tp, x) => {
          const [p, q, r] = ops.chunk(tp, x, 3);
          return ops.mul(tp, ops.add(tp, p, q), r);
        },
        [g],
      );
    }
  });

  it('sum, mean, maskedMean', () => {
    for (const [m, n] of SIZES) {
      const x = randomTensor(rng, [m, n]),
        v = randomTensor(rng, [m]);
      expectGrad((tp, a) => ops.sum(tp, ops.tanh(tp, a)), [x]);
      expectGrad((tp, a) => ops.mean(tp, ops.square(tp, a)), [x]);
      expectGrad((tp, a) => ops.maskedMean(tp, ops.square(tp, a), randomMask(new Rng(m), m)), [v]);
    }
  });

  it('mse and softmax cross-entropy, with and without masks', () => {
    for (const [m, n] of SIZES) {
      const p = randomTensor(rng, [m, n]),
        t = randomTensor(rng, [m, n]);
      const mask = randomMask(rng, m),
        labels = randomLabels(rng, m, n);
      expectGrad((tp, a, b) => ops.mse(tp, a, b), [p, t]);
      expectGrad((tp, a, b) => ops.mse(tp, a, b, mask), [p, t]);
      expectGrad((tp, a) => ops.softmaxCrossEntropy(tp, a, labels), [p]);
      expectGrad((tp, a) => ops.softmaxCrossEntropy(tp, a, labels, mask), [p]);
    }
  });

  it('fused LSTM and GRU pointwise steps, layer norm', () => {
    for (const [b, h] of [
      [1, 1],
      [2, 3],
      [3, 5],
      [4, 8],
    ]) {
      const pre = randomTensor(rng, [b, 4 * h], -2, 2),
        c = randomTensor(rng, [b, h]);
      expectGrad(
        (tp, x, y) => {
          const o = ops.lstmPointwise(tp, x, y);
          return ops.concat(tp, [o.h, o.c]);
        },
        [pre, c],
      );
      const gi = randomTensor(rng, [b, 3 * h], -2, 2),
        gh = randomTensor(rng, [b, 3 * h], -2, 2),
        hp = randomTensor(rng, [b, h]);
      expectGrad((tp, x, y, z) => ops.gruPointwise(tp, x, y, z), [gi, gh, hp]);
      const x = randomTensor(rng, [b, h + 1], -2, 2),
        gain = randomTensor(rng, [h + 1]),
        bias = randomTensor(rng, [h + 1]);
      expectGrad((tp, a, g, bb) => ops.layerNorm(tp, a, g, bb), [x, gain, bias]);
    }
  });

  it('dropout (the mask is fixed between replays only when the rng is reset, so check p = 0 and the scaling)', () => {
    const x = randomTensor(rng, [3, 4]);
    expectGrad((tp, a) => ops.dropout(tp, a, 0, new Rng(1)), [x]);
  });
});
