/**
 * Part A of the flagship study: the gradient at initialisation against transition depth L.
 *
 * Source: the trials that were not trained (`training.steps = 0`); in a study without any (older studies),
 * the step-0 measurement of every trial on a many-to-one task (the same measurement, taken before training).
 * One *line* per task condition (T is never pooled) and model setting without its depth: family, activation,
 * gain a, highway b_T. Each trial gives one point (L, s), s = decay.init, the fitted per-step slope of
 * log‖∂L/∂h_t‖ against lag. An exploding trial (the interval decay.init.lo … hi above 0) keeps its point: s is then the
 * growth rate fitted over the finite part of the curve, and the point is marked, never dropped.
 *
 *   per-layer rate   s = b + c·L by least squares with intercept over all the line's trials; c(a) with its
 *                    95% t interval (n − 2 degrees of freedom) and R²
 *   prediction       the ‖A‖^{LT} argument: ‖∂h_T/∂h_t‖ ~ a^{L(T−t)}, i.e. s = L·log a, c = log a, b = 0
 *   Lyapunov         the top Lyapunov exponent per time step divided by L (mean over trials, 95% CI)
 */
import { explodingOf } from '../diagnostics/gradient-decay.js';
import { fitLine, type LineFit } from '../diagnostics/stats.js';
import { isUntrained, type StudyData, type TaskInfo, type TrialView } from './data.js';
import { estimate, type Estimate } from './stats.js';

export interface DepthPoint {
  view: TrialView;
  L: number;
  seed: number;
  /** decay.init: per-step slope (growth rate when exploding). */
  s: number;
  exploding: boolean;
  /** Top Lyapunov exponent per step at initialisation (null when not measured). */
  lyapunov: number | null;
}

export interface DepthLine {
  key: string;
  task: TaskInfo;
  /** Family (plain, shortcut, residual, highway, +LN) and its label with activation and settings. */
  family: string;
  label: string;
  activation: string;
  gain: number;
  transformBias: string | null;
  points: DepthPoint[];
  depths: number[];
  /** s against L with intercept (null with fewer than 3 points or one depth). */
  fit: LineFit | null;
  exploding: number;
  /** Trials of this line whose decay was not recorded (no slope could be fitted). */
  missing: number;
  /** Top Lyapunov exponent / L over the line's trials. */
  lyapunovPerLayer: Estimate | null;
}

/** The trials Part A analyses: untrained ones, else every step-0 measurement on many-to-one tasks. */
export function depthSource(data: StudyData): TrialView[] {
  const deep = data.trials.filter((v) => v.model.deep);
  const untrained = deep.filter(isUntrained);
  return untrained.length ? untrained : deep.filter((v) => v.task.target === 'last');
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Group Part A trials into lines and fit each line's per-layer rate. */
export function depthLines(data: StudyData): DepthLine[] {
  const acc = new Map<string, { task: TaskInfo; first: TrialView; views: TrialView[] }>();
  for (const v of depthSource(data)) {
    const key = [v.task.key, v.model.name, v.model.variant, v.model.activation].join('\u0000');
    const e = acc.get(key) ?? { task: v.task, first: v, views: [] };
    e.views.push(v);
    acc.set(key, e);
  }
  const lines: DepthLine[] = [];
  for (const [key, { task, first, views }] of acc) {
    const points: DepthPoint[] = [];
    for (const v of views) {
      const s = num(v.trial.summary?.['decay.init']);
      if (s === null) continue;
      points.push({
        view: v,
        L: v.model.depth,
        seed: v.trial.seed,
        s,
        // beyond noise: the interval's lower end above 0 (the stored flag where no interval was stored)
        exploding: exploding(v.trial.summary ?? {}, s),
        lyapunov: num(v.trial.summary?.['lyapunov.init']),
      });
    }
    const depths = [...new Set(points.map((p) => p.L))].sort((a, b) => a - b);
    const fit =
      points.length >= 3 && depths.length >= 2
        ? fitLine(
            points.map((p) => p.L),
            points.map((p) => p.s),
          )
        : null;
    const m = first.model;
    lines.push({
      key,
      task,
      family: m.family,
      label: m.variant,
      activation: m.activation,
      gain: m.gain,
      transformBias: m.transformBias,
      points,
      depths,
      fit,
      exploding: points.filter((p) => p.exploding).length,
      missing: views.length - points.length,
      lyapunovPerLayer: estimate(points.map((p) => (p.lyapunov === null ? null : p.lyapunov / p.L))),
    });
  }
  const famRank = (f: string) =>
    ['plain', 'shortcut', 'residual', 'residual+LN', 'highway', 'highway+LN'].indexOf(f) >>> 0;
  return lines.sort(
    (a, b) =>
      a.task.order - b.task.order ||
      (a.task.T ?? 0) - (b.task.T ?? 0) ||
      a.activation.localeCompare(b.activation) ||
      famRank(a.family) - famRank(b.family) ||
      a.label.localeCompare(b.label) ||
      a.gain - b.gain,
  );
}

/** Per-seed decay at depth L of a line (exploding runs included, with their growth rate). */
export function slopesBySeed(line: DepthLine, L: number): Map<number, number> {
  return new Map(line.points.filter((p) => p.L === L).map((p) => [p.seed, p.s]));
}

/** The plain line a variant is compared with: same task condition, activation and gain. */
export function plainPartner(lines: readonly DepthLine[], line: DepthLine): DepthLine | null {
  return (
    lines.find(
      (l) =>
        l.family === 'plain' &&
        l.task.key === line.task.key &&
        l.activation === line.activation &&
        l.gain === line.gain,
    ) ?? null
  );
}

/** Mean decay per depth of a line, with its 95% CI over trials and whether any trial there exploded. */
export function depthMeans(line: DepthLine): { L: number; e: Estimate; exploding: number }[] {
  return line.depths.map((L) => {
    const at = line.points.filter((p) => p.L === L);
    return { L, e: estimate(at.map((p) => p.s))!, exploding: at.filter((p) => p.exploding).length };
  });
}

/** A trial's gradient explodes when its decay interval lies above 0; without an interval, its stored flag says. */
function exploding(summary: Record<string, number | null>, s: number): boolean {
  const lo = num(summary['decay.init.lo']);
  return lo === null ? summary['decay.init.exploding'] === 1 : explodingOf(s, lo) === 1;
}
