/**
 * Memory functionals (the linear targets of Jiang, Li, Li & Wang 2023, "curse of memory").
 *
 * Scalar input x_t ~ N(0, 1) i.i.d., t = 0..T−1. Target at every step ('all'):
 *   y_t = Σ_{s=0}^{t} ρ(s)·x_{t−s}
 * with the memory kernel
 *   'exponential':  ρ(s) ∝ e^(−s/τ)           (parameter `tau`)
 *   'polynomial':   ρ(s) ∝ (1 + s)^(−p)        (parameter `p`)
 * normalised over the horizon so that Σ_{s=0}^{T−1} ρ(s)² = 1 (the last target then has unit variance;
 * earlier ones see only the first t+1 terms). Loss MSE.
 * Baseline: predicting 0 (the mean); its MSE is the mean target variance, computed exactly:
 *   baseline = (1/T) Σ_{t=0}^{T−1} Σ_{s=0}^{t} ρ(s)²  =  (1/T) Σ_{s=0}^{T−1} (T − s)·ρ(s)².
 * Solved: MSE < 0.01 × baseline (our choice).
 * The exponential target is computed by its recursion y_t = e^(−1/τ)·y_{t−1} + ρ(0)·x_t, the polynomial
 * one by the direct sum (O(T²) per sequence).
 */
import { z } from 'zod';
import type { Rng } from '../tensor/rng.js';
import { parseConfig, positiveInt, prepareBatch } from './common.js';
import type { Batch, Task } from './task.js';

export const memoryConfigSchema = z.strictObject({
  T: positiveInt().default(100).describe('sequence length (also the normalisation horizon)'),
  kernel: z.enum(['exponential', 'polynomial']).default('exponential').describe('memory kernel ρ'),
  tau: z.number().positive().default(10).describe("decay time τ of the 'exponential' kernel e^(−s/τ)"),
  p: z.number().positive().default(1).describe("exponent p of the 'polynomial' kernel (1+s)^(−p)"),
});
export type MemoryConfig = z.output<typeof memoryConfigSchema>;

export const memoryDefinition =
  'Memory functional: scalar N(0,1) inputs; the target at every step is y_t = Σ_s ρ(s)·x_{t−s} with an ' +
  'exponential (e^(−s/τ)) or polynomial ((1+s)^(−p)) memory kernel normalised to Σ ρ(s)² = 1 over the ' +
  'horizon T. MSE; baseline the mean target variance (predicting 0); solved below 0.01 × baseline.';

/** The normalised kernel ρ(0..T−1). */
export function memoryKernel(config: Partial<MemoryConfig> = {}): Float64Array {
  const c = parseConfig('memory', memoryConfigSchema, config);
  const rho = new Float64Array(c.T);
  for (let s = 0; s < c.T; s++) rho[s] = c.kernel === 'exponential' ? Math.exp(-s / c.tau) : (1 + s) ** -c.p;
  let sq = 0;
  for (let s = 0; s < c.T; s++) sq += rho[s] * rho[s];
  const k = 1 / Math.sqrt(sq);
  for (let s = 0; s < c.T; s++) rho[s] *= k;
  return rho;
}

export function memoryTask(config: Partial<MemoryConfig> = {}): Task {
  const c = parseConfig('memory', memoryConfigSchema, config);
  const { T } = c;
  const rho = memoryKernel(c);
  let baseline = 0;
  for (let s = 0; s < T; s++) baseline += (T - s) * rho[s] * rho[s];
  baseline /= T;
  const decay = Math.exp(-1 / c.tau);
  const param = c.kernel === 'exponential' ? `τ = ${c.tau}` : `p = ${c.p}`;
  return {
    name: 'memory',
    definition: `${memoryDefinition} (${c.kernel}, ${param}, T = ${T})`,
    inputSize: 1,
    outputSize: 1,
    T,
    loss: 'mse',
    target: 'all',
    metric: 'mse',
    baseline,
    baselineDescription: `predicting 0: MSE = mean target variance (1/T)·Σ_t Σ_{s≤t} ρ(s)² = ${baseline.toPrecision(4)}`,
    solvedBelow: 0.01 * baseline,
    sample(rng: Rng, B: number, out?: Batch): Batch {
      const batch = prepareBatch(out, T, B, T * B, T * B);
      const { x, y } = batch;
      rng.fillNormal(x);
      if (c.kernel === 'exponential') {
        for (let b = 0; b < B; b++) {
          let acc = 0;
          for (let t = 0; t < T; t++) {
            acc = decay * acc + rho[0] * x[t * B + b];
            y[t * B + b] = acc;
          }
        }
      } else {
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < B; b++) {
            let acc = 0;
            for (let s = 0; s <= t; s++) acc += rho[s] * x[(t - s) * B + b];
            y[t * B + b] = acc;
          }
        }
      }
      return batch;
    },
    evaluationSet: () => null,
  };
}
