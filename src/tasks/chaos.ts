/**
 * Chaotic time-series prediction: read a trajectory, predict its value k steps ahead at every step.
 *
 * Systems (D channels, observed values u_0, u_1, …):
 *   'logistic' (D = 1):  u_{n+1} = r·u_n·(1 − u_n), r = `r` ∈ (1, 4] (default 4). u_0 ~ U(0, 1), redrawn while
 *       within 10⁻³ of 0, 1, 1/2, 1/r or 1 − 1/r (the fixed points 0 and 1 − 1/r and their preimages).
 *       Observed as is (values in [0, 1]).
 *   'lorenz' (D = 3):  Lorenz-63, dx/dt = σ(y − x), dy/dt = x(ρ − z) − y, dz/dt = xy − βz with σ = 10,
 *       ρ = 28, β = 8/3, integrated by classical RK4 with dt = 0.01. Start (x, y, z) uniform in
 *       [−20, 20]×[−25, 25]×[5, 45], then `burnIn` steps (default 1000 = 10 time units) to reach the
 *       attractor; one observation every `stride` RK4 steps (default 1). Observed scaled to about unit
 *       range by fixed constants: (x/10, y/10, (z − 25)/10).
 * Inputs x_t = u_t and targets y_t = u_{t+k} (k = `horizon`, default 1: next-step prediction), t = 0..T−1,
 * both [T, B, D]; loss MSE at every step ('all').
 * Baseline: persistence, predicting y_t = u_t; its MSE (mean over steps, sequences and channels) is
 * estimated once at construction from 512 sequences drawn with the fixed seed 'chaos-baseline'.
 * Solved: MSE < 0.01 × baseline (our choice).
 */
import { z } from 'zod';
import { Rng } from '../tensor/rng.js';
import { parseConfig, positiveInt, prepareBatch } from './common.js';
import type { Batch, Task } from './task.js';

export const chaosConfigSchema = z.strictObject({
  system: z.enum(['logistic', 'lorenz']).default('logistic').describe("'logistic' map or 'lorenz' (Lorenz-63)"),
  T: positiveInt().default(100).describe('sequence length'),
  horizon: positiveInt().default(1).describe('k: predict the value k observations ahead'),
  r: z.number().gt(1).max(4).default(4).describe('logistic map parameter r (for r <= 1 the map collapses to 0)'),
  stride: positiveInt().default(1).describe('Lorenz: RK4 steps (dt = 0.01) per observation'),
  burnIn: z.number().int().min(0).default(1000).describe('Lorenz: RK4 steps discarded before the first observation'),
});
export type ChaosConfig = z.output<typeof chaosConfigSchema>;

export const chaosDefinition =
  'Chaotic prediction: a trajectory of the logistic map (r = 4) or of Lorenz-63 (RK4, dt = 0.01, started ' +
  'on the attractor after a burn-in, scaled to unit range); at every step predict the value k steps ahead. ' +
  'MSE; baseline the persistence MSE (predict the current value); solved below 0.01 × baseline.';

/** Lorenz-63 constants and the observation scaling. */
export const LORENZ = { sigma: 10, rho: 28, beta: 8 / 3, dt: 0.01, scale: 10, zShift: 25 } as const;

/** dx/dt of Lorenz-63 at (x, y, z), written to k[o..o+2]. */
function lorenzRate(x: number, y: number, z: number, k: Float64Array, o: number): void {
  k[o] = LORENZ.sigma * (y - x);
  k[o + 1] = x * (LORENZ.rho - z) - y;
  k[o + 2] = x * y - LORENZ.beta * z;
}

