/**
 * The figures of the deep-transition question (Vega-Lite specs; plots.ts renders and lists them; the two
 * decay figures are built in plots-depth.ts):
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
import type { StudyData } from './data.js';
import type { VlSpec } from './render.js';
import type { TrialGtt } from './series.js';
import type { ModelCurve } from './trainability.js';

export type Built = { title: string; caption: string; spec: VlSpec } | null;

const KINDS = {
  estimate: 'T₅₀, 95% CI',
  above: 'all solved: above',
  below: 'none solved: below',
  between: 'a step: between',
} as const;

/** The decisive plot: T₅₀ against the gradient horizon at initialisation. */
export function t50HorizonFigure(curves: readonly ModelCurve[]): Built {
  const usable = curves.filter((c) => c.horizon !== null && c.horizon > 0);
  if (usable.length === 0) return null;
  const finiteH = usable.map((c) => c.horizon!).filter(Number.isFinite);
  const Ts = usable.flatMap((c) => c.fit.levels.map((l) => l.T));
  const lo = Math.min(...Ts, ...finiteH) / 2,
    hi = Math.max(...Ts, ...finiteH) * 2;
  const clamp = (v: number) => Math.min(hi, Math.max(lo, v));
  const rows = usable.map((c) => {
    const f = c.fit;
    const x = c.horizon === Infinity ? hi : clamp(c.horizon!);
    const y =
      f.kind === 'estimate'
        ? clamp(f.t50!)
        : f.hi === Infinity
          ? clamp(f.lo)
          : f.lo === 0
            ? clamp(f.hi)
            : clamp(Math.sqrt(f.lo * f.hi));
    // A one-sided "between" (open above or below) is drawn as the bound it is.
    const side =
      f.kind === 'between' && f.hi === Infinity ? 'above' : f.kind === 'between' && f.lo === 0 ? 'below' : f.kind;
    const kind = KINDS[side];
    return {
      model: c.model.label,
      task: c.taskName,
      x,
      y,
      ylo: clamp(f.lo || lo),
      yhi: clamp(f.hi),
      kind,
      text: f.text,
    };
  });
  const tasks = [...new Set(rows.map((r) => r.task))];
  const scale = { type: 'log', domain: [lo, hi], nice: false };
  const xEnc = {
    field: 'x',
    type: 'quantitative',
    scale,
    title: `gradient horizon at initialisation, log(1e-3)/s (steps)`,
  };
  return {
    title: 'Measured T₅₀ against the gradient horizon predicted at initialisation',
    caption:
      'Each model is one point: x, the lag at which its gradient at initialisation has fallen to 1e-3 (log(1e-3)/s, s its median per-step slope at step 0); y, the sequence length at which its training success falls to 50% (logistic fit, 95% bootstrap CI as a bar). ' +
      'Log–log axes; dashed: y = x, where the trainable length equals the horizon the gradient predicts. Where the outcomes were separated by T no T₅₀ exists: up-triangles (all solved: T₅₀ lies above the longest T tested), ' +
      'down-triangles (none solved: below the shortest), diamonds (a clean step: between two lengths, bar). Models whose gradient did not decay at initialisation (horizon ∞) sit at the right edge. ' +
      'Points off the diagonal are models that break the relation: above it they train beyond their initial horizon (e.g. gated or critically initialised transitions).' +
      (curves.some((c) => c.impliedTs.length || c.cells.some((x) => x.implied))
        ? " Lengths the runner skipped after every seed failed at a shorter one count as failures in these fits (the study's assumption: success does not rise with T)."
        : ''),
    spec: {
      data: { values: rows },
      ...(tasks.length > 1
        ? { facet: { column: { field: 'task', type: 'nominal', title: null } }, spec: inner() }
        : inner()),
    } as unknown as VlSpec,
  };
  function inner() {
    return {
      width: 380,
      height: 320,
      layer: [
        {
          data: {
            values: [
              { x: lo, y: lo },
              { x: hi, y: hi },
            ],
          },
          mark: { type: 'line', strokeDash: [5, 4], color: '#888' },
          encoding: { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale } },
        },
        {
          mark: { type: 'rule', strokeWidth: 1.5 },
          encoding: {
            x: xEnc,
            y: { field: 'ylo', type: 'quantitative', scale, title: 'T₅₀ (sequence length at 50% success)' },
            y2: { field: 'yhi' },
            color: {
              field: 'model',
              type: 'nominal',
              title: 'model',
              scale: { scheme: 'tableau20' },
              legend: { labelLimit: 320 },
            },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 80, opacity: 0.9 },
          encoding: {
            x: xEnc,
            y: { field: 'y', type: 'quantitative', scale },
            color: { field: 'model', type: 'nominal', scale: { scheme: 'tableau20' } },
            shape: {
              field: 'kind',
              type: 'nominal',
              title: null,
              scale: { domain: Object.values(KINDS), range: ['circle', 'triangle-up', 'triangle-down', 'diamond'] },
              legend: { labelLimit: 320 },
            },
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
  const rows = [...acc.values()].map((e) => ({
    model: e.model,
    T: e.T,
    fraction: e.fraction,
    slope: e.values.sort((a, b) => a - b)[e.values.length >> 1],
  }));
  const Ts = [...new Set(rows.map((r) => r.T))];
  return {
    title: `Gradient decay over training: ${taskName}`,
    caption:
      `The fitted per-step slope of log‖∂L/∂h_t‖ at each recorded point of training (fraction of the step budget; 0 = initialisation), median over seeds, one line per model, one panel per task setting of ${taskName}. ` +
      'A slope rising towards 0 during training means the model learned to carry gradient further back.',
    spec: {
      data: { values: rows },
      facet: { field: 'T', type: 'nominal', sort: Ts, title: null },
      columns: Math.min(3, Ts.length),
      spec: {
        width: 220,
        height: 150,
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
