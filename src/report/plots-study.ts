/**
 * The figures of the deep-transition question (Vega-Lite specs; plots.ts renders and lists them):
 *
 *   decay-gain       the centrepiece: per-step decay s at initialisation against transition depth L for
 *                    plain transitions, one line per gain a = ‖W_l‖ (colour), the ‖A‖^{LT} prediction
 *                    s = L·log a dashed in the same colour, one panel per activation (and per T); points
 *                    are means over seeds with 95% CI bars, exploding runs drawn as triangles
 *   decay-variants   the same axes at a = 1 for every transition variant (plain as the reference)
 *   t50-horizon      measured T₅₀ (bootstrap CI) against the gradient horizon predicted at initialisation,
 *                    log–log, y = x dashed; censored T₅₀ drawn as triangles pointing to the open side
 *   slopes-<task>    the fitted gtt slope at each recorded training point, median over seeds, per model
 */
import { depthLines, depthMeans, type DepthLine } from './depth.js';
import { taskWithT, type StudyData } from './data.js';
import type { VlSpec } from './render.js';
import type { TrialGtt } from './series.js';
import { fmt } from './stats.js';
import type { ModelCurve } from './trainability.js';

export type Built = { title: string; caption: string; spec: VlSpec } | null;

const BLUES = ['#08306b', '#08519c', '#2171b5', '#4292c6', '#6baed6', '#9ecae1'];
const REDS = ['#fc9272', '#fb6a4a', '#ef3b2c', '#cb181d', '#a50f15', '#67000d'];

/** Colours for gains: blues below 1 (darkest furthest), black at 1, reds above (darkest furthest). */
export function gainScale(gains: readonly number[]): { domain: string[]; range: string[] } {
  const g = [...new Set(gains)].sort((a, b) => a - b);
  const below = g.filter((a) => a < 1), above = g.filter((a) => a > 1);
  const range = g.map((a) => (a === 1 ? '#000000' : a < 1 ? BLUES[Math.min(BLUES.length - 1, below.indexOf(a))] : REDS[Math.min(REDS.length - 1, REDS.length - above.length + above.indexOf(a))] ?? REDS[REDS.length - 1]));
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
  return lines.flatMap((l) => depthMeans(l).map((d) => ({
    series: key(l), panel: panel(l), L: d.L, mean: d.e.mean, lo: d.e.lo, hi: d.e.hi,
    state: d.exploding ? 'exploding' : 'finite', n: d.e.n,
  })));
}

const SHAPE = { field: 'state', type: 'nominal', title: null, scale: { domain: ['finite', 'exploding'], range: ['circle', 'triangle-up'] } };

function facetOf(lines: readonly DepthLine[]) {
  const panel = panelOf(lines);
  // Panels in line order: task condition first, then activation (lines are sorted that way).
  const panels = [...new Set(lines.map(panel))];
  return { facet: { field: 'panel', type: 'nominal', sort: panels, title: null, header: { labelLimit: 400 } }, columns: Math.min(2, panels.length) };
}

