/**
 * The deep-transition question's depth figures (plots-study.ts lists all of the question's figures):
 * decay-gain (per-step decay s at initialisation against depth L, one line per gain a, the L·log a prediction
 * dashed, one panel per activation and T) and decay-variants (the same axes at a = 1 for every variant).
 */
import { depthLines, depthMeans, type DepthLine } from './depth.js';
import { taskWithT, type StudyData } from './data.js';
import type { VlSpec } from './render.js';
import { fmt } from './stats.js';
import type { Built } from './plots-study.js';

const BLUES = ['#08306b', '#08519c', '#2171b5', '#4292c6', '#6baed6', '#9ecae1'];
const REDS = ['#fc9272', '#fb6a4a', '#ef3b2c', '#cb181d', '#a50f15', '#67000d'];

/** Colours for gains: blues below 1 (darkest furthest), black at 1, reds above (darkest furthest). */
export function gainScale(gains: readonly number[]): { domain: string[]; range: string[] } {
  const g = [...new Set(gains)].sort((a, b) => a - b);
  const below = g.filter((a) => a < 1),
    above = g.filter((a) => a > 1);
  const range = g.map((a) =>
    a === 1
      ? '#000000'
      : a < 1
        ? BLUES[Math.min(BLUES.length - 1, below.indexOf(a))]
        : (REDS[Math.min(REDS.length - 1, REDS.length - above.length + above.indexOf(a))] ?? REDS[REDS.length - 1]),
  );
  return { domain: g.map((a) => fmt(a)), range };
}

/**
 * One panel per (task condition, activation) that has data, as a single wrapped facet field: a row × column
 * facet with a missing combination and independent y scales misplaces vega-lite's cells.
 */
function panelOf(lines: readonly DepthLine[]): (l: DepthLine) => string {
  const several = new Set(lines.map((l) => l.task.key)).size > 1;
  return (l) => `activation: ${l.activation}${several ? ` · ${taskWithT(l.task)}` : ''}`;
}

function depthRows(lines: readonly DepthLine[], key: (l: DepthLine) => string) {
  const panel = panelOf(lines);
  return lines.flatMap((l) =>
    depthMeans(l).map((d) => ({
      series: key(l),
      panel: panel(l),
      L: d.L,
      mean: d.e.mean,
      lo: d.e.lo,
      hi: d.e.hi,
      state: d.exploding ? 'exploding' : 'finite',
      n: d.e.n,
    })),
  );
}

const SHAPE = {
  field: 'state',
  type: 'nominal',
  title: null,
  scale: { domain: ['finite', 'exploding'], range: ['circle', 'triangle-up'] },
};

function facetOf(lines: readonly DepthLine[]) {
  const panel = panelOf(lines);
  // Panels in line order: task condition first, then activation (lines are sorted that way).
  const panels = [...new Set(lines.map(panel))];
  return {
    facet: { field: 'panel', type: 'nominal', sort: panels, title: null, header: { labelLimit: 400 } },
    columns: Math.min(2, panels.length),
  };
}

