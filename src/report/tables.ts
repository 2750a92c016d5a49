/**
 * The analysis tables, as plain data (rendered by html.ts and markdown.ts alike):
 *
 *   rates   Part A: per line (task condition, transition, activation, a): the per-layer rate c(a) of s
 *           against L with its 95% CI and R², beside log a (the ‖A‖^{LT} prediction) and the top Lyapunov
 *           exponent per step divided by L; exploding trials counted (they are in the fit)
 *   t50     Part B: per task and model: success per T, T₅₀ with its bootstrap CI or the bound the data
 *           give, the decay at initialisation and its gradient horizon, log(final / baseline) per T
 *   pilot   the learning-rate pilot: model × lr → mean final eval loss, the chosen rate marked
 * A table with no rows is not built (its section is omitted).
 */
import { depthLines } from './depth.js';
import { taskWithT, type StudyData } from './data.js';
import { BOOTSTRAP } from './logistic.js';
import { pilotTable } from './pilot.js';
import { ciText, fmt } from './stats.js';
import { HORIZON_LEVEL, modelCurves, type ModelCurve } from './trainability.js';

export interface Table {
  id: string;
  title: string;
  /** What the columns mean and how the numbers were made. */
  note: string;
  head: string[];
  /** Right-aligned (numeric) columns. */
  numeric: boolean[];
  rows: string[][];
  /** Rows to emphasise by index of a cell: [row, column] pairs (the pilot's chosen rate). */
  marked: [number, number][];
}

const f3 = (x: number | null | undefined) => fmt(x, 3);

/** Part A: c(a) against log a and the Lyapunov exponent per layer. */
export function ratesTable(data: StudyData): Table | null {
  const lines = depthLines(data).filter((l) => l.fit);
  if (lines.length === 0) return null;
  const rows = lines.map((l) => {
    const f = l.fit!;
    const ly = l.lyapunovPerLayer;
    return [
      taskWithT(l.task),
      l.label,
      l.activation,
      fmt(l.gain),
      f3(Math.log(l.gain)),
      `${f3(f.slope)} ${ciText(f.ci[0], f.ci[1])}`,
      f3(f.intercept),
      fmt(f.r2, 3),
      ly ? (ly.n > 1 ? `${f3(ly.mean)} ${ciText(ly.lo, ly.hi)}` : f3(ly.mean)) : '–',
      `${f.n} (L = ${l.depths.join(', ')})`,
      l.exploding ? String(l.exploding) : '',
    ];
  });
  return {
    id: 'rates',
    title: 'Per-layer decay rate c(a) against the ‖A‖^{LT} prediction',
    note:
      'Each row regresses the per-step slope s of log‖∂L/∂h_t‖ at initialisation (untrained trials) on the transition depth L, with intercept, over every trial of one sequence length: s = b + c·L. ' +
      'The ‖A‖^{LT} argument predicts c = log a for ‖W_l‖ = a. λ₁/L: the top Lyapunov exponent per time step divided by L. Exploding trials are in the fit with their growth rate.',
    head: [
      'Task',
      'Transition',
      'Activation',
      'a',
      'log a (prediction)',
      'c(a) [95% CI]',
      'Intercept b',
      'R²',
      'λ₁ / L [95% CI]',
      'Trials',
      'Exploding',
    ],
    numeric: [false, false, false, true, true, true, true, true, true, true, true],
    rows,
    marked: [],
  };
}

function successText(c: ModelCurve): string {
  return [
    ...c.cells.map((x) => `${x.T}: ${x.k}/${x.n}${x.implied ? ` (+${x.implied} skipped)` : ''}`),
    ...c.impliedTs.map((T) => `${T}: skipped`),
  ].join(' · ');
}

