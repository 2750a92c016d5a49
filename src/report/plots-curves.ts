/**
 * The report's curve figures for one task (report/plots.ts lists them all): 1. gradient through time,
 * 2. the per-step decay rate against depth L, 3. train loss, each for the task's hardest condition.
 */
import { depthScale, hardestVariant, taskNames, variantScale, variantsOf } from './palette.js';
import { decayRows, GTT_CEILING, GTT_FLOOR, gttRows, lossRows, PHASES, trialsOf } from './plot-data.js';
import type { VlSpec } from './render.js';
import { fmt } from './stats.js';
import type { Built } from './plots-study.js';
import type { PlotInputs } from './plots.js';

const PANEL = { width: 220, height: 150 };
/** Facet headers as long as the panel is wide (vega-lite's default cuts "gain=0.9, layer norm" to "gain=0.9…"). */
const HEADER = { labelLimit: PANEL.width + 40 };
const wrap = (n: number) => Math.min(4, Math.max(1, n));
const extent = (vs: number[]) => [Math.min(...vs), Math.max(...vs)];
/** A layer drawing one mark per panel (reference lines) gets one row of its own, not one per data row. */
const ONE_ROW = { values: [{}] };

/** Powers of ten spanning [lo, hi], thinned to at most `max` labels (log axes otherwise label every minor tick). */
export function logTicks(lo: number, hi: number, max = 6): number[] {
  const a = Math.ceil(Math.log10(lo) - 1e-9),
    b = Math.floor(Math.log10(hi) + 1e-9);
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
        y: {
          field: 'value',
          type: 'quantitative',
          scale: { type: 'log', domain },
          axis: { format: '.0e', values: logTicks(domain[0], domain[1]) },
          title: '||∂L/∂h_t|| / ||∂L/∂h_T||',
        },
        color: { field: 'L', type: 'ordinal', scale: depth, title: 'depth L' },
        strokeDash: {
          field: 'series',
          type: 'nominal',
          scale: {
            domain: ['measured', 'theory bound'],
            range: [
              [1, 0],
              [5, 3],
            ],
          },
          title: null,
        },
      },
    },
  });
  const phases = Object.values(PHASES).filter((p) => rows.some((r) => r.phase === p));
  return {
    title: `Gradient through time: ${task.label}`,
    caption:
      `How much of the loss gradient reaches step t, ‖∂L/∂h_t‖, against the number of steps back from the end (T − t), ` +
      `for ${task.label} (the longest sequences of this task in the study). Each curve is divided by its value at t = T and ` +
      `averaged geometrically over seeds; one panel per transition, one colour per depth L, first layer. A straight falling line on ` +
      `this log scale is exponential vanishing; its slope is the per-step decay rate. Dashed: the theory bound (γ‖A‖)^(T−t) ` +
      `(product of the per-layer norms for plain deep transitions), drawn only for cells that have one — the measured curve must stay ` +
      `below it; where it lies far above, the bound says little. Values outside ${fmt(domain[0])}…${fmt(domain[1])} are cut off.` +
      (task.target === 'all'
        ? ' This task has a loss at every step, so ∂L/∂h_t includes the loss at t itself: the bound applies to the carried part only, and a flat curve can mean local signal rather than memory.'
        : ''),
    spec: {
      data: { values: rows },
      vconcat: phases.map(panel),
      resolve: { scale: { color: 'shared' } },
    } as unknown as VlSpec,
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
  const shift = (v: string) =>
    (variants.indexOf(v) - (variants.length - 1) / 2) * 0.09 * Math.max(1, depths[depths.length - 1] / 8);
  const values = rows.map((r) => ({ ...r, x: r.L + shift(r.variant) }));
  const x = {
    field: 'x',
    type: 'quantitative',
    scale: { domain: [0, depths[depths.length - 1] + 0.6], nice: false },
    axis: { values: depths, format: 'd', grid: false },
    title: 'transition depth L',
  };
  const color = {
    field: 'variant',
    type: 'nominal',
    scale: variantScale(deepModels),
    sort: variants,
    title: 'transition',
  };
  const tasks = taskNames(inputs.data).filter((t) => rows.some((r) => r.task === t));
  return {
    title: 'Per-step gradient decay against transition depth',
    caption:
      'The fitted per-step log-slope of ‖∂L/∂h_t‖ (0: the gradient keeps its size; −0.5: it shrinks by e^−0.5 ≈ 0.61 every step) ' +
      'for each deep-transition variant and depth L, at initialisation and at the end of training, one column per task (all its T ' +
      'values pooled). Points: mean over trials; bars: 95% confidence interval of that mean. Dashed: the per-step theory bound ' +
      "bound.perStep = Σ_l log(γ‖W_l‖), the log of the ‖A‖^(LT) argument's factor per time step (it grows linearly in L when every " +
      'layer has the same norm), drawn where the cell has one (plain transitions); the measured slope should lie on or below it.',
    spec: {
      data: { values },
      facet: {
        row: { field: 'phase', sort: Object.values(PHASES), title: null },
        column: { field: 'task', sort: tasks, title: null },
      },
      spec: {
        width: 260,
        height: 180,
        layer: [
          { data: ONE_ROW, mark: { type: 'rule', color: '#999', strokeWidth: 1 }, encoding: { y: { datum: 0 } } },
          {
            mark: { type: 'rule', strokeWidth: 1.5 },
            encoding: {
              x,
              y: { field: 'lo', type: 'quantitative', title: 'per-step log-slope' },
              y2: { field: 'hi' },
              color,
            },
          },
          {
            mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2 },
            encoding: { x, y: { field: 'mean', type: 'quantitative' }, color },
          },
          {
            transform: [{ filter: 'isValid(datum.bound)' }],
            mark: { type: 'line', strokeDash: [6, 4], strokeWidth: 1.5 },
            encoding: { x, y: { field: 'bound', type: 'quantitative' }, color },
          },
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
  const rules = lossLike
    ? [
        ...(task.baseline
          ? [
              {
                data: ONE_ROW,
                mark: { type: 'rule', strokeDash: [5, 3], color: '#666' },
                encoding: { y: { datum: task.baseline } },
              },
            ]
          : []),
        ...(task.solvedBelow
          ? [
              {
                data: ONE_ROW,
                mark: { type: 'rule', strokeDash: [2, 2], color: '#1a8f3c' },
                encoding: { y: { datum: task.solvedBelow } },
              },
            ]
          : []),
      ]
    : [];
  return {
    title: `Training loss: ${task.label}`,
    caption:
      `Train loss against training step for ${task.label} (the longest sequences of this task), the median over seeds of the ` +
      `seeds still training at that step; one panel per transition, one colour per depth L, log scale. ` +
      (rules.length
        ? `Grey dashed: the trivial predictor's ${task.metric} (${fmt(task.baseline)}); green dotted: the solved threshold (${fmt(task.solvedBelow)}), ` +
          `measured on fresh evaluation batches rather than this training batch.`
        : ''),
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
              y: {
                field: 'value',
                type: 'quantitative',
                scale: { type: 'log', domain: [lo / 1.5, hi * 1.5] },
                axis: { format: '~g', values: logTicks(lo / 1.5, hi * 1.5, 5) },
                title: 'train loss',
              },
              color: { field: 'L', type: 'ordinal', scale: depthScale(rows.map((r) => r.L)), title: 'depth L' },
            },
          },
          ...rules,
        ],
      },
    } as unknown as VlSpec,
  };
}