/** One classical RK4 step of Lorenz-63, in place on s = [x, y, z]; k is scratch of length 12. */
export function lorenzStep(s: Float64Array, k: Float64Array, dt: number = LORENZ.dt): void {
  const x = s[0];
  const y = s[1];
  const z = s[2];
  const h = 0.5 * dt;
  lorenzRate(x, y, z, k, 0);
  lorenzRate(x + h * k[0], y + h * k[1], z + h * k[2], k, 3);
  lorenzRate(x + h * k[3], y + h * k[4], z + h * k[5], k, 6);
  lorenzRate(x + dt * k[6], y + dt * k[7], z + dt * k[8], k, 9);
  for (let i = 0; i < 3; i++) s[i] += (dt / 6) * (k[i] + 2 * k[3 + i] + 2 * k[6 + i] + k[9 + i]);
}

/** Whether a logistic-map start lies within 10⁻³ of a point whose orbit is (eventually) fixed. */
function nearFixed(v: number, r: number): boolean {
  const tol = 1e-3;
  return v < tol || v > 1 - tol || Math.abs(v - 0.5) < tol || Math.abs(v - 1 / r) < tol || Math.abs(v - (1 - 1 / r)) < tol;
}

export function chaosTask(config: Partial<ChaosConfig> = {}): Task {
  const c = parseConfig('chaos', chaosConfigSchema, config);
  const { T, horizon: k } = c;
  const D = c.system === 'logistic' ? 1 : 3;
  const n = T + k;
  const u = new Float64Array(n * D); // one trajectory, [n, D]
  const state = new Float64Array(3);
  const scratch = new Float64Array(12);

  const trajectory = (rng: Rng): void => {
    if (c.system === 'logistic') {
      let v = rng.uniform();
      while (nearFixed(v, c.r)) v = rng.uniform();
      for (let i = 0; i < n; i++) {
        u[i] = v;
        v = c.r * v * (1 - v);
      }
      return;
    }
    state[0] = rng.uniformIn(-20, 20);
    state[1] = rng.uniformIn(-25, 25);
    state[2] = rng.uniformIn(5, 45);
    for (let i = 0; i < c.burnIn; i++) lorenzStep(state, scratch);
    for (let i = 0; i < n; i++) {
      u[3 * i] = state[0] / LORENZ.scale;
      u[3 * i + 1] = state[1] / LORENZ.scale;
      u[3 * i + 2] = (state[2] - LORENZ.zShift) / LORENZ.scale;
      for (let j = 0; j < c.stride; j++) lorenzStep(state, scratch);
    }
  };

  const sample = (rng: Rng, B: number, out?: Batch): Batch => {
    const batch = prepareBatch(out, T, B, T * B * D, T * B * D);
    const { x, y } = batch;
    for (let b = 0; b < B; b++) {
      trajectory(rng);
      for (let t = 0; t < T; t++) {
        for (let d = 0; d < D; d++) {
          x[(t * B + b) * D + d] = u[t * D + d];
          y[(t * B + b) * D + d] = u[(t + k) * D + d];
        }
      }
    }
    return batch;
  };

  const baseline = persistenceMse(sample);
  const what = c.system === 'logistic' ? `logistic map, r = ${c.r}` : `Lorenz-63, stride ${c.stride}, burn-in ${c.burnIn}`;
  return {
    name: 'chaos',
    definition: `${chaosDefinition} (${what}, T = ${T}, horizon ${k})`,
    inputSize: D,
    outputSize: D,
    T,
    loss: 'mse',
    target: 'all',
    metric: 'mse',
    baseline,
    baselineDescription:
      `persistence (predict the current value): MSE ≈ ${baseline.toPrecision(4)} ` +
      `(estimated with the fixed seed 'chaos-baseline')`,
    solvedBelow: 0.01 * baseline,
    sample,
    evaluationSet: () => null,
  };
}

/** Mean (y − x)² over 512 sequences drawn with the fixed seed 'chaos-baseline'. */
function persistenceMse(sample: (rng: Rng, B: number, out?: Batch) => Batch): number {
  const rng = new Rng('chaos-baseline');
  let batch: Batch | undefined;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < 4; i++) {
    batch = sample(rng, 128, batch);
    for (let j = 0; j < batch.x.length; j++) sum += (batch.y[j] - batch.x[j]) ** 2;
    count += batch.x.length;
  }
  return sum / count;
}
