/**
 * Temporal order: classify the order of 2 (or 3) relevant symbols hidden among distractors.
 *
 * **'two' / 'three'** (default 'two'; Hochreiter & Schmidhuber 1997, experiments 6a/6b).
 * Input symbols, one-hot over 8 classes: 0..3 = the distractors a, b, c, d; 4 = X; 5 = Y; 6 = E (start);
 * 7 = B (end, the "trigger"). A sequence of length L (steps 0..L−1) has E at step 0, B at step L−1, and a
 * uniformly random distractor at every other step except the relevant steps t_1 < t_2 (< t_3), each
 * holding X or Y with probability 1/2. The relevant steps are uniform in windows scaled from the paper's
 * (which are, for lengths 100..110: 10..20, 50..60 for 6a; 10..20, 33..43, 66..76 for 6b):
 *   'two':   t_1 ∈ [⌊0.10T⌋, ⌊0.20T⌋], t_2 ∈ [⌊0.50T⌋, ⌊0.60T⌋]                         (4 classes)
 *   'three': t_1 ∈ [⌊0.10T⌋, ⌊0.20T⌋], t_2 ∈ [⌊0.33T⌋, ⌊0.43T⌋], t_3 ∈ [⌊0.66T⌋, ⌊0.76T⌋] (8 classes)
 * (inclusive bounds, from the minimal length T; at T = 100 these are the paper's windows as 0-based steps).
 * Class: the X/Y pattern read as binary with X = 0, Y = 1 and the first relevant symbol most significant
 * (two: XX→0, XY→1, YX→2, YY→3, the paper's Q, R, S, U; three: XXX→0 … YYY→7, the paper's Q … C).
 * Length: L = T by default; the paper's random length (100..110 for T = 100) is `maxT: 110`.
 *
 * **'pascanu2013' / 'pascanu2013-3bit'** (Pascanu, Mikolov & Bengio 2013, appendix: "temporal order" and
 * "3-bit temporal order"). Definitions follow the authors' released generators (github.com/pascanur/
 * trainingRNNs, tempOrder.py and tempOrder3bit.py), which produced the paper's results:
 * one-hot over 6 symbols: 0 = A, 1 = B (relevant), 2..5 = c, d, e, f (distractors); no start or end symbol.
 * For a sequence of length L, with w = ⌊L/10⌋, the relevant steps are
 *   'pascanu2013':      p_1 ∈ [w, 2w−1],  p_2 ∈ [⌊5L/10⌋, ⌊5L/10⌋+w−1]                           (4 classes)
 *   'pascanu2013-3bit': p_1 ∈ [w, 2w−1],  p_2 ∈ [⌊3L/10⌋, ⌊3L/10⌋+w−1],  p_3 ∈ [⌊6L/10⌋, ⌊6L/10⌋+w−1] (8 classes)
 * each A or B with probability 1/2 (v_j = 0 or 1); every other step a uniform distractor.
 * Class Σ_j v_j·2^(j−1): the *first* symbol is the least significant bit, as in the authors' code
 * (AA→0, BA→1, AB→2, BB→3). (The tempOrder.py docstring says "[1, L/10]" for p_1; its code, followed here,
 * uses [L/10, 2L/10).) The windows scale with each sequence's own length L. The released script draws one
 * length per minibatch from U{50, …, 199}; here each sequence draws its own L from U{T, …, maxT} (so
 * `T: 50, maxT: 199` is that range) and is right-padded with zero inputs and a `mask`.
 *
 * All variants: lengths L ~ U{T, …, maxT} (default maxT = T: fixed length, no mask); loss cross-entropy on
 * the class at the last valid step ('last'); metric accuracy. Baseline: chance, accuracy 1/classes
 * (cross-entropy ln classes). Solved: accuracy > 0.99 (Pascanu et al.: error < 1 % on fresh sequences).
 * Requires T ≥ 10 (disjoint windows clear of the start and end steps; w ≥ 1).
 */
import { z } from 'zod';
import type { Rng } from '../tensor/rng.js';
import { intInclusive, parseConfig, prepareBatch, type ConfigProblem } from './common.js';
import type { Batch, Task } from './task.js';

const VARIANTS = ['two', 'three', 'pascanu2013', 'pascanu2013-3bit'] as const;
export type TemporalOrderVariant = (typeof VARIANTS)[number];

export const temporalOrderConfigSchema = z.strictObject({
  T: z.number().int().min(10).default(100).describe('sequence length (the shortest when maxT is given)'),
  variant: z
    .enum(VARIANTS)
    .default('two')
    .describe(
      "'two'/'three': Hochreiter & Schmidhuber 1997 (2 or 3 relevant symbols, 4 or 8 classes); " +
        "'pascanu2013'/'pascanu2013-3bit': Pascanu et al. 2013's temporal order and 3-bit temporal order",
    ),
  maxT: z
    .number()
    .int()
    .min(10)
    .optional()
    .describe('longest sequence: lengths uniform in T..maxT, right-padded with a mask (default T)'),
});
export type TemporalOrderConfig = z.output<typeof temporalOrderConfigSchema>;

export const temporalOrderDefinition =
  'Temporal order: a sequence of random distractors with 2 (or 3) relevant symbols at random steps in fixed ' +
  'windows; at the end, classify their pattern (4 or 8 classes). two/three (Hochreiter & Schmidhuber 1997): ' +
  'distractors a..d between a start symbol E and an end symbol B, relevant X/Y in 10–20 % and 50–60 % of T ' +
  '(or 10–20 %, 33–43 %, 66–76 %). pascanu2013(-3bit) (Pascanu et al. 2013): distractors c..f, relevant A/B in ' +
  '[L/10, 2L/10) and [5L/10, 6L/10) (or [L/10, 2L/10), [3L/10, 4L/10), [6L/10, 7L/10)), no start/end symbols. ' +
  'Lengths uniform in T..maxT (masked). Baseline accuracy 1/classes (xent ln classes); solved at accuracy > 0.99.';

