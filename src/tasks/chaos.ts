/**
 * Chaotic time series: read a trajectory, predict its value k steps ahead at every step — or, observing one
 * Lorenz coordinate, infer another (a task that needs memory).
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
 *
 * **Forecasting** (default, observe = predict = 'all'): inputs x_t = u_t and targets y_t = u_{t+k}
 * (k = `horizon`, default 1), t = 0..T−1, both [T, B, D]; loss MSE at every step ('all'). The full state
 * is observed, so the target is a function of the current input: this form needs no memory.
 * Baseline: persistence, predicting y_t = u_t; its MSE (mean over steps, sequences and channels) is
 * estimated once at construction from 512 sequences drawn with the fixed seed 'chaos-baseline'.
 *
 * **Observer** (Lorenz, `observe` one of 'x', 'y', 'z'): the input is that one scaled coordinate, the
 * target y_t the `predict`ed coordinate(s) at t + k (k ≥ 0; k = 0 infers the unobserved coordinate now) —
 * the "reservoir observer" setting of Lu, Pathak, Hunt, Girvan, Brockett & Ott 2017 (Chaos 27, 041102). By
 * Takens' theorem the history of x (or y) determines the state, so a model with memory can reach a small
 * error (a nearest-neighbour predictor on 4 delayed values of x, history 30 steps at stride 1, reaches
 * MSE < 10⁻³ × baseline for z from x), while no function of the current input alone can: the baseline is
 * the best memoryless predictor, E[Var(target | current input)], estimated at construction (see
 * chaos-baselines.ts; relative standard error about 2 %): ≈ 0.41 for z from x (Var z ≈ 0.74), 0.18 for y
 * from x, 0.71 for z from y (T = 100, stride 1, burn-in 1000).
 * Observing z cannot tell x from −x (Lorenz-63 is symmetric under (x, y) → (−x, −y), and z's history is
 * invariant), so `observe: 'z'` with x or y predicted is rejected as unidentifiable.
 * `washout`: the first steps carry no target (a `lossMask`), since no observer can know the hidden state
 * before it has seen enough history; default 0 when the full state is observed, else ⌈25/stride⌉ steps
 * (0.25 time units; the nearest-neighbour predictor above needs 10 steps at stride 1).
 *
 * Solved (every form): MSE < 0.01 × baseline (our choice).
 */
import { z } from 'zod';
import type { Rng } from '../tensor/rng.js';
import { memorylessMse, persistenceMse } from './chaos-baselines.js';
import { parseConfig, positiveInt, prepareBatch, type ConfigProblem } from './common.js';
import type { Batch, Task } from './task.js';

const COORDS = ['all', 'x', 'y', 'z'] as const;
type Coord = (typeof COORDS)[number];
const channels = (c: Coord): number[] => (c === 'all' ? [0, 1, 2] : [COORDS.indexOf(c) - 1]);

export const chaosConfigSchema = z.strictObject({
  system: z.enum(['logistic', 'lorenz']).default('logistic').describe("'logistic' map or 'lorenz' (Lorenz-63)"),
  T: positiveInt().default(100).describe('sequence length'),
  horizon: z
    .number()
    .int()
    .min(0)
    .default(1)
    .describe('k: predict the value k observations ahead (0 only for an observer)'),
  r: z.number().gt(1).max(4).default(4).describe('logistic map parameter r (for r <= 1 the map collapses to 0)'),
  stride: positiveInt().default(1).describe('Lorenz: RK4 steps (dt = 0.01) per observation'),
  burnIn: z.number().int().min(0).default(1000).describe('Lorenz: RK4 steps discarded before the first observation'),
  observe: z.enum(COORDS).default('all').describe("Lorenz: the coordinate the model sees ('all': the full state)"),
  predict: z.enum(COORDS).default('all').describe("Lorenz: the coordinate(s) to output ('all': x, y and z)"),
  washout: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('first steps without a target (default 0, or 25/stride when observing one coordinate)'),
});
export type ChaosConfig = z.output<typeof chaosConfigSchema>;