function ratioText(c: ModelCurve): string {
  const parts = c.cells
    .filter((x) => x.logRatio)
    .map((x) => {
      const e = x.logRatio!;
      return `${x.T}: ${f3(e.mean)}${e.n > 1 ? ` ${ciText(e.lo, e.hi, 2)}` : ''}`;
    });
  return parts.length ? parts.join(' · ') : '–';
}

/** Part B: T₅₀ per model, with the horizon predicted at initialisation. */
export function t50Table(data: StudyData, curves: readonly ModelCurve[] = modelCurves(data)): Table | null {
  if (curves.length === 0) return null;
  const skipped = curves.some((c) => c.impliedTs.length || c.cells.some((x) => x.implied));
  const rows = curves.map((c) => [
    c.taskName,
    c.model.label,
    successText(c),
    c.fit.text.replace(/^T₅₀ /, ''),
    f3(c.s),
    c.horizon === null ? '–' : c.horizon === Infinity ? '∞' : fmt(c.horizon, 3),
    ratioText(c),
  ]);
  return {
    id: 't50',
    title: 'Trainability: T₅₀ against the gradient horizon at initialisation',
    note:
      `Success = solved (first evaluation meeting the task's criterion). T₅₀: the length at which success falls to 50%, from a maximum-likelihood logistic fit of success against log T; 95% CI from ${BOOTSTRAP} bootstrap replicates resampling seeds within each T (fixed RNG seed). ` +
      'When the outcomes are separated by T (all solved, none solved, or a clean step) no number exists and the bound the data give is shown. ' +
      `s: median per-step slope at initialisation; horizon = log(${HORIZON_LEVEL})/s, the lag at which the gradient has fallen to ${HORIZON_LEVEL} (∞ when s ≥ 0). ` +
      "log(final / baseline): mean over finished trials of the log of the final metric over the trivial predictor's, with 95% CI (0: no better than the baseline)." +
      (skipped
        ? ' "skipped": cells the runner did not run because every seed failed at a shorter T; they count as failures in the T₅₀ fit (the study\'s stated assumption: success does not rise with T) and nowhere else.'
        : ''),
    head: [
      'Task',
      'Model',
      'Solved per T',
      'T₅₀ [95% CI]',
      's at init',
      'Horizon',
      'log(final / baseline) per T [95% CI]',
    ],
    numeric: [false, false, false, true, true, true, false],
    rows,
    marked: [],
  };
}

/** The learning-rate pilot. */
export function pilotTableOf(data: StudyData): Table | null {
  const p = pilotTable(data.pilot, data.pilotInformative);
  if (!p) return null;
  const marked: [number, number][] = [];
  const rows = p.rows.map((r, i) => [
    r.task,
    r.model,
    ...p.lrs.map((lr, j) => {
      const c = r.loss.get(lr);
      if (lr === r.chosen) marked.push([i, j + 2]);
      return c === undefined
        ? ''
        : `${Number.isFinite(c.mean) ? f3(c.mean) : 'diverged'}${lr === r.chosen ? ' ✓' : ''}`;
    }),
  ]);
  return {
    id: 'pilot',
    title: 'Learning-rate pilot',
    note: `Mean final evaluation loss over the pilot seeds for each model, pilot setting and learning rate ("diverged": some seed diverged or failed). A model's settings ran in order; the first at which some rate's loss fell below ${fmt(data.pilotInformative)} × the task's baseline decided (else the last); a setting after it did not run. ✓: the rate chosen there and frozen for the main runs — the lowest final loss, ties to the smaller rate. Pilot trials enter no other analysis.`,
    head: ['Task', 'Model', ...p.lrs.map((lr) => `lr ${fmt(lr)}`)],
    numeric: [false, false, ...p.lrs.map(() => true)],
    rows,
    marked,
  };
}

/** Every analysis table the study supports, in report order. */
export function buildTables(data: StudyData, curves?: readonly ModelCurve[]): Table[] {
  return [ratesTable(data), t50Table(data, curves), pilotTableOf(data)].filter((t): t is Table => t !== null);
}
