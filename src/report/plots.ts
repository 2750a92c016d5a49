/**
 * The report's figures as Vega-Lite specs, rendered to SVG strings (render.ts). Each builder returns null
 * when the study has nothing to draw for it, and the figure list says why a figure is missing.
 *
 *   0. decay-gain, decay-variants, t50-horizon, slopes-<task>: the study's central plots (plots-study.ts)
 *   1. gtt-<task>:    ‖∂L/∂h_t‖ against steps back from the end, per transition (panel) and depth (colour),
 *                     at initialisation and at the end, theory bound dashed (hardest T of each task)
 *   2. decay-depth:   fitted per-step log-slope against transition depth L, one line per variant, 95% CI
 *                     bars over seeds, the per-step theory bound dashed (only when decay-gain is not drawn)
 *   3. loss-<task>:   median train loss over seeds against step, per transition and depth (log y)
 *   4. success-<task>: success-rate heatmap, model × T, "solved/trials" printed in each cell
 *   5. steps-<task>:  steps to solve, one dot per solved trial, per model, coloured by T
 */
import { isUntrained, type StudyData } from './data.js';
import { depthScale, figureId, hardestVariant, taskColumns, taskNames, variantScale, variantsOf } from './palette.js';
import { decayRows, GTT_CEILING, GTT_FLOOR, gttRows, lossRows, PHASES, trialsOf } from './plot-data.js';
import { renderSvg, type VlSpec } from './render.js';
import type { TrialGtt } from './series.js';
import { fmt } from './stats.js';
import { decayGainFigure, decayVariantsFigure, slopesFigure, t50HorizonFigure, type Built } from './plots-study.js';
import type { ModelCurve } from './trainability.js';

export interface Figure {
  /** File-safe id: the SVG is written as `<id>.svg`. */
  id: string;
  title: string;
  /** A few words for the page's table of contents. */
  short: string;
  caption: string;
  svg: string;
}

export interface PlotInputs {
  data: StudyData;
  gtt: Map<string, TrialGtt>;
  loss: Map<string, { step: number; value: number }[]>;
  /** Part B's T₅₀ per model (none: no T₅₀ figure). */
  curves?: readonly ModelCurve[];
}