export const chaosDefinition =
  'Chaotic prediction: a trajectory of the logistic map (r = 4) or of Lorenz-63 (RK4, dt = 0.01, started ' +
  'on the attractor after a burn-in, scaled to unit range); at every step predict the value k steps ahead. ' +
  'MSE; baseline the persistence MSE (predict the current value); solved below 0.01 × baseline. Observer ' +
  '(Lorenz, observe one coordinate, predict another, needs memory): baseline the best memoryless MSE ' +
  'E[Var(target | current input)], e.g. ≈ 0.41 for z from x; the first `washout` steps carry no target.';

/** The washout a config resolves to (see the file header). */
export function chaosWashout(c: ChaosConfig): number {
  return c.washout ?? (c.observe === 'all' ? 0 : Math.ceil(25 / c.stride));
}

/** Cross-field rules (also run by the registry's schema). */
export function chaosConfigProblems(c: ChaosConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (chaosWashout(c) >= c.T)
    problems.push({ field: 'washout', expected: `fewer than T = ${c.T} steps`, found: chaosWashout(c) });
  if (c.system === 'logistic') {
    for (const field of ['observe', 'predict'] as const) {
      if (c[field] !== 'all')
        problems.push({ field, expected: "'all' for the logistic map (one channel)", found: c[field] });
    }
    if (c.horizon === 0)
      problems.push({
        field: 'horizon',
        expected: '>= 1 for the logistic map (else the target is the input)',
        found: 0,
      });
    return problems;
  }
  if (c.horizon === 0 && (c.observe === 'all' || c.observe === c.predict)) {
    problems.push({
      field: 'horizon',
      expected: '>= 1 unless observing one coordinate and predicting another (else the target is the input)',
      found: 0,
    });
  }
  if (c.observe === 'z' && c.predict !== 'z') {
    problems.push({
      field: 'predict',
      expected: "'z' when observing z (the sign of x and y is unidentifiable from z)",
      found: c.predict,
    });
  }
  return problems;
}

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
  return (
    v < tol || v > 1 - tol || Math.abs(v - 0.5) < tol || Math.abs(v - 1 / r) < tol || Math.abs(v - (1 - 1 / r)) < tol
  );
}

export function chaosTask(config: Partial<ChaosConfig> = {}): Task {
  const c = parseConfig('chaos', chaosConfigSchema, config, chaosConfigProblems);
  const { T, horizon: k } = c;
  const D = c.system === 'logistic' ? 1 : 3;
  const seen = c.system === 'logistic' ? [0] : channels(c.observe); // trajectory channels fed as input
  const wanted = c.system === 'logistic' ? [0] : channels(c.predict); // trajectory channels predicted
  const I = seen.length;
  const O = wanted.length;
  const washout = chaosWashout(c);
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
    const batch = prepareBatch(out, T, B, T * B * I, T * B * O, { lossMask: washout > 0 });
    const { x, y, lossMask } = batch;
    for (let b = 0; b < B; b++) {
      trajectory(rng);
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < I; i++) x[(t * B + b) * I + i] = u[t * D + seen[i]];
        for (let j = 0; j < O; j++) y[(t * B + b) * O + j] = u[(t + k) * D + wanted[j]];
        if (lossMask) lossMask[t * B + b] = t < washout ? 0 : 1;
      }
    }
    return batch;
  };

  const observer = I === 1 && c.system === 'lorenz';
  const baseline = observer ? memorylessMse(sample, washout) : persistenceMse(sample, wanted, washout);
  const what =
    c.system === 'logistic'
      ? `logistic map, r = ${c.r}`
      : `Lorenz-63, stride ${c.stride}, burn-in ${c.burnIn}` +
        (observer || O < 3 ? `, observe ${c.observe}, predict ${c.predict}` : '') +
        (washout > 0 ? `, washout ${washout}` : '');
  return {
    name: 'chaos',
    definition: `${chaosDefinition} (${what}, T = ${T}, horizon ${k})`,
    inputSize: I,
    outputSize: O,
    T,
    loss: 'mse',
    target: 'all',
    metric: 'mse',
    baseline,
    baselineDescription: observer
      ? `the best memoryless predictor E[target | current input]: MSE ≈ ${baseline.toPrecision(4)} ` +
        `(binned estimate with the fixed seed 'chaos-memoryless')`
      : `persistence (predict the current value): MSE ≈ ${baseline.toPrecision(4)} ` +
        `(estimated with the fixed seed 'chaos-baseline')`,
    solvedBelow: 0.01 * baseline,
    sample,
    evaluationSet: () => null,
  };
}
