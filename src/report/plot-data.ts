/**
 * The tables behind the plots: aggregations over seeds, one row per mark.
 *
 * - gtt rows: ‖∂L/∂h_t‖ against lag k = T − t, each curve divided by its value at k = 0 (so curves of
 *   models with different gradient scales share an axis and only the decay shows), then the geometric mean
 *   over seeds per (model, phase, k); the theory bound (already scaled to the measured value at T) is
 *   divided by the same number.
 * - decay rows: the fitted per-step log-slope (trial summary decay.init / decay.end) per (task, variant,
 *   L): mean and 95% CI over trials, with the mean per-step theory bound at the same point
 *   (bound.perStep.init / .end, falling back to bound.perStep).
 * - loss rows: the median over seeds of the train loss at each logged step.
 */
import type { ModelInfo, StudyData, TaskInfo, TrialView } from './data.js';
import type { GttCurve, TrialGtt } from './series.js';
import { estimate, geometricMean, median } from './stats.js';

export const PHASES = { init: 'at initialisation', end: 'after training' } as const;

/** Smallest normalised gradient drawn (below this it has vanished for any practical purpose). */
export const GTT_FLOOR = 1e-16;
/** Largest normalised value on the gradient axis (a loose, growing bound would otherwise flatten the curves). */
export const GTT_CEILING = 1e4;
/** At most this many points per drawn curve (longer curves are thinned evenly). */
const MAX_POINTS = 120;

export interface GttRow {
  variant: string;
  L: number;
  phase: string;
  k: number;
  value: number;
  series: 'measured' | 'theory bound';
}

function normalised(c: GttCurve): { k: number[]; mean: number[]; bound: number[] | null } | null {
  const last = c.t.length - 1;
  const ref = c.mean[last];
  if (!(ref > 0) || !Number.isFinite(c.t[last])) return null;
  const T = c.t[last];
  return {
    k: c.t.map((t) => T - t),
    mean: c.mean.map((m) => m / ref),
    bound: c.bound ? c.bound.map((b) => b / ref) : null,
  };
}

/** Rows of the gradient-through-time figure for the trials of one task condition. */
export function gttRows(trials: readonly TrialView[], gtt: Map<string, TrialGtt>): GttRow[] {
  const acc = new Map<
    string,
    { model: ModelInfo; phase: string; series: GttRow['series']; byK: Map<number, number[]> }
  >();
  for (const v of trials) {
    const curves = gtt.get(v.trial.key);
    if (!curves) continue;
    for (const phase of ['init', 'end'] as const) {
      const c = curves[phase] && normalised(curves[phase]!);
      if (!c) continue;
      const add = (series: GttRow['series'], values: number[]) => {
        const id = `${v.model.key}\u0000${phase}\u0000${series}`;
        const entry = acc.get(id) ?? { model: v.model, phase: PHASES[phase], series, byK: new Map<number, number[]>() };
        acc.set(id, entry);
        c.k.forEach((k, i) => entry.byK.set(k, [...(entry.byK.get(k) ?? []), values[i]]));
      };
      add('measured', c.mean);
      if (c.bound) add('theory bound', c.bound);
    }
  }
  const rows: GttRow[] = [];
  for (const { model, phase, series, byK } of acc.values()) {
    const ks = [...byK.keys()].sort((a, b) => a - b);
    const stride = Math.max(1, Math.ceil(ks.length / MAX_POINTS));
    ks.forEach((k, i) => {
      if (i % stride !== 0 && i !== ks.length - 1) return;
      const value = geometricMean(byK.get(k)!);
      if (value !== null && value >= GTT_FLOOR)
        rows.push({ variant: model.variant, L: model.depth, phase, k, value, series });
    });
  }
  return rows;
}

/** The per-step bound's log at a phase: bound.perStep.<phase> when recorded, else bound.perStep (initialisation). */
export function boundAt(v: TrialView, phase: 'init' | 'end'): number | null {
  const s = v.trial.summary ?? {};
  const at = s[`bound.perStep.${phase}`];
  if (typeof at === 'number') return at;
  return phase === 'init' || !(`bound.perStep.end` in s) ? (s['bound.perStep'] ?? null) : null;
}

export interface DecayRow {
  task: string;
  phase: string;
  variant: string;
  L: number;
  n: number;
  mean: number;
  lo: number;
  hi: number;
  bound: number | null;
}

/** Rows of the decay-vs-depth figure: deep transitions only, pooled over each task name's grid values. */
export function decayRows(data: StudyData): DecayRow[] {
  const cells = new Map<string, { task: string; model: ModelInfo; trials: TrialView[] }>();
  for (const v of data.trials) {
    if (!v.model.deep) continue;
    const id = `${v.task.name}\u0000${v.model.key}`;
    const c = cells.get(id) ?? { task: v.task.name, model: v.model, trials: [] };
    c.trials.push(v);
    cells.set(id, c);
  }
  const rows: DecayRow[] = [];
  for (const { task, model, trials } of cells.values()) {
    for (const phase of ['init', 'end'] as const) {
      const e = estimate(trials.map((v) => v.trial.summary?.[`decay.${phase}`]));
      const bound = estimate(trials.map((v) => boundAt(v, phase)));
      if (e)
        rows.push({
          task,
          phase: PHASES[phase],
          variant: model.variant,
          L: model.depth,
          n: e.n,
          mean: e.mean,
          lo: e.lo,
          hi: e.hi,
          bound: bound?.mean ?? null,
        });
    }
  }
  return rows;
}

export interface LossRow {
  variant: string;
  L: number;
  step: number;
  value: number;
}

/** Median train loss over seeds per logged step, for the trials of one task condition. */
export function lossRows(
  trials: readonly TrialView[],
  series: Map<string, { step: number; value: number }[]>,
): LossRow[] {
  const acc = new Map<string, { model: ModelInfo; byStep: Map<number, number[]> }>();
  for (const v of trials) {
    const points = series.get(v.trial.key);
    if (!points) continue;
    const entry = acc.get(v.model.key) ?? { model: v.model, byStep: new Map<number, number[]>() };
    acc.set(v.model.key, entry);
    for (const p of points) entry.byStep.set(p.step, [...(entry.byStep.get(p.step) ?? []), p.value]);
  }
  const rows: LossRow[] = [];
  for (const { model, byStep } of acc.values()) {
    const steps = [...byStep.keys()].sort((a, b) => a - b);
    const stride = Math.max(1, Math.ceil(steps.length / MAX_POINTS));
    steps.forEach((step, i) => {
      if (i % stride !== 0 && i !== steps.length - 1) return;
      const m = median(byStep.get(step)!);
      if (m !== null && m > 0) rows.push({ variant: model.variant, L: model.depth, step, value: m });
    });
  }
  return rows;
}

/** The trials of one task condition. */
export function trialsOf(data: StudyData, task: TaskInfo): TrialView[] {
  return data.trials.filter((v) => v.task.key === task.key);
}
