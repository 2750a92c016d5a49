/**
 * Temporal order (Hochreiter & Schmidhuber 1997, experiment 6a/6b).
 *
 * Input symbols, one-hot over 8 classes: 0..3 = the distractors a, b, c, d; 4 = X; 5 = Y; 6 = E (start);
 * 7 = B (end, the "trigger"). A sequence has length T (steps 0..T−1): E at step 0, B at step T−1, and a
 * uniformly random distractor at every other step except the relevant steps t_1 < t_2 (< t_3), each
 * holding X or Y with probability 1/2. The relevant steps are uniform in windows scaled from the paper's
 * (which are, for lengths 100..110: 10..20, 50..60 for 6a; 10..20, 33..43, 66..76 for 6b):
 *   variant 'two':   t_1 ∈ [⌊0.10T⌋, ⌊0.20T⌋], t_2 ∈ [⌊0.50T⌋, ⌊0.60T⌋]                         (4 classes)
 *   variant 'three': t_1 ∈ [⌊0.10T⌋, ⌊0.20T⌋], t_2 ∈ [⌊0.33T⌋, ⌊0.43T⌋], t_3 ∈ [⌊0.66T⌋, ⌊0.76T⌋] (8 classes)
 * (inclusive bounds; at T = 100 these are the paper's windows read as 0-based steps). Unlike the paper, the
 * length is fixed at T (no random 10 % extension).
 * Class: the X/Y pattern read as binary with X = 0, Y = 1 and the first relevant symbol most significant
 * (two: XX→0, XY→1, YX→2, YY→3, the paper's Q, R, S, U; three: XXX→0 … YYY→7, the paper's Q … C).
 * Loss cross-entropy on the class at the last step ('last'); metric accuracy.
 * Baseline: chance, accuracy 1/classes (cross-entropy ln classes). Solved: accuracy > 0.99.
 * Requires T ≥ 10 (so the windows are disjoint and clear of the start and end steps).
 */
import { z } from 'zod';
import type { Rng } from '../tensor/rng.js';
import { intInclusive, parseConfig, prepareBatch } from './common.js';
import type { Batch, Task } from './task.js';

export const temporalOrderConfigSchema = z.strictObject({
  T: z.number().int().min(10).default(100).describe('sequence length'),
  variant: z.enum(['two', 'three']).default('two').describe("'two' relevant symbols (4 classes) or 'three' (8 classes)"),
});
export type TemporalOrderConfig = z.output<typeof temporalOrderConfigSchema>;

export const temporalOrderDefinition =
  'Temporal order: a sequence of random distractors a..d between a start symbol E and an end symbol B, with ' +
  '2 (or 3) relevant symbols, each X or Y, at random steps in fixed windows (10–20 % and 50–60 % of T; ' +
  'or 10–20 %, 33–43 %, 66–76 %). At the end, classify the X/Y pattern (4 or 8 classes). Baseline accuracy ' +
  '1/classes (xent ln classes); solved at accuracy > 0.99.';

/** The symbol indices of the one-hot input. */
export const TEMPORAL_ORDER_SYMBOLS = { a: 0, b: 1, c: 2, d: 3, X: 4, Y: 5, E: 6, B: 7 } as const;

/** The windows [lo, hi] (inclusive, 0-based steps) of the relevant symbols for length T. */
export function temporalOrderWindows(T: number, variant: 'two' | 'three'): [number, number][] {
  const percents: [number, number][] =
    variant === 'two'
      ? [[10, 20], [50, 60]]
      : [[10, 20], [33, 43], [66, 76]];
  return percents.map(([a, b]) => [Math.floor((a * T) / 100), Math.floor((b * T) / 100)]); // exact integer arithmetic
}

export function temporalOrderTask(config: Partial<TemporalOrderConfig> = {}): Task {
  const { T, variant } = parseConfig('temporal-order', temporalOrderConfigSchema, config);
  const windows = temporalOrderWindows(T, variant);
  const n = windows.length;
  const classes = 1 << n;
  const I = 8;
  const { X, E, B: END } = TEMPORAL_ORDER_SYMBOLS;
  return {
    name: 'temporal-order',
    definition:
      `${temporalOrderDefinition} (variant ${variant}, T = ${T}, ` +
      `windows ${windows.map(([a, b]) => `${a}..${b}`).join(', ')})`,
    inputSize: I,
    outputSize: classes,
    T,
    loss: 'xent',
    target: 'last',
    metric: 'accuracy',
    baseline: 1 / classes,
    baselineDescription: `chance: accuracy 1/${classes} (cross-entropy ln ${classes} = ${Math.log(classes).toFixed(4)})`,
    solvedAbove: 0.99,
    sample(rng: Rng, B: number, out?: Batch): Batch {
      const batch = prepareBatch(out, T, B, T * B * I, B);
      const { x, y } = batch;
      x.fill(0);
      for (let b = 0; b < B; b++) {
        x[b * I + E] = 1;
        x[((T - 1) * B + b) * I + END] = 1;
        for (let t = 1; t < T - 1; t++) x[(t * B + b) * I + rng.int(4)] = 1;
        let cls = 0;
        for (let j = 0; j < n; j++) {
          const t = intInclusive(rng, windows[j][0], windows[j][1]);
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
