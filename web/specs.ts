/**
 * The page's own Vega-Lite specs: the explorer's plots (from a Measurement) and the training view's live
 * plots, which read named data sets so that training appends rows to one view instead of re-embedding it.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Measurement } from './explore.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const fmt = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** ‖∂L/∂h_t‖ against t (log y) with the fitted per-step rate and the theory bound. */
export function decaySpec(m: Measurement): TopLevelSpec {
  const T = m.settings.T;
  const gT = m.norm[T - 1];
  const rows = m.t.flatMap((t, i) => {
    const out = [
      { t, value: m.norm[i], series: 'measured ‖∂L/∂h_t‖' },
      { t, value: Math.exp(m.intercept + m.rate * (T - t)), series: `fit: e^(${fmt(m.rate, 3)}·(T−t))` },
    ];
    if (m.boundPerStep !== null) out.push({ t, value: gT * m.boundPerStep ** (T - t), series: 'bound: g_T·β^(T−t)' });
    return out.filter((r) => Number.isFinite(r.value) && r.value > 0);
  });
  return {
    $schema: SCHEMA,
    width: 'container',
    height: 260,
    data: { values: rows },
    mark: { type: 'line', point: false },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 't' },
      y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: '‖∂L/∂h_t‖' },
      color: { field: 'series', type: 'nominal', legend: { orient: 'bottom', title: null, direction: 'vertical' } },
      strokeDash: { field: 'series', type: 'nominal' },
    },
  };
}

/** The singular values of the last step's Jacobian, largest first. */
export function singularSpec(m: Measurement): TopLevelSpec {
  return {
    $schema: SCHEMA,
    width: 'container',
    height: 260,
    data: { values: m.singular.map((s, i) => ({ i: i + 1, s })) },
    mark: { type: 'point', filled: true },
    encoding: {
      x: { field: 'i', type: 'quantitative', title: 'index i' },
      y: { field: 's', type: 'quantitative', title: 'σ_i(J_T)' },
    },
  };
}

/** Sample 0's states in the plane of their top two principal components: a path in the order of t. */
export function trajectorySpec(m: Measurement): TopLevelSpec {
  const values = m.trajectory.points;
  return {
    $schema: SCHEMA,
    width: 'container',
    height: 260,
    data: { values },
    layer: [
      {
        mark: { type: 'line', color: '#bbb', strokeWidth: 1 },
        encoding: {
          x: { field: 'pc1', type: 'quantitative', title: 'PC 1', scale: { zero: false } },
          y: { field: 'pc2', type: 'quantitative', title: 'PC 2', scale: { zero: false } },
          order: { field: 't', type: 'quantitative' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 28 },
        encoding: {
          x: { field: 'pc1', type: 'quantitative' },
          y: { field: 'pc2', type: 'quantitative' },
          color: { field: 't', type: 'quantitative', scale: { scheme: 'viridis' }, legend: { title: 't' } },
          tooltip: [{ field: 't' }, { field: 'pc1', format: '.3g' }, { field: 'pc2', format: '.3g' }],
        },
      },
    ],
  };
}

/** The training loss (log y), the baseline (dashed) and the solved threshold (dotted): named data sets. */
export function lossSpec(metric: string): TopLevelSpec {
  return {
    $schema: SCHEMA,
    width: 'container',
    height: 220,
    layer: [
      {
        data: { name: 'losses' },
        mark: 'line',
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step' },
          y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: `training ${metric}` },
        },
      },
      {
        data: { name: 'levels' },
        mark: { type: 'rule' },
        encoding: {
          y: { field: 'value', type: 'quantitative' },
          strokeDash: {
            field: 'level',
            type: 'nominal',
            scale: {
              domain: ['baseline', 'solved below'],
              range: [
                [6, 4],
                [2, 2],
              ],
            },
            legend: { orient: 'bottom', title: null },
          },
        },
      },
    ],
  };
}

/**
 * ‖∂L/∂h_t‖ over (training step × t) for sequences of length T, log colour: the rows fill in as snapshots
 * arrive (data set 'cells').
 */
export function heatmapSpec(T: number): TopLevelSpec {
  const every = Math.max(1, Math.round(T / 40) * 5);
  const ticks = Array.from({ length: Math.floor(T / every) }, (_, i) => (i + 1) * every);
  return {
    $schema: SCHEMA,
    width: 'container',
    height: 220,
    data: { name: 'cells' },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 't', type: 'ordinal', title: 't', axis: { values: [1, ...ticks], labelAngle: 0 } },
      y: { field: 'step', type: 'ordinal', title: 'after step', sort: 'descending', axis: { labelOverlap: true } },
      color: {
        field: 'value',
        type: 'quantitative',
        scale: { type: 'log', scheme: 'viridis' },
        legend: { title: '‖∂L/∂h_t‖' },
      },
      tooltip: [{ field: 'step' }, { field: 't' }, { field: 'value', format: '.3g' }],
    },
  };
}
