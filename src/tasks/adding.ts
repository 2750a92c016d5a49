/**
 * The adding problem.
 *
 * **modern** (default; Le et al. 2015, Arjovsky et al. 2016): sequences of length T, two input channels.
 *   channel 0: value v_t ~ U[0, 1) i.i.d.;  channel 1: marker m_t ∈ {0, 1}.
 *   Exactly two markers: p₁ ~ U{0, …, ⌊T/2⌋−1} (first half), p₂ ~ U{⌊T/2⌋, …, T−1} (second half).
 *   Target (one per sequence, read at the last step): y = v_{p₁} + v_{p₂}.  Loss MSE, target 'last'.
 *   Baseline: always answering 1 = E[y] gives MSE Var(y) = 2·(1/12) = 1/6 ≈ 0.1667. Solved: MSE < 0.01.
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
    .enum(['modern', 'original1997'])
    .default('modern')
    .describe("'modern': U[0,1] values, one marker per half; 'original1997': Hochreiter & Schmidhuber's form"),
});
export type AddingConfig = z.output<typeof addingConfigSchema>;

export const addingDefinition =
  'Adding problem: two input channels (a random value and a marker); exactly two steps are marked and the ' +
  'network must output the sum of the two marked values at the end. modern: values U[0,1], one marker in ' +
  'each half, target v₁+v₂, baseline MSE 1/6 (answer 1), solved MSE < 0.01. original1997: values U[−1,1], ' +
  'length U{T..1.1T}, first marker in the first 10 steps, second in the first half, start/end markers −1, ' +
  'target 0.5+(X₁+X₂)/4, baseline its variance ≈ 0.039, solved MSE < 0.0016.';

/** Cross-field rules (also run by the registry's schema). */
export function addingConfigProblems(c: AddingConfig): ConfigProblem[] {
  return c.variant === 'original1997' && c.T < 20
    ? [{ field: 'T', expected: 'T >= 20 for variant original1997 (first 10 steps inside the first half)', found: c.T }]
    : [];
}

/** Var(0.5 + (X₁+X₂)/4) for the original1997 variant at minimal length T (see the file header). */
export function originalAddingBaseline(T: number): number {
  const h = Math.floor(T / 2);
  const ex1 = 0.9 / 3;
  const ex2 = (1 - 0.9 / (h - 1)) / 3;
  return (ex1 + ex2) / 16;
}

export function addingTask(config: Partial<AddingConfig> = {}): Task {
  const c = parseConfig('adding', addingConfigSchema, config, addingConfigProblems);
  return c.variant === 'modern' ? modern(c.T) : original(c.T);
}

function modern(T: number): Task {
  const half = Math.floor(T / 2);
  return {
    name: 'adding',
    definition: `${addingDefinition} (variant modern, T = ${T})`,
    inputSize: 2,
    outputSize: 1,
    T,
    loss: 'mse',
    target: 'last',
    metric: 'mse',
    baseline: 1 / 6,
    baselineDescription: 'always answering 1 (the mean of the sum): MSE = Var(v₁+v₂) = 1/6',
    solvedBelow: 0.01,
    sample(rng: Rng, B: number, out?: Batch): Batch {
      const batch = prepareBatch(out, T, B, T * B * 2, B);
      const { x, y } = batch;
      for (let i = 0; i < T * B; i++) {
        x[2 * i] = rng.uniform();
        x[2 * i + 1] = 0;
      }
      for (let b = 0; b < B; b++) {
        const p1 = rng.int(half);
        const p2 = half + rng.int(T - half);
        x[(p1 * B + b) * 2 + 1] = 1;
        x[(p2 * B + b) * 2 + 1] = 1;
        y[b] = x[(p1 * B + b) * 2] + x[(p2 * B + b) * 2];
      }
      return batch;
    },
    evaluationSet: () => null,
  };
}

function original(T: number): Task {
  const half = Math.floor(T / 2);
  const Tmax = T + Math.floor(T / 10);
  const baseline = originalAddingBaseline(T);
  return {
    name: 'adding',
    definition: `${addingDefinition} (variant original1997, T = ${T}, lengths ${T}..${Tmax})`,
    inputSize: 2,
    outputSize: 1,
    T: Tmax,
    loss: 'mse',
    target: 'last',
    metric: 'mse',
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

/** Mark step p of sequence b (value zeroed when p = 0, as in the paper); returns the marked value. */
function mark(x: Float64Array, p: number, B: number, b: number): number {
  const i = p * B + b;
  x[2 * i + 1] = 1;
  if (p === 0) x[2 * i] = 0;
  return x[2 * i];
}