/** The symbol indices of the one-hot input of the 'two'/'three' variants. */
export const TEMPORAL_ORDER_SYMBOLS = { a: 0, b: 1, c: 2, d: 3, X: 4, Y: 5, E: 6, B: 7 } as const;
/** The symbol indices of the one-hot input of the 'pascanu2013' variants. */
export const PASCANU_ORDER_SYMBOLS = { A: 0, B: 1, c: 2, d: 3, e: 4, f: 5 } as const;

/** Cross-field rules (also run by the registry's schema). */
export function temporalOrderConfigProblems(c: TemporalOrderConfig): ConfigProblem[] {
  return c.maxT !== undefined && c.maxT < c.T ? [{ field: 'maxT', expected: `maxT >= T = ${c.T}`, found: c.maxT }] : [];
}

/**
 * The windows [lo, hi] (inclusive, 0-based steps) of the relevant symbols: for 'two'/'three' from the
 * minimal length T, for the Pascanu variants from the sequence's own length (pass it as T).
 */
export function temporalOrderWindows(T: number, variant: TemporalOrderVariant): [number, number][] {
  if (variant === 'pascanu2013' || variant === 'pascanu2013-3bit') {
    const w = Math.floor(T / 10); // exact integer arithmetic (equals Python's int(T*.1) for T ≤ 1000, checked)
    const starts =
      variant === 'pascanu2013' ? [w, Math.floor(T / 2)] : [w, Math.floor((3 * T) / 10), Math.floor((6 * T) / 10)];
    return starts.map((s) => [s, s + w - 1]);
  }
  const percents: [number, number][] =
    variant === 'two'
      ? [
          [10, 20],
          [50, 60],
        ]
      : [
          [10, 20],
          [33, 43],
          [66, 76],
        ];
  return percents.map(([a, b]) => [Math.floor((a * T) / 100), Math.floor((b * T) / 100)]); // exact integer arithmetic
}

export function temporalOrderTask(config: Partial<TemporalOrderConfig> = {}): Task {
  const c = parseConfig('temporal-order', temporalOrderConfigSchema, config, temporalOrderConfigProblems);
  const { T, variant } = c;
  const Tmax = c.maxT ?? T;
  const varying = Tmax > T;
  const pascanu = variant === 'pascanu2013' || variant === 'pascanu2013-3bit';
  const fixedWindows = temporalOrderWindows(T, variant);
  const n = fixedWindows.length;
  const classes = 1 << n;
  const I = pascanu ? 6 : 8;
  const { X, E, B: END } = TEMPORAL_ORDER_SYMBOLS;
  const where = pascanu
    ? `windows for length L = ${T}: ${fixedWindows.map(([a, b]) => `${a}..${b}`).join(', ')}, scaled with L`
    : `windows ${fixedWindows.map(([a, b]) => `${a}..${b}`).join(', ')}`;
  return {
    name: 'temporal-order',
    definition: `${temporalOrderDefinition} (variant ${variant}, T = ${varying ? `${T}..${Tmax}` : T}, ${where})`,
    inputSize: I,
    outputSize: classes,
    T: Tmax,
    loss: 'xent',
    target: 'last',
    metric: 'accuracy',
    baseline: 1 / classes,
    baselineDescription: `chance: accuracy 1/${classes} (cross-entropy ln ${classes} = ${Math.log(classes).toFixed(4)})`,
    solvedAbove: 0.99,
    sample(rng: Rng, B: number, out?: Batch): Batch {
      const batch = prepareBatch(out, Tmax, B, Tmax * B * I, B, { mask: varying });
      const { x, y, mask } = batch;
      x.fill(0);
      for (let b = 0; b < B; b++) {
        const L = varying ? intInclusive(rng, T, Tmax) : T;
        if (mask) for (let t = 0; t < Tmax; t++) mask[t * B + b] = t < L ? 1 : 0;
        if (pascanu) {
          for (let t = 0; t < L; t++) x[(t * B + b) * I + 2 + rng.int(4)] = 1;
          const windows = temporalOrderWindows(L, variant);
          let cls = 0;
          for (let j = 0; j < n; j++) {
            const t = intInclusive(rng, windows[j][0], windows[j][1]);
            const v = rng.int(2); // 0 = A, 1 = B
            const row = (t * B + b) * I;
            for (let k = 2; k < 6; k++) x[row + k] = 0; // replace the distractor
            x[row + v] = 1;
            cls += v << j; // first symbol least significant, as in the authors' code
          }
          y[b] = cls;
          continue;
        }
        x[b * I + E] = 1;
        x[((L - 1) * B + b) * I + END] = 1;
        for (let t = 1; t < L - 1; t++) x[(t * B + b) * I + rng.int(4)] = 1;
        let cls = 0;
        for (let j = 0; j < n; j++) {
          const t = intInclusive(rng, fixedWindows[j][0], fixedWindows[j][1]);
          const bit = rng.int(2); // 0 = X, 1 = Y
          const row = (t * B + b) * I;
          for (let k = 0; k < 4; k++) x[row + k] = 0; // replace the distractor
          x[row + X + bit] = 1;
          cls = cls * 2 + bit;
        }
        y[b] = cls;
      }
      return batch;
    },
    evaluationSet: () => null,
  };
}