const PANEL = { width: 220, height: 150 };
/** Facet headers as long as the panel is wide (vega-lite's default cuts "gain=0.9, layer norm" to "gain=0.9…"). */
const HEADER = { labelLimit: PANEL.width + 40 };
const wrap = (n: number) => Math.min(4, Math.max(1, n));
const extent = (vs: number[]) => [Math.min(...vs), Math.max(...vs)];
/** A layer drawing one mark per panel (reference lines) gets one row of its own, not one per data row. */
const ONE_ROW = { values: [{}] };
/** Task settings (T values) in the steps-to-solve dots: Okabe–Ito, distinct on white. */
const SETTING_COLORS = ['#E69F00', '#009E73', '#0072B2', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#999999'];

/** Powers of ten spanning [lo, hi], thinned to at most `max` labels (log axes otherwise label every minor tick). */
export function logTicks(lo: number, hi: number, max = 6): number[] {
  const a = Math.ceil(Math.log10(lo) - 1e-9), b = Math.floor(Math.log10(hi) + 1e-9);
  if (b < a) return [lo, hi];
  const every = Math.max(1, Math.ceil((b - a + 1) / max));
  const ticks: number[] = [];
  for (let e = b; e >= a; e -= every) ticks.unshift(10 ** e);
  return ticks;
}

/** 1. Gradient through time for the hardest condition of one task. */
export function gttFigure(inputs: PlotInputs, taskName: string): Built {
  const task = hardestVariant(inputs.data, taskName);
  if (!task) return null;
  const rows = gttRows(trialsOf(inputs.data, task), inputs.gtt);
  if (rows.length === 0) return null;
  const variants = variantsOf(inputs.data.models).filter((v) => rows.some((r) => r.variant === v));
  const depth = depthScale(rows.map((r) => r.L));
  const [lo] = extent(rows.filter((r) => r.series === 'measured').map((r) => r.value));
  // Up to GTT_CEILING the axis grows to show loose (growing) bounds too; beyond it they are cut off.
  const [, hi] = extent(rows.map((r) => r.value));
  const domain = [Math.max(lo, GTT_FLOOR), Math.min(Math.max(hi, 1) * 3, GTT_CEILING)];
  const panel = (phase: string) => ({
    title: phase,
    transform: [{ filter: { field: 'phase', equal: phase } }],
    facet: { field: 'variant', type: 'nominal', sort: variants, title: null, header: HEADER },
    columns: wrap(variants.length),
    spec: {
      ...PANEL,
      mark: { type: 'line', strokeWidth: 1.6, clip: true },
      encoding: {
        x: { field: 'k', type: 'quantitative', title: 'steps back from the end, T − t' },
        y: { field: 'value', type: 'quantitative', scale: { type: 'log', domain }, axis: { format: '.0e', values: logTicks(domain[0], domain[1]) }, title: '||∂L/∂h_t|| / ||∂L/∂h_T||' },
        color: { field: 'L', type: 'ordinal', scale: depth, title: 'depth L' },
        strokeDash: { field: 'series', type: 'nominal', scale: { domain: ['measured', 'theory bound'], range: [[1, 0], [5, 3]] }, title: null },
      },
    },
  });
  const phases = Object.values(PHASES).filter((p) => rows.some((r) => r.phase === p));
  return {
    title: `Gradient through time: ${task.label}`,
    caption: `How much of the loss gradient reaches step t, ‖∂L/∂h_t‖, against the number of steps back from the end (T − t), `
      + `for ${task.label} (the longest sequences of this task in the study). Each curve is divided by its value at t = T and `
      + `averaged geometrically over seeds; one panel per transition, one colour per depth L, first layer. A straight falling line on `
      + `this log scale is exponential vanishing; its slope is the per-step decay rate. Dashed: the theory bound (γ‖A‖)^(T−t) `
      + `(product of the per-layer norms for plain deep transitions), drawn only for cells that have one — the measured curve must stay `
      + `below it; where it lies far above, the bound says little. Values outside ${fmt(domain[0])}…${fmt(domain[1])} are cut off.`
      + (task.target === 'all' ? ' This task has a loss at every step, so ∂L/∂h_t includes the loss at t itself: the bound applies to the carried part only, and a flat curve can mean local signal rather than memory.' : ''),
    spec: { data: { values: rows }, vconcat: phases.map(panel), resolve: { scale: { color: 'shared' } } } as unknown as VlSpec,
  };
}

/** 2. Per-step decay rate against transition depth L, with the theory bound's prediction. */
export function decayFigure(inputs: PlotInputs): Built {
  const rows = decayRows(inputs.data);
  if (rows.length === 0 || new Set(rows.map((r) => r.L)).size < 2) return null;
  const deepModels = inputs.data.models.filter((m) => m.deep);
  const variants = variantsOf(deepModels);
  const depths = [...new Set(rows.map((r) => r.L))].sort((a, b) => a - b);
  // Offset the variants a little along x so their error bars do not hide each other.
  const shift = (v: string) => (variants.indexOf(v) - (variants.length - 1) / 2) * 0.09 * Math.max(1, depths[depths.length - 1] / 8);
  const values = rows.map((r) => ({ ...r, x: r.L + shift(r.variant) }));
  const x = { field: 'x', type: 'quantitative', scale: { domain: [0, depths[depths.length - 1] + 0.6], nice: false }, axis: { values: depths, format: 'd', grid: false }, title: 'transition depth L' };
  const color = { field: 'variant', type: 'nominal', scale: variantScale(deepModels), sort: variants, title: 'transition' };
  const tasks = taskNames(inputs.data).filter((t) => rows.some((r) => r.task === t));
  return {
    title: 'Per-step gradient decay against transition depth',
    caption: 'The fitted per-step log-slope of ‖∂L/∂h_t‖ (0: the gradient keeps its size; −0.5: it shrinks by e^−0.5 ≈ 0.61 every step) '
      + 'for each deep-transition variant and depth L, at initialisation and at the end of training, one column per task (all its T '
      + 'values pooled). Points: mean over trials; bars: 95% confidence interval of that mean. Dashed: the per-step theory bound '
      + 'bound.perStep = Σ_l log(γ‖W_l‖), the log of the ‖A‖^(LT) argument\'s factor per time step (it grows linearly in L when every '
      + 'layer has the same norm), drawn where the cell has one (plain transitions); the measured slope should lie on or below it.',
    spec: {
      data: { values },
      facet: { row: { field: 'phase', sort: Object.values(PHASES), title: null }, column: { field: 'task', sort: tasks, title: null } },
      spec: {
        width: 260, height: 180,
        layer: [
          { data: ONE_ROW, mark: { type: 'rule', color: '#999', strokeWidth: 1 }, encoding: { y: { datum: 0 } } },
          { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'per-step log-slope' }, y2: { field: 'hi' }, color } },
          { mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
          { transform: [{ filter: 'isValid(datum.bound)' }], mark: { type: 'line', strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { x, y: { field: 'bound', type: 'quantitative' }, color } },
        ],
      },
    } as unknown as VlSpec,
  };
}

/** 3. Train loss curves for the hardest condition of one task. */
export function lossFigure(inputs: PlotInputs, taskName: string): Built {
  const task = hardestVariant(inputs.data, taskName);
  if (!task) return null;
  const rows = lossRows(trialsOf(inputs.data, task), inputs.loss);
  if (rows.length === 0) return null;
  const variants = variantsOf(inputs.data.models).filter((v) => rows.some((r) => r.variant === v));
  const lossLike = task.metric === 'mse' || task.metric === 'xent';
  const refs = lossLike ? [task.baseline, task.solvedBelow].filter((v): v is number => v !== null && v > 0) : [];
  const [lo, hi] = extent([...rows.map((r) => r.value), ...refs]);
  const rules = lossLike ? [
    ...(task.baseline ? [{ data: ONE_ROW, mark: { type: 'rule', strokeDash: [5, 3], color: '#666' }, encoding: { y: { datum: task.baseline } } }] : []),
    ...(task.solvedBelow ? [{ data: ONE_ROW, mark: { type: 'rule', strokeDash: [2, 2], color: '#1a8f3c' }, encoding: { y: { datum: task.solvedBelow } } }] : []),
  ] : [];
  return {
    title: `Training loss: ${task.label}`,
    caption: `Train loss against training step for ${task.label} (the longest sequences of this task), the median over seeds of the `
      + `seeds still training at that step; one panel per transition, one colour per depth L, log scale. `
      + (rules.length ? `Grey dashed: the trivial predictor's ${task.metric} (${fmt(task.baseline)}); green dotted: the solved threshold (${fmt(task.solvedBelow)}), `
        + `measured on fresh evaluation batches rather than this training batch.` : ''),
    spec: {
      data: { values: rows },
      facet: { field: 'variant', type: 'nominal', sort: variants, title: null, header: HEADER },
      columns: wrap(variants.length),
      spec: {
        ...PANEL,
        layer: [
          {
            mark: { type: 'line', strokeWidth: 1.6, clip: true },
            encoding: {
              x: { field: 'step', type: 'quantitative', title: 'training step' },
              y: { field: 'value', type: 'quantitative', scale: { type: 'log', domain: [lo / 1.5, hi * 1.5] }, axis: { format: '~g', values: logTicks(lo / 1.5, hi * 1.5, 5) }, title: 'train loss' },
              color: { field: 'L', type: 'ordinal', scale: depthScale(rows.map((r) => r.L)), title: 'depth L' },
            },
          },
          ...rules,
        ],
      },
    } as unknown as VlSpec,
  };
}

/** 4. Success rate per (model, T) of one task, with "solved/trials" in each cell. */
export function successFigure(inputs: PlotInputs, taskName: string): Built {
  // Untrained trials (the gradient-at-initialisation part of a study) have no success to show.
  const groups = inputs.data.groups.filter((g) => g.task.name === taskName && !g.trials.every(isUntrained));
  if (groups.length === 0) return null;
  const tasks = inputs.data.tasks.filter((t) => t.name === taskName);
  const cols = taskColumns(tasks);
  const models = inputs.data.models.filter((m) => groups.some((g) => g.model.key === m.key)).map((m) => m.label);
  const colOrder = tasks.map(cols.label);
  const values = groups.map((g) => ({ model: g.model.label, col: cols.label(g.task), rate: g.successRate, text: `${g.solved}/${g.trials.length}` }));
  return {
    title: `Success rate: ${taskName}`,
    caption: `Fraction of trials that reached the task's solved criterion (${describeCriterion(tasks[0])}) on ${taskName}, per model `
      + `and ${cols.title}; each cell prints solved/trials. Diverged and failed trials count as not solved.`,
    spec: {
      data: { values },
      width: Math.max(120, 58 * colOrder.length), height: 20 * models.length,
      encoding: {
        x: { field: 'col', type: 'ordinal', sort: colOrder, title: cols.title, axis: { orient: 'top', labelAngle: 0 } },
        y: { field: 'model', type: 'ordinal', sort: models, title: null },
      },
      layer: [
        { mark: { type: 'rect', stroke: 'white', strokeWidth: 1 }, encoding: { color: { field: 'rate', type: 'quantitative', scale: { domain: [0, 1], scheme: 'greens' }, legend: { title: 'success', format: '.0%', gradientLength: 120 } } } },
        { mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'text' }, color: { condition: { test: 'datum.rate > 0.55', value: 'white' }, value: '#222' } } },
      ],
    } as unknown as VlSpec,
  };
}

