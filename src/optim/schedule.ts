/**
 * Learning-rate schedules as pure functions of the step (counted from 0): `opt.step(schedule(t))`.
 *
 * | schedule                         | lr at step t                                                      |
 * |----------------------------------|-------------------------------------------------------------------|
 * | constant(lr)                     | lr                                                                |
 * | stepDecay(lr, every, γ)          | lr·γ^⌊t/every⌋                                                    |
 * | exponential(lr, γ)               | lr·γᵗ                                                             |
 * | cosine(lr, total, min = 0)       | min + (lr − min)·(1 + cos(π·t/total))/2 for t < total, then min  |
 * | warmup(s, w)                     | s(t)·(t + 1)/w for t < w, then s(t)                               |
 *
 * `warmup` multiplies rather than shifts: the wrapped schedule keeps its own clock (a cosine over the whole
 * run stays a cosine over the whole run), and the ramp starts at s(0)/w and reaches s(w − 1) at t = w − 1.
 */
import { z } from 'zod';
import { checkKind, nonNegative, nonNegativeInt, parseConfig, positive, positiveInt } from './validate.js';

export type Schedule = (step: number) => number;

function check(ok: boolean, fn: string, what: string, value: number): void {
  if (!ok) throw new Error(`${fn}: ${what}, got ${value}`);
}
const isLr = (x: number): boolean => x >= 0 && x < Infinity;

export function constant(lr: number): Schedule {
  check(isLr(lr), 'constant', 'lr must be a finite number ≥ 0', lr);
  return () => lr;
}

/** PyTorch's StepLR: multiply by γ every `every` steps. */
export function stepDecay(lr: number, every: number, gamma: number): Schedule {
  check(isLr(lr), 'stepDecay', 'lr must be a finite number ≥ 0', lr);
  check(Number.isInteger(every) && every > 0, 'stepDecay', 'every must be an integer > 0', every);
  check(gamma > 0 && gamma < Infinity, 'stepDecay', 'gamma must be a finite number > 0', gamma);
  return (t) => lr * gamma ** Math.floor(t / every);
}

/** PyTorch's ExponentialLR: multiply by γ every step. */
export function exponential(lr: number, gamma: number): Schedule {
  check(isLr(lr), 'exponential', 'lr must be a finite number ≥ 0', lr);
  check(gamma > 0 && gamma < Infinity, 'exponential', 'gamma must be a finite number > 0', gamma);
  return (t) => lr * gamma ** t;
}

/** Half a cosine from lr (t = 0) down to minLr (t = totalSteps), constant afterwards. */
export function cosine(lr: number, totalSteps: number, minLr = 0): Schedule {
  check(isLr(lr), 'cosine', 'lr must be a finite number ≥ 0', lr);
  check(Number.isInteger(totalSteps) && totalSteps > 0, 'cosine', 'totalSteps must be an integer > 0', totalSteps);
  check(minLr >= 0 && minLr <= lr, 'cosine', `minLr must be in [0, lr = ${lr}]`, minLr);
  return (t) => (t >= totalSteps ? minLr : minLr + (lr - minLr) * 0.5 * (1 + Math.cos((Math.PI * t) / totalSteps)));
}

/** Linear warm-up over the first `warmupSteps` steps: s(t)·(t + 1)/warmupSteps, then s(t). 0 steps = s. */
export function warmup(schedule: Schedule, warmupSteps: number): Schedule {
  check(Number.isInteger(warmupSteps) && warmupSteps >= 0, 'warmup', 'warmupSteps must be an integer ≥ 0', warmupSteps);
  if (warmupSteps === 0) return schedule;
  return (t) => (t < warmupSteps ? schedule(t) * ((t + 1) / warmupSteps) : schedule(t));
}

// ---- configs ----------------------------------------------------------------------------------------

const common = {
  /** Peak learning rate. */
  lr: nonNegative(),
  /** Linear warm-up steps (0 = none). */
  warmup: nonNegativeInt().default(0),
};

export const scheduleConfigSchemas = {
  constant: z.strictObject({ kind: z.literal('constant'), ...common }),
  step: z.strictObject({
    kind: z.literal('step'),
    ...common,
    /** Steps between decays. */
    every: positiveInt(),
    /** Factor applied every `every` steps. */
    gamma: positive().default(0.1),
  }),
  exponential: z.strictObject({ kind: z.literal('exponential'), ...common, gamma: positive() }),
  cosine: z
    .strictObject({
      kind: z.literal('cosine'),
      ...common,
      /** Steps of the cosine (the lr is `min` from then on). */
      total: positiveInt(),
      /** Final learning rate, ≤ lr. */
      min: nonNegative().default(0),
    })
    .superRefine((c, ctx) => {
      if (c.min > c.lr)
        ctx.addIssue({ code: 'custom', path: ['min'], input: c.min, message: `must be ≤ lr (${c.lr})` });
    }),
} as const;

/** All schedule configs, discriminated by `kind` (for composing into larger config schemas). */
export const scheduleConfigSchema = z.discriminatedUnion('kind', [
  scheduleConfigSchemas.constant,
  scheduleConfigSchemas.step,
  scheduleConfigSchemas.exponential,
  scheduleConfigSchemas.cosine,
]);

/** A schedule config as written, e.g. `{ kind: 'cosine', lr: 1e-3, total: 10_000, min: 1e-5, warmup: 500 }`. */
export type ScheduleConfig = z.input<typeof scheduleConfigSchema>;
/** A schedule config with every default filled in. */
export type ResolvedScheduleConfig = z.output<typeof scheduleConfigSchema>;

const SCHEDULE_KINDS = Object.keys(scheduleConfigSchemas) as Array<keyof typeof scheduleConfigSchemas>;

/** Validate a schedule config and fill in its defaults; errors name the field and the value. */
export function resolveScheduleConfig(cfg: ScheduleConfig): ResolvedScheduleConfig {
  const kind = checkKind(cfg, SCHEDULE_KINDS, 'schedule');
  return parseConfig(scheduleConfigSchemas[kind], cfg, `schedule ${kind}`);
}

/** The schedule a config describes. */
export function scheduleFromConfig(cfg: ScheduleConfig): Schedule {
  const c = resolveScheduleConfig(cfg);
  let s: Schedule;
  switch (c.kind) {
    case 'constant':
      s = constant(c.lr);
      break;
    case 'step':
      s = stepDecay(c.lr, c.every, c.gamma);
      break;
    case 'exponential':
      s = exponential(c.lr, c.gamma);
      break;
    case 'cosine':
      s = cosine(c.lr, c.total, c.min);
      break;
  }
  return warmup(s, c.warmup);
}
