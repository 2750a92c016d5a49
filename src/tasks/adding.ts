/**
 * The adding problem.
 *
 * **modern** (default; the form of Arjovsky et al. 2016, used by most later papers): sequences of length T,
 *   two input channels. channel 0: value v_t ~ U[0, 1) i.i.d.;  channel 1: marker m_t ∈ {0, 1}.
 *   Exactly two markers: p₁ ~ U{0, …, ⌊T/2⌋−1} (first half), p₂ ~ U{⌊T/2⌋, …, T−1} (second half).
 *   Target (one per sequence, read at the last step): y = v_{p₁} + v_{p₂}.  Loss MSE, target 'last'.
 *   Baseline: always answering 1 = E[y] gives MSE Var(y) = 2·(1/12) = 1/6 ≈ 0.1667. Solved: MSE < 0.01.
 *
 * **le2015** (Le, Jaitly & Hinton 2015, §4.1): values U[0, 1], a mask channel that is zero except at two
 *   steps, target the sum, fixed length T (they use T = 150, 200, 300, 400). The paper does not say where
 *   the two marked steps fall; read literally, they are two distinct steps drawn uniformly from the whole
 *   sequence (so, unlike modern, the dependency can be as short as one step: mean distance (T+1)/3).
 *   Baseline: always answering 1 gives MSE Var(v₁+v₂) = 1/6 exactly (the paper quotes "around 0.1767", which
 *   no placement rule can give: the variance of a sum of two distinct U[0,1] values is 1/6). Solved: MSE < 0.01
 *   (our rule, as for modern; the paper reports curves, not a threshold). The paper trains on a fixed set
 *   (100,000 sequences, as we read it) and tests on 10,000; here, as for every generator, each batch is fresh.
 *
 * **pascanu2013** (Pascanu, Mikolov & Bengio 2013, appendix; the authors' released generator, github.com/
 *   pascanur/trainingRNNs addition.py): each sequence has a length L ~ U{T, …, T+⌊T/10⌋−1} (L = T when
 *   T < 20; right-padded to the longest with a `mask`; the released code draws one L per minibatch, here per
 *   sequence). Values v_t ~ U[0, 1) at every valid step, markers 0 except p₁ ~ U{0, …, ⌊L/10⌋−1} and
 *   p₂ ~ U{⌊L/10⌋, …, ⌊L/10⌋+⌊4L/10⌋−1} (≈ the first half), where the marker is 1. Channels as in modern
 *   (the released code puts the marker first; the order is immaterial to a model). No start/end markers.
 *   Target y = (v_{p₁} + v_{p₂})/2 at the last valid step. Baseline: always answering 0.5 gives
 *   MSE Var(y) = 1/24 ≈ 0.0417. Pascanu et al. count a sequence as wrong when (y − ŷ)² > 0.04 and call the
 *   task solved below 1 % wrong on 10,000 fresh sequences; recur's metric is the MSE, so "solved" is
 *   MSE < (0.2/z₀.₉₉₅)² ≈ 0.00603, the MSE at which Gaussian errors exceed |0.2| exactly 1 % of the time.
 *   Requires T ≥ 10 (so that ⌊L/10⌋ ≥ 1).
 *
 * **original1997** (Hochreiter & Schmidhuber 1997, experiment 4): a length L ~ U{T, …, T+⌊T/10⌋} per
 *   sequence (right-padded with zeros to T+⌊T/10⌋ steps; `mask` marks the valid steps).
 *   channel 0: v_t ~ U[−1, 1);  channel 1: marker ∈ {−1, 0, 1}.
 *   p₁ ~ U{0, …, 9} (one of the first ten steps); p₂ uniform over the first ⌊T/2⌋−1 steps other than p₁
 *   (i.e. over {0, …, ⌊T/2⌋−1} \ {p₁}). Markers: 1 at p₁ and p₂; −1 at step 0 and at step L−1 (the
 *   start and end markers) unless marked; 0 elsewhere. A marked step 0 has its value set to 0 (the paper
 *   says "X₁"; here it applies to whichever marker lands on step 0, which can also be p₂).
 *   Target y = 0.5 + (X₁ + X₂)/4 with X_i = v_{p_i}.  Loss MSE, target 'last' (at the last valid step).
 *   Baseline: always answering 0.5 = E[y] gives MSE Var(y) = (E[X₁²] + E[X₂²])/16 with E[X²] = 1/3 unless the
 *   value was zeroed: P(p₁ = 0) = 1/10, P(p₂ = 0) = (9/10)/(⌊T/2⌋−1), so
 *   baseline = (0.9/3 + (1 − 0.9/(⌊T/2⌋−1))/3)/16 ≈ 1/25.4 (computed exactly for the given T).
 *   Solved: MSE < 0.04² = 0.0016 (an RMS error of 0.04, the paper's per-sequence error tolerance).
 *   Requires T ≥ 20 so that the first ten steps lie in the first half.
 */