/** 5. Steps to solve: one dot per solved trial, per model (label carries solved/trials over all T). */
export function stepsFigure(inputs: PlotInputs, taskName: string): Built {
  const trials = inputs.data.trials.filter((v) => v.task.name === taskName);
  const solved = trials.filter((v) => v.solved);
  if (solved.length === 0) return null;
  const tasks = inputs.data.tasks.filter((t) => t.name === taskName);
  const cols = taskColumns(tasks);
  const models = inputs.data.models.filter((m) => trials.some((v) => v.model.key === m.key));
  const label = new Map(models.map((m) => {
    const mine = trials.filter((v) => v.model.key === m.key);
    return [m.key, `${m.label} (${mine.filter((v) => v.solved).length}/${mine.length})`];
  }));
  const budget = Math.max(...trials.map((v) => Number(v.trial.config?.training?.steps) || v.trial.steps || 0), ...solved.map((v) => v.trial.solvedAt!));
  const values = solved.map((v) => ({ model: label.get(v.model.key)!, steps: v.trial.solvedAt, col: cols.label(v.task) }));
  return {
    title: `Steps to solve: ${taskName}`,
    caption: `Training steps until the first evaluation that met the solved criterion on ${taskName}, one dot per solved trial, `
      + `coloured by ${cols.title}; the label gives solved/trials over all ${cols.title} values. Models with no dots never solved it `
      + `within the budget (${budget} steps).`,
    spec: {
      data: { values },
      width: 300, height: Math.max(60, 22 * models.length),
      mark: { type: 'point', filled: true, size: 50, opacity: 0.85 },
      encoding: {
        x: { field: 'steps', type: 'quantitative', scale: { domain: [0, budget] }, title: 'steps to solve' },
        y: { field: 'model', type: 'nominal', scale: { domain: [...label.values()] }, title: null },
        yOffset: { field: 'col', type: 'nominal', sort: tasks.map(cols.label) },
        color: { field: 'col', type: 'nominal', sort: tasks.map(cols.label), title: cols.title, scale: { domain: tasks.map(cols.label), range: SETTING_COLORS } },
      },
    } as unknown as VlSpec,
  };
}

