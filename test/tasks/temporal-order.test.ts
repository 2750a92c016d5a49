import { describe, expect, it } from 'vitest';
import {
  TEMPORAL_ORDER_SYMBOLS as S,
  temporalOrderTask,
  temporalOrderWindows,
} from '../../src/tasks/temporal-order.js';
import { Rng } from '../../src/tensor/rng.js';
import { checker, expectContract } from './helpers.js';

describe('temporal order', () => {
  it('meets the task contract in both variants', () => {
    for (const [variant, classes] of [
      ['two', 4],
      ['three', 8],
    ] as const) {
      const task = temporalOrderTask({ T: 40, variant });
      expect([task.inputSize, task.outputSize, task.loss, task.target, task.metric]).toEqual([
        8,
        classes,
        'xent',
        'last',
        'accuracy',
      ]);
      expect(task.baseline).toBe(1 / classes);
      expect(task.solvedAbove).toBe(0.99);
      expectContract(task);
    }
  });

  it("scales the paper's windows with T (exactly the paper's at T = 100)", () => {
    expect(temporalOrderWindows(100, 'two')).toEqual([
      [10, 20],
      [50, 60],
    ]);
    expect(temporalOrderWindows(100, 'three')).toEqual([
      [10, 20],
      [33, 43],
      [66, 76],
    ]);
    expect(temporalOrderWindows(200, 'three')).toEqual([
      [20, 40],
      [66, 86],
      [132, 152],
    ]);
    expect(() => temporalOrderTask({ T: 9 })).toThrow(/temporal-order\.T: expected a value >= 10, found 9/);
  });

  for (const variant of ['two', 'three'] as const) {
    it(`places start, end, distractors and relevant symbols as defined (${variant})`, () => {
      const T = 50;
      const B = 800;
      const windows = temporalOrderWindows(T, variant);
      const batch = temporalOrderTask({ T, variant }).sample(new Rng(11), B);
      const counts = new Array(1 << windows.length).fill(0);
      const { bad, check } = checker();
      for (let b = 0; b < B; b++) {
        const relevant: number[] = [];
        let cls = 0;
        for (let t = 0; t < T; t++) {
          const row = batch.x.subarray((t * B + b) * 8, (t * B + b + 1) * 8);
          const on = [...row.keys()].filter((i) => row[i] === 1);
          check(on.length === 1 && row.reduce((a, v) => a + v, 0) === 1, `b=${b} t=${t}: not one-hot`);
          const s = on[0];
          if (t === 0) check(s === S.E, `b=${b}: no start symbol`);
          else if (t === T - 1) check(s === S.B, `b=${b}: no end symbol`);
          else if (s === S.X || s === S.Y) {
            relevant.push(t);
            cls = cls * 2 + (s === S.Y ? 1 : 0);
          } else check(s >= S.a && s <= S.d, `b=${b} t=${t}: symbol ${s}`);
        }
        check(relevant.length === windows.length, `b=${b}: ${relevant.length} relevant symbols`);
        relevant.forEach((t, j) =>
          check(t >= windows[j][0] && t <= windows[j][1], `b=${b}: step ${t} outside window ${j}`),
        );
        check(batch.y[b] === cls, `b=${b}: class ${batch.y[b]}, expected ${cls}`);
        counts[cls]++;
      }
      expect(bad).toEqual([]);
      for (const n of counts) expect(Math.abs(n / B - 1 / counts.length)).toBeLessThan(0.05);
    });
  }
});

/** Sequence b of a batch as a string of symbols ('.' for padding) and its length from the mask. */
function decode(
  x: Float64Array,
  mask: Float64Array | undefined,
  T: number,
  B: number,
  I: number,
  b: number,
  symbols: string,
): { s: string; L: number } {
  let s = '';
  let L = 0;
  for (let t = 0; t < T; t++) {
    const row = x.subarray((t * B + b) * I, (t * B + b + 1) * I);
    const on = [...row.keys()].filter((i) => row[i] !== 0);
    s += on.length === 0 ? '.' : on.length === 1 && row[on[0]] === 1 ? symbols[on[0]] : '?';
    if (!mask || mask[t * B + b] === 1) L = t + 1;
  }
  return { s, L };
}

