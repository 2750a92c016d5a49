/**
 * The chaos task's baselines, estimated once per task instance from batches drawn with a fixed seed:
 *
 *   persistence (full observation): predict y_t = the current value of the predicted coordinate(s);
 *     MSE = mean over counted steps, sequences and outputs of (u_p(t+k) − u_p(t))².
 *   best memoryless predictor (partial observation): the best any function of the current observation
 *     o_t alone can do is the conditional mean E[u_p(t+k) | o_t]; its MSE is E[Var(u_p(t+k) | o_t)],
 *     averaged over the predicted outputs. Estimated by binning o_t into 200 equal bins on [−3, 3] (the
 *     scaled Lorenz coordinates lie within ±2.8) and pooling the within-bin variance of each target.
 *     Pairs come from the task's own sampler (fixed seed 'chaos-memoryless', counted steps only) until
 *     1.5·10⁵ are pooled (about 2,000 sequences at T = 100) or 2,048 sequences were drawn. The sequences are the independent units, so the
 *     relative standard error is about 2 %. Bias: the in-sample bin means lower it by about (bins/N)·Var
 *     ≈ 0.1 %; the conditional mean's variation inside a bin (width 0.03) raises it by less than 10⁻⁴.
 *     Tested against an independent large sample (test/tasks/chaos.test.ts). (The task's distribution,
 *     10 time units after a start in a box, is not yet the invariant measure: long trajectories give ≈ 0.425
 *     for z from x where the task gives ≈ 0.403; the baseline is the task's.)
 */
import { Rng } from '../tensor/rng.js';
import type { Batch } from './task.js';

type Sampler = (rng: Rng, B: number, out?: Batch) => Batch;

/** Which outputs each target channel persists from: y channel j is compared with x channel `from[j]`. */
export function persistenceMse(sample: Sampler, from: readonly number[], washout: number): number {
  const rng = new Rng('chaos-baseline');
  let batch: Batch | undefined;
  let sum = 0;
  let count = 0;
  const O = from.length;
  for (let i = 0; i < 4; i++) {
    batch = sample(rng, 128, batch);
    const I = batch.x.length / (batch.T * batch.B);
    for (let r = washout * batch.B; r < batch.T * batch.B; r++) {
      for (let j = 0; j < O; j++) sum += (batch.y[r * O + j] - batch.x[r * I + from[j]]) ** 2;
    }
    count += (batch.T - washout) * batch.B * O;
  }
  return sum / count;
}

const BINS = 200;
const LO = -3;
const HI = 3;

/** E[Var(y | x)] for a one-channel observation x, pooled over counted steps; averaged over the outputs. */
export function memorylessMse(sample: Sampler, washout: number): number {
  const rng = new Rng('chaos-memoryless');
  let batch: Batch | undefined;
  let sum: Float64Array | undefined;
  let sumSq: Float64Array | undefined;
  const count = new Float64Array(BINS);
  let O = 1;
  let pairs = 0;
  for (let drawn = 0; pairs < 1.5e5 && drawn < 2048; drawn += 128) {
    batch = sample(rng, 128, batch);
    O = batch.y.length / (batch.T * batch.B);
    sum ??= new Float64Array(BINS * O);
    sumSq ??= new Float64Array(BINS * O);
    for (let r = washout * batch.B; r < batch.T * batch.B; r++) {
      const bin = Math.min(BINS - 1, Math.max(0, Math.floor(((batch.x[r] - LO) / (HI - LO)) * BINS)));
      count[bin]++;
      for (let j = 0; j < O; j++) {
        const v = batch.y[r * O + j];
        sum[bin * O + j] += v;
        sumSq[bin * O + j] += v * v;
      }
    }
    pairs += (batch.T - washout) * batch.B;
  }
  let residual = 0;
  for (let bin = 0; bin < BINS; bin++) {
    if (count[bin] === 0) continue;
    for (let j = 0; j < O; j++) residual += sumSq![bin * O + j] - sum![bin * O + j] ** 2 / count[bin];
  }
  return residual / (pairs * O);
}