import { z } from 'zod';
import type { Rng } from '../tensor/rng.js';
import { parseConfig, prepareBatch, type ConfigProblem } from './common.js';
import type { Batch, Task } from './task.js';

export const addingConfigSchema = z.strictObject({
  T: z.number().int().min(2).default(100).describe('sequence length (the minimal length for original1997)'),
  variant: z
    .enum(['modern', 'original1997', 'pascanu2013', 'le2015'])
    .default('modern')
    .describe(
      "'modern': U[0,1] values, one marker per half; 'le2015': Le et al.'s, markers anywhere; " +
        "'pascanu2013': Pascanu et al.'s, length T..1.1T, target the mean; 'original1997': Hochreiter & Schmidhuber's",
    ),
});
export type AddingConfig = z.output<typeof addingConfigSchema>;

export const addingDefinition =
  'Adding problem: two input channels (a random value and a marker); exactly two steps are marked and the ' +
  'network must output the sum of the two marked values at the end. modern: values U[0,1], one marker in ' +
  'each half, target v₁+v₂, baseline MSE 1/6 (answer 1), solved MSE < 0.01. original1997: values U[−1,1], ' +
  'length U{T..1.1T}, first marker in the first 10 steps, second in the first half, start/end markers −1, ' +
  'target 0.5+(X₁+X₂)/4, baseline its variance ≈ 0.039, solved MSE < 0.0016. le2015: two distinct marked ' +
  'steps anywhere, target v₁+v₂, baseline 1/6. pascanu2013: length U{T..1.1T}, first marker in the first ' +
  'tenth, second in [L/10, L/2), target (v₁+v₂)/2, baseline 1/24, solved MSE < 0.006 (≈ 1 % of errors > 0.2).';

/** Cross-field rules (also run by the registry's schema). */
export function addingConfigProblems(c: AddingConfig): ConfigProblem[] {
  if (c.variant === 'original1997' && c.T < 20) {
    return [
      { field: 'T', expected: 'T >= 20 for variant original1997 (first 10 steps inside the first half)', found: c.T },
    ];
  }
  if (c.variant === 'pascanu2013' && c.T < 10) {
    return [
      { field: 'T', expected: 'T >= 10 for variant pascanu2013 (a first window of ⌊T/10⌋ >= 1 steps)', found: c.T },
    ];
  }
  return [];
}

/**
 * Pascanu et al.'s success rule counts a sequence wrong when (y − ŷ)² > 0.04 and needs < 1 % wrong; for
 * Gaussian errors that is MSE < (0.2/z₀.₉₉₅)², z₀.₉₉₅ = 2.5758293035489 the two-sided 1 % normal quantile.
 */
export const PASCANU_ADDING_SOLVED_MSE = (0.2 / 2.5758293035489) ** 2;

/** Var(0.5 + (X₁+X₂)/4) for the original1997 variant at minimal length T (see the file header). */
export function originalAddingBaseline(T: number): number {
  const h = Math.floor(T / 2);
  const ex1 = 0.9 / 3;
  const ex2 = (1 - 0.9 / (h - 1)) / 3;
  return (ex1 + ex2) / 16;
}

export function addingTask(config: Partial<AddingConfig> = {}): Task {
  const c = parseConfig('adding', addingConfigSchema, config, addingConfigProblems);
  if (c.variant === 'modern') return modern(c.T);
  if (c.variant === 'le2015') return le2015(c.T);
  if (c.variant === 'pascanu2013') return pascanu2013(c.T);
  return original(c.T);
}

/** What every variant's task starts with (in this order): two channels in, the sum out at the last step, MSE. */
const shared = (variant: string, T: number) =>
  ({
    name: 'adding',
    definition: `${addingDefinition} (${variant})`,
    inputSize: 2,
    outputSize: 1,
    T,
    loss: 'mse',
    target: 'last',
    metric: 'mse',
  }) as const;

function modern(T: number): Task {
  const half = Math.floor(T / 2);
  return {
    ...shared(`variant modern, T = ${T}`, T),
    baseline: 1 / 6,
    baselineDescription: 'always answering 1 (the mean of the sum): MSE = Var(v₁+v₂) = 1/6',
    solvedBelow: 0.01,
    sample: (rng: Rng, B: number, out?: Batch): Batch =>
      sampleMarkedPair(
        rng,
        T,
        B,
        out,
        () => rng.int(half),
        () => half + rng.int(T - half),
      ),
    evaluationSet: () => null,
  };
}