describe('temporal order: Pascanu et al. 2013', () => {
  it('meets the task contract (fixed and variable length, 2 and 3 bits)', () => {
    for (const [variant, classes] of [
      ['pascanu2013', 4],
      ['pascanu2013-3bit', 8],
    ] as const) {
      const fixed = temporalOrderTask({ T: 30, variant });
      expect([fixed.inputSize, fixed.outputSize, fixed.T, fixed.loss, fixed.target, fixed.metric]).toEqual([
        6,
        classes,
        30,
        'xent',
        'last',
        'accuracy',
      ]);
      expect(fixed.baseline).toBe(1 / classes);
      expect(fixed.solvedAbove).toBe(0.99);
      expect(expectContract(fixed).mask).toBeUndefined();
      const ranged = temporalOrderTask({ T: 30, maxT: 40, variant });
      expect(ranged.T).toBe(40);
      expect(expectContract(ranged).mask).toBeDefined();
    }
  });

  it("has the authors' windows, scaled with each sequence's length", () => {
    expect(temporalOrderWindows(100, 'pascanu2013')).toEqual([
      [10, 19],
      [50, 59],
    ]);
    expect(temporalOrderWindows(100, 'pascanu2013-3bit')).toEqual([
      [10, 19],
      [30, 39],
      [60, 69],
    ]);
    expect(temporalOrderWindows(57, 'pascanu2013')).toEqual([
      [5, 9],
      [28, 32],
    ]);
    expect(temporalOrderWindows(199, 'pascanu2013-3bit')).toEqual([
      [19, 37],
      [59, 77],
      [119, 137],
    ]);
  });

  it('hand-checked sample (seed 42, T = 20..23): symbols, windows, class with the first symbol least significant', () => {
    const cases = [
      // L = 22, w = 2: windows [2, 3] and [11, 12]; A at 3, B at 12 → v = (0, 1) → class 0 + 2·1 = 2
      ['pascanu2013', 'cccAcffdecdcBefdcfdcee.', 2, 22],
      // L = 22: A at 3, A at 12 → class 0
      ['pascanu2013', 'fefAcfdefddeAddfdefcdd.', 0, 22],
      // L = 22, windows [2, 3], [6, 7], [13, 14]; A at 3, B at 7, B at 14 → class 0 + 2 + 4 = 6
      ['pascanu2013-3bit', 'cccAcffBecdceeBdcfdcee.', 6, 22],
      ['pascanu2013-3bit', 'fecAdeAddedddAdefcdded.', 0, 22],
    ] as const;
    for (const variant of ['pascanu2013', 'pascanu2013-3bit'] as const) {
      const task = temporalOrderTask({ T: 20, maxT: 23, variant });
      const batch = task.sample(new Rng(42), 2);
      cases
        .filter((c) => c[0] === variant)
        .forEach(([, s, cls, L], b) => {
          expect(decode(batch.x, batch.mask, 23, 2, 6, b, 'ABcdef')).toEqual({ s, L });
          expect(batch.y[b]).toBe(cls);
        });
    }
  });

  for (const variant of ['pascanu2013', 'pascanu2013-3bit'] as const) {
    it(`places the relevant symbols in every step of their windows, classes and lengths uniform (${variant})`, () => {
      const [T, maxT, B] = [40, 49, 4000];
      const batch = temporalOrderTask({ T, maxT, variant }).sample(new Rng(3), B);
      const n = variant === 'pascanu2013' ? 2 : 3;
      const counts = new Array(1 << n).fill(0);
      const lengths = new Map<number, number>();
      const hit = new Set<string>();
      const { bad, check } = checker();
      for (let b = 0; b < B; b++) {
        const { s, L } = decode(batch.x, batch.mask, maxT, B, 6, b, 'ABcdef');
        lengths.set(L, (lengths.get(L) ?? 0) + 1);
        check(/^[A-Bc-f]+\.*$/.test(s) && s.replace(/\.+$/, '').length === L, `b=${b}: ${s}`);
        const relevant = [...s].flatMap((ch, t) => (ch === 'A' || ch === 'B' ? [t] : []));
        const windows = temporalOrderWindows(L, variant);
        check(relevant.length === n, `b=${b}: ${relevant.length} relevant symbols in ${s}`);
        relevant.forEach((t, j) => {
          check(t >= windows[j][0] && t <= windows[j][1], `b=${b}: step ${t} outside window ${j} of length ${L}`);
          hit.add(`${L}:${j}:${t - windows[j][0]}`);
        });
        const cls = relevant.reduce((c, t, j) => c + (s[t] === 'B' ? 1 << j : 0), 0);
        check(batch.y[b] === cls, `b=${b}: class ${batch.y[b]}, expected ${cls}`);
        counts[cls]++;
      }
      expect(bad).toEqual([]);
      expect([...lengths.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => T + i));
      // every offset of every window at length 40 (w = 4) and 49 (w = 4) was used
      for (const L of [40, 49])
        for (let j = 0; j < n; j++) for (let o = 0; o < 4; o++) expect(hit.has(`${L}:${j}:${o}`)).toBe(true);
      // baseline: classes are uniform, so no predictor without the sequence beats chance 1/classes
      for (const c of counts) expect(Math.abs(c / B - 1 / counts.length)).toBeLessThan(0.03);
    });
  }
});