/** The centrepiece: s against L, one line per a, the ‖A‖^{LT} prediction dashed. */
export function decayGainFigure(data: StudyData): Built {
  const lines = depthLines(data).filter((l) => l.family === 'plain' && l.depths.length >= 2);
  if (lines.length === 0 || (new Set(lines.map((l) => l.gain)).size < 2 && !lines.some((l) => l.activation === 'identity'))) return null;
  const a = (l: DepthLine) => fmt(l.gain);
  const measured = depthRows(lines, a);
  const panel = panelOf(lines);
  const predicted = lines.flatMap((l) => [0, ...l.depths].map((L) => ({ series: a(l), panel: panel(l), L, pred: L * Math.log(l.gain) })));
  const color = { field: 'series', type: 'ordinal', title: 'gain a = ‖W_l‖', scale: gainScale(lines.map((l) => l.gain)) };
  const x = { field: 'L', type: 'quantitative', title: 'transition depth L' };
  return {
    title: 'Per-step gradient decay against transition depth, one line per ‖W_l‖',
    caption: 'Plain deep transitions at initialisation (no training): the fitted per-step slope s of log‖∂L/∂h_t‖ against lag (0: the gradient keeps its size; −0.5: it shrinks by e^−0.5 ≈ 0.61 each step; positive: it grows) '
      + 'against the transition depth L, one colour per gain a of the orthogonal W_l (‖W_l‖ = a); points: mean over seeds, bars: 95% CI. Dashed, same colour: the ‖A‖^{LT} prediction s = L·log a. '
      + 'One panel per activation: the identity is the linear control, where the prediction is exact; with tanh the gap between the solid and the dashed line is the decay the tanh derivatives add. '
      + 'Triangles: depths where a run exploded (the gradient overflowed); its point is the growth rate fitted over the finite part, never dropped.',
    spec: {
      ...facetOf(lines), resolve: { scale: { y: 'independent' } },
      data: { values: [...measured, ...predicted] },
      spec: {
        width: 300, height: 220,
        layer: [
          { transform: [{ filter: 'isValid(datum.pred)' }], mark: { type: 'line', strokeDash: [5, 4], strokeWidth: 1.2, opacity: 0.8 }, encoding: { x, y: { field: 'pred', type: 'quantitative', title: 'per-step log-slope s' }, color } },
          { transform: [{ filter: 'isValid(datum.mean)' }], mark: { type: 'rule', strokeWidth: 1.2 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
          { transform: [{ filter: 'isValid(datum.mean)' }], mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
          { transform: [{ filter: 'isValid(datum.mean)' }], mark: { type: 'point', filled: true, size: 45 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color, shape: SHAPE } },
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
  const label = (l: DepthLine) => (l.transformBias !== null && !l.label.includes('transformBias') ? `${l.label} b_T=${l.transformBias}` : l.label);
  const rows = depthRows(lines, label);
  const series = [...new Set(rows.map((r) => r.series))];
  const x = { field: 'L', type: 'quantitative', title: 'transition depth L' };
  const color = { field: 'series', type: 'nominal', sort: series, title: 'transition', scale: { scheme: 'tableau10' }, legend: { labelLimit: 320 } };
  return {
    title: 'Per-step gradient decay against depth for each transition variant, at ‖W_l‖ = 1',
    caption: 'The same measurement as the previous figure at a = 1 (where the ‖A‖^{LT} prediction is s = 0, the grey line) for every transition variant: plain as the reference, shortcut, residual (scaled or layer-normed where the study has them) '
      + 'and highway with each transform-gate bias b_T. Points: mean over seeds, bars: 95% CI; triangles: exploding runs, kept with their growth rate.',
    spec: {
      ...facetOf(lines), resolve: { scale: { y: 'independent' } },
      data: { values: rows },
      spec: {
        width: 320, height: 220,
        layer: [
          { data: { values: [{}] }, mark: { type: 'rule', color: '#999' }, encoding: { y: { datum: 0 } } },
          { mark: { type: 'rule', strokeWidth: 1.2 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'per-step log-slope s' }, y2: { field: 'hi' }, color } },
          { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
          { mark: { type: 'point', filled: true, size: 45 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color, shape: SHAPE } },
        ],
      },
    } as unknown as VlSpec,
  };
}

const KINDS = { estimate: 'T₅₀, 95% CI', above: 'all solved: above', below: 'none solved: below', between: 'a step: between' } as const;

/** The decisive plot: T₅₀ against the gradient horizon at initialisation. */
export function t50HorizonFigure(curves: readonly ModelCurve[]): Built {
  const usable = curves.filter((c) => c.horizon !== null && c.horizon > 0);
  if (usable.length === 0) return null;
  const finiteH = usable.map((c) => c.horizon!).filter(Number.isFinite);
  const Ts = usable.flatMap((c) => c.fit.levels.map((l) => l.T));
  const lo = Math.min(...Ts, ...finiteH) / 2, hi = Math.max(...Ts, ...finiteH) * 2;
  const clamp = (v: number) => Math.min(hi, Math.max(lo, v));
  const rows = usable.map((c) => {
    const f = c.fit;
    const x = c.horizon === Infinity ? hi : clamp(c.horizon!);
    const y = f.kind === 'estimate' ? clamp(f.t50!) : f.hi === Infinity ? clamp(f.lo) : f.lo === 0 ? clamp(f.hi) : clamp(Math.sqrt(f.lo * f.hi));
    // A one-sided "between" (open above or below) is drawn as the bound it is.
    const side = f.kind === 'between' && f.hi === Infinity ? 'above' : f.kind === 'between' && f.lo === 0 ? 'below' : f.kind;
    const kind = KINDS[side];
    return { model: c.model.label, task: c.taskName, x, y, ylo: clamp(f.lo || lo), yhi: clamp(f.hi), kind, text: f.text };
  });
  const tasks = [...new Set(rows.map((r) => r.task))];
  const scale = { type: 'log', domain: [lo, hi], nice: false };
  const xEnc = { field: 'x', type: 'quantitative', scale, title: `gradient horizon at initialisation, log(1e-3)/s (steps)` };
  return {
    title: 'Measured T₅₀ against the gradient horizon predicted at initialisation',
    caption: 'Each model is one point: x, the lag at which its gradient at initialisation has fallen to 1e-3 (log(1e-3)/s, s its median per-step slope at step 0); y, the sequence length at which its training success falls to 50% (logistic fit, 95% bootstrap CI as a bar). '
      + 'Log–log axes; dashed: y = x, where the trainable length equals the horizon the gradient predicts. Where the outcomes were separated by T no T₅₀ exists: up-triangles (all solved: T₅₀ lies above the longest T tested), '
      + 'down-triangles (none solved: below the shortest), diamonds (a clean step: between two lengths, bar). Models whose gradient did not decay at initialisation (horizon ∞) sit at the right edge. '
      + 'Points off the diagonal are models that break the relation: above it they train beyond their initial horizon (e.g. gated or critically initialised transitions).'
      + (curves.some((c) => c.impliedTs.length || c.cells.some((x) => x.implied)) ? ' Lengths the runner skipped after every seed failed at a shorter one count as failures in these fits (the study\'s assumption: success does not rise with T).' : ''),
    spec: {
      data: { values: rows },
      ...(tasks.length > 1 ? { facet: { column: { field: 'task', type: 'nominal', title: null } }, spec: inner() } : inner()),
    } as unknown as VlSpec,
  };
  function inner() {
    return {
      width: 380, height: 320,
      layer: [
        { data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] }, mark: { type: 'line', strokeDash: [5, 4], color: '#888' }, encoding: { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale } } },
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: xEnc, y: { field: 'ylo', type: 'quantitative', scale, title: 'T₅₀ (sequence length at 50% success)' }, y2: { field: 'yhi' }, color: { field: 'model', type: 'nominal', title: 'model', scale: { scheme: 'tableau20' }, legend: { labelLimit: 320 } } } },
        {
          mark: { type: 'point', filled: true, size: 80, opacity: 0.9 },
          encoding: {
            x: xEnc, y: { field: 'y', type: 'quantitative', scale }, color: { field: 'model', type: 'nominal', scale: { scheme: 'tableau20' } },
            shape: { field: 'kind', type: 'nominal', title: null, scale: { domain: Object.values(KINDS), range: ['circle', 'triangle-up', 'triangle-down', 'diamond'] }, legend: { labelLimit: 320 } },
          },
        },
      ],
    };
  }
}

/** gtt slope over training, per model, for one task (median over seeds at each recorded fraction of the budget). */
export function slopesFigure(data: StudyData, gtt: Map<string, TrialGtt>, taskName: string): Built {
  const acc = new Map<string, { model: string; T: string; fraction: number; values: number[] }>();
  for (const v of data.trials.filter((x) => x.task.name === taskName)) {
    const points = gtt.get(v.trial.key)?.slopes;
    const budget = Number(v.trial.config?.training?.steps) || 0;
    if (!points || budget <= 0) continue;
    for (const p of points) {
      const fraction = Math.round((p.step / budget) * 1000) / 1000;
      const key = `${v.model.label}\u0000${v.task.key}\u0000${fraction}`;
      const e = acc.get(key) ?? { model: v.model.label, T: v.task.axesLabel || v.task.label, fraction, values: [] };
      e.values.push(p.slope);
      acc.set(key, e);
    }
  }
  if (new Set([...acc.values()].map((e) => e.fraction)).size < 3) return null;
  const rows = [...acc.values()].map((e) => ({ model: e.model, T: e.T, fraction: e.fraction, slope: e.values.sort((a, b) => a - b)[e.values.length >> 1] }));
  const Ts = [...new Set(rows.map((r) => r.T))];
  return {
    title: `Gradient decay over training: ${taskName}`,
    caption: `The fitted per-step slope of log‖∂L/∂h_t‖ at each recorded point of training (fraction of the step budget; 0 = initialisation), median over seeds, one line per model, one panel per task setting of ${taskName}. `
      + 'A slope rising towards 0 during training means the model learned to carry gradient further back.',
    spec: {
      data: { values: rows },
      facet: { field: 'T', type: 'nominal', sort: Ts, title: null }, columns: Math.min(3, Ts.length),
      spec: {
        width: 220, height: 150,
        mark: { type: 'line', point: { filled: true, size: 25 }, strokeWidth: 1.6 },
        encoding: {
          x: { field: 'fraction', type: 'quantitative', title: 'fraction of training', scale: { domain: [0, 1] } },
          y: { field: 'slope', type: 'quantitative', title: 'per-step log-slope' },
          color: { field: 'model', type: 'nominal', title: 'model', scale: { scheme: 'tableau20' } },
        },
      },
    } as unknown as VlSpec,
  };
}