function original(T: number): Task {
  const half = Math.floor(T / 2);
  const Tmax = T + Math.floor(T / 10);
  const baseline = originalAddingBaseline(T);
  return {
    ...shared(`variant original1997, T = ${T}, lengths ${T}..${Tmax}`, Tmax),
    baseline,
    baselineDescription: `always answering 0.5 (the mean target): MSE = Var(0.5 + (X₁+X₂)/4) = ${baseline.toFixed(5)}`,
    solvedBelow: 0.04 * 0.04,
    sample(rng: Rng, B: number, out?: Batch): Batch {
      const batch = prepareBatch(out, Tmax, B, Tmax * B * 2, B, { mask: true });
      const { x, y } = batch;
      const mask = batch.mask!;
      for (let b = 0; b < B; b++) {
        const L = T + rng.int(Tmax - T + 1);
        for (let t = 0; t < Tmax; t++) {
          const i = t * B + b;
          const valid = t < L;
          x[2 * i] = valid ? rng.uniformIn(-1, 1) : 0;
          x[2 * i + 1] = 0;
          mask[i] = valid ? 1 : 0;
        }
        x[b * 2 + 1] = -1; // start marker (step 0)
        x[((L - 1) * B + b) * 2 + 1] = -1; // end marker (step L−1)
        const p1 = rng.int(10);
        const k = rng.int(half - 1);
        const p2 = k < p1 ? k : k + 1; // the k-th of {0, …, half−1} \ {p1}
        y[b] = 0.5 + (mark(x, p1, B, b) + mark(x, p2, B, b)) / 4;
      }
      return batch;
    },
    evaluationSet: () => null,
  };
}

function le2015(T: number): Task {
  return {
    ...modern(T),
    definition: `${addingDefinition} (variant le2015, T = ${T})`,
    baselineDescription: 'always answering 1 (the mean of the sum): MSE = Var(v₁+v₂) = 1/6 (Le et al. quote ≈ 0.1767)',
    sample: (rng: Rng, B: number, out?: Batch): Batch =>
      sampleMarkedPair(
        rng,
        T,
        B,
        out,
        () => rng.int(T),
        (p1) => {
          const k = rng.int(T - 1);
          return k < p1 ? k : k + 1; // uniform over the other T − 1 steps
        },
      ),
  };
}

function pascanu2013(T: number): Task {
  const extra = Math.max(0, Math.floor(T / 10) - 1);
  const Tmax = T + extra;
  return {
    ...shared(`variant pascanu2013, T = ${T}, lengths ${T}..${Tmax}`, Tmax),
    baseline: 1 / 24,
    baselineDescription: 'always answering 0.5 (the mean target): MSE = Var((v₁+v₂)/2) = 1/24',
    solvedBelow: PASCANU_ADDING_SOLVED_MSE,
    sample(rng: Rng, B: number, out?: Batch): Batch {
      const batch = prepareBatch(out, Tmax, B, Tmax * B * 2, B, { mask: extra > 0 });
      const { x, y, mask } = batch;
      for (let b = 0; b < B; b++) {
        const L = T + rng.int(extra + 1);
        for (let t = 0; t < Tmax; t++) {
          const i = t * B + b;
          x[2 * i] = t < L ? rng.uniform() : 0;
          x[2 * i + 1] = 0;
          if (mask) mask[i] = t < L ? 1 : 0;
        }
        const w = Math.floor(L / 10);
        const p1 = rng.int(w);
        const p2 = w + rng.int(Math.floor((4 * L) / 10));
        x[(p1 * B + b) * 2 + 1] = 1;
        x[(p2 * B + b) * 2 + 1] = 1;
        y[b] = (x[(p1 * B + b) * 2] + x[(p2 * B + b) * 2]) / 2;
      }
      return batch;
    },
    evaluationSet: () => null,
  };
}

/** Mark step p of sequence b (value zeroed when p = 0, as in the paper); returns the marked value. */
function mark(x: Float64Array, p: number, B: number, b: number): number {
  const i = p * B + b;
  x[2 * i + 1] = 1;
  if (p === 0) x[2 * i] = 0;
  return x[2 * i];
}

/**
 * A batch of fixed length T: values uniform in [0, 1), two positions per sequence marked (first(), then
 * second(p1), drawn in that order), target their sum. x (T, B, 2), y (B, 1).
 */
function sampleMarkedPair(
  rng: Rng,
  T: number,
  B: number,
  out: Batch | undefined,
  first: () => number,
  second: (p1: number) => number,
): Batch {
  const batch = prepareBatch(out, T, B, T * B * 2, B);
  const { x, y } = batch;
  for (let i = 0; i < T * B; i++) {
    x[2 * i] = rng.uniform();
    x[2 * i + 1] = 0;
  }
  for (let b = 0; b < B; b++) {
    const p1 = first();
    const p2 = second(p1);
    x[(p1 * B + b) * 2 + 1] = 1;
    x[(p2 * B + b) * 2 + 1] = 1;
    y[b] = x[(p1 * B + b) * 2] + x[(p2 * B + b) * 2];
  }
  return batch;
}