function describeCriterion(task: { metric: string | null; solvedBelow: number | null; solvedAbove: number | null } | undefined): string {
  if (!task?.metric) return 'as recorded by the runner';
  if (task.solvedBelow !== null) return `${task.metric} < ${fmt(task.solvedBelow)}`;
  if (task.solvedAbove !== null) return `${task.metric} > ${fmt(task.solvedAbove)}`;
  return task.metric;
}

/** Every figure the data supports, rendered; `missing` says which could not be drawn and why. */
export function buildFigures(inputs: PlotInputs): { figures: Figure[]; missing: string[] } {
  const figures: Figure[] = [];
  const missing: string[] = [];
  const ids = new Set<string>();
  const add = (base: string, short: string, built: Built, why: string) => {
    if (!built) return void missing.push(why);
    figures.push({ id: figureId(base, ids), title: built.title, short, caption: built.caption, svg: renderSvg(built.spec) });
  };
  const names = taskNames(inputs.data);
  const centre = decayGainFigure(inputs.data);
  if (centre) add('decay-gain', 'decay vs L and a', centre, '');
  // With no gain axis (older studies) the variants appear in decay-depth instead.
  const variants = centre && decayVariantsFigure(inputs.data);
  if (variants) add('decay-variants', 'variants at a = 1', variants, '');
  if (inputs.curves?.length) add('t50-horizon', 'T₅₀ vs horizon', t50HorizonFigure(inputs.curves), 'T₅₀ against the gradient horizon: no model has a decay rate recorded at initialisation.');
  for (const t of names) add(`gtt-${t}`, `gradients ${t}`, gttFigure(inputs, t), `Gradient through time for ${t}: no gradient-through-time curves were recorded.`);
  if (!centre) add('decay-depth', 'decay vs L', decayFigure(inputs), 'Decay against depth: the study has no deep transitions at two or more depths with recorded decay rates.');
  for (const t of names) {
    const f = slopesFigure(inputs.data, inputs.gtt, t);
    if (f) add(`slopes-${t}`, `decay in training ${t}`, f, '');
  }
  for (const t of names) add(`loss-${t}`, `loss ${t}`, lossFigure(inputs, t), `Training loss for ${t}: no train.loss series were recorded.`);
  for (const t of names) add(`success-${t}`, `success ${t}`, successFigure(inputs, t), `Success rate for ${t}: no trials.`);
  for (const t of names) add(`steps-${t}`, `steps ${t}`, stepsFigure(inputs, t), `Steps to solve for ${t}: no trial solved it.`);
  return { figures, missing };
}