/** The centrepiece: s against L, one line per a, the ‖A‖^{LT} prediction dashed. */
export function decayGainFigure(data: StudyData): Built {
  const lines = depthLines(data).filter((l) => l.family === 'plain' && l.depths.length >= 2);
  if (
    lines.length === 0 ||
    (new Set(lines.map((l) => l.gain)).size < 2 && !lines.some((l) => l.activation === 'identity'))
  )
    return null;
  const a = (l: DepthLine) => fmt(l.gain);
  const measured = depthRows(lines, a);
  const panel = panelOf(lines);
  const predicted = lines.flatMap((l) =>
    [0, ...l.depths].map((L) => ({ series: a(l), panel: panel(l), L, pred: L * Math.log(l.gain) })),
  );
  const color = {
    field: 'series',
    type: 'ordinal',
    title: 'gain a = ‖W_l‖',
    scale: gainScale(lines.map((l) => l.gain)),
  };
  const x = { field: 'L', type: 'quantitative', title: 'transition depth L' };
  return {
    title: 'Per-step gradient decay against transition depth, one line per ‖W_l‖',
    caption:
      'Plain deep transitions at initialisation (no training): the fitted per-step slope s of log‖∂L/∂h_t‖ against lag (0: the gradient keeps its size; −0.5: it shrinks by e^−0.5 ≈ 0.61 each step; positive: it grows) ' +
      'against the transition depth L, one colour per gain a of the orthogonal W_l (‖W_l‖ = a); points: mean over seeds, bars: 95% CI. Dashed, same colour: the ‖A‖^{LT} prediction s = L·log a. ' +
      'One panel per activation: the identity is the linear control, where the prediction is exact; with tanh the gap between the solid and the dashed line is the decay the tanh derivatives add. ' +
      'Triangles: depths where a run exploded (the gradient overflowed); its point is the growth rate fitted over the finite part, never dropped.',
    spec: {
      ...facetOf(lines),
      resolve: { scale: { y: 'independent' } },
      data: { values: [...measured, ...predicted] },
      spec: {
        width: 300,
        height: 220,
        layer: [
          {
            transform: [{ filter: 'isValid(datum.pred)' }],
            mark: { type: 'line', strokeDash: [5, 4], strokeWidth: 1.2, opacity: 0.8 },
            encoding: { x, y: { field: 'pred', type: 'quantitative', title: 'per-step log-slope s' }, color },
          },
          {
            transform: [{ filter: 'isValid(datum.mean)' }],
            mark: { type: 'rule', strokeWidth: 1.2 },
            encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
          },
          {
            transform: [{ filter: 'isValid(datum.mean)' }],
            mark: { type: 'line', strokeWidth: 2 },
            encoding: { x, y: { field: 'mean', type: 'quantitative' }, color },
          },
          {
            transform: [{ filter: 'isValid(datum.mean)' }],
            mark: { type: 'point', filled: true, size: 45 },
            encoding: { x, y: { field: 'mean', type: 'quantitative' }, color, shape: SHAPE },
          },
        ],
      },
    } as unknown as VlSpec,
  };
}

/** The variants at a = 1: shortcut, residual (scaled, layer-normed), highway per b_T, plain as reference. */
export function decayVariantsFigure(data: StudyData): Built {
  const all = depthLines(data).filter((l) => l.gain === 1 && l.depths.length >= 2);
  // Only the panels (activation, T) that hold a variant besides plain.
  const panel = (l: DepthLine) => `${l.activation}\u0000${l.task.key}`;
  const withVariant = new Set(all.filter((l) => l.family !== 'plain').map(panel));
  const lines = all.filter((l) => withVariant.has(panel(l)));
  if (!lines.some((l) => l.family !== 'plain') || !lines.some((l) => l.family === 'plain')) return null;
  const label = (l: DepthLine) =>
    l.transformBias !== null && !l.label.includes('transformBias') ? `${l.label} b_T=${l.transformBias}` : l.label;
  const rows = depthRows(lines, label);
  const series = [...new Set(rows.map((r) => r.series))];
  const x = { field: 'L', type: 'quantitative', title: 'transition depth L' };
  const color = {
    field: 'series',
    type: 'nominal',
    sort: series,
    title: 'transition',
    scale: { scheme: 'tableau10' },
    legend: { labelLimit: 320 },
  };
  return {
    title: 'Per-step gradient decay against depth for each transition variant, at ‖W_l‖ = 1',
    caption:
      'The same measurement as the previous figure at a = 1 (where the ‖A‖^{LT} prediction is s = 0, the grey line) for every transition variant: plain as the reference, shortcut, residual (scaled or layer-normed where the study has them) ' +
      'and highway with each transform-gate bias b_T. Points: mean over seeds, bars: 95% CI; triangles: exploding runs, kept with their growth rate.',
    spec: {
      ...facetOf(lines),
      resolve: { scale: { y: 'independent' } },
      data: { values: rows },
      spec: {
        width: 320,
        height: 220,
        layer: [
          { data: { values: [{}] }, mark: { type: 'rule', color: '#999' }, encoding: { y: { datum: 0 } } },
          {
            mark: { type: 'rule', strokeWidth: 1.2 },
            encoding: {
              x,
              y: { field: 'lo', type: 'quantitative', title: 'per-step log-slope s' },
              y2: { field: 'hi' },
              color,
            },
          },
          {
            mark: { type: 'line', strokeWidth: 2 },
            encoding: { x, y: { field: 'mean', type: 'quantitative' }, color },
          },
          {
            mark: { type: 'point', filled: true, size: 45 },
            encoding: { x, y: { field: 'mean', type: 'quantitative' }, color, shape: SHAPE },
          },
        ],
      },
    } as unknown as VlSpec,
  };
}