describe('temporal order: length range (Hochreiter & Schmidhuber: 100..110)', () => {
  it('draws each length in T..maxT, keeps the windows of T, puts E at 0 and B at the last valid step', () => {
    const task = temporalOrderTask({ T: 100, maxT: 110 });
    expect(task.T).toBe(110);
    expect(task.definition).toContain('T = 100..110');
    expect(expectContract(task).mask).toBeDefined();
    const B = 1500;
    const batch = task.sample(new Rng(2), B);
    const lengths = new Set<number>();
    const { bad, check } = checker();
    for (let b = 0; b < B; b++) {
      const { s, L } = decode(batch.x, batch.mask, 110, B, 8, b, 'abcdXYEB');
      lengths.add(L);
      check(new RegExp(`^E[a-dXY]{${L - 2}}B\\.{${110 - L}}$`).test(s), `b=${b}: ${s}`);
      const rel = [...s].flatMap((ch, t) => (ch === 'X' || ch === 'Y' ? [t] : []));
      check(
        rel.length === 2 && rel[0] >= 10 && rel[0] <= 20 && rel[1] >= 50 && rel[1] <= 60,
        `b=${b}: relevant at ${rel}`,
      );
      check(batch.y[b] === (s[rel[0]] === 'Y' ? 2 : 0) + (s[rel[1]] === 'Y' ? 1 : 0), `b=${b}: class`);
    }
    expect(bad).toEqual([]);
    expect([...lengths].sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => 100 + i));
  });

  it('hand-checked sample (seed 42, T = 20..23): windows of T = 20 are 2..4 and 10..12', () => {
    const batch = temporalOrderTask({ T: 20, maxT: 23 }).sample(new Rng(42), 2);
    // L = 22: Y at 3, X at 12 → YX → class 2;  L = 23: X at 2, Y at 10 → XY → class 1
    expect(decode(batch.x, batch.mask, 23, 2, 8, 0, 'abcdXYEB')).toEqual({ s: 'EaaYdaddbcabXccdbadbaB.', L: 22 });
    expect(decode(batch.x, batch.mask, 23, 2, 8, 1, 'abcdXYEB')).toEqual({ s: 'EdXdcdcadbYdbbcbbbdbcdB', L: 23 });
    expect(Array.from(batch.y)).toEqual([2, 1]);
  });

  it('keeps the fixed-length default unchanged and rejects maxT < T', () => {
    expect(temporalOrderTask({ T: 40 }).sample(new Rng(1), 3).mask).toBeUndefined();
    // the samples the fixed-length generator drew before the length range existed (seed 5, T = 16)
    for (const [variant, s0, s1, y] of [
      ['two', 'EdXbddbaXdcbbbdB', 'EaYcddbbdXcddbaB', [0, 2]],
      ['three', 'EdXbdXbacdXbbbdB', 'EcXdbbYacddXabdB', [0, 2]],
    ] as const) {
      const batch = temporalOrderTask({ T: 16, variant }).sample(new Rng(5), 2);
      expect([0, 1].map((b) => decode(batch.x, batch.mask, 16, 2, 8, b, 'abcdXYEB').s)).toEqual([s0, s1]);
      expect(Array.from(batch.y)).toEqual(y);
    }
    expect(() => temporalOrderTask({ T: 40, maxT: 39 })).toThrow(
      /temporal-order\.maxT: expected maxT >= T = 40, found 39/,
    );
  });
});
