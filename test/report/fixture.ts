/**
 * Synthetic studies for the report tests: a ResultStore filled with trials shaped exactly like the runner's
 * (status, solvedAt, final, metric series, 'gtt' curves, summaries), with known answers built in.
 *
 * Per-step log-slopes at init: plain = plainRate·L, shortcut −0.04 − 0.005L, residual −0.02 − 0.002L,
 * highway −0.01, vanilla tanh −0.08, IRNN −0.01, GRU −0.03, LSTM −0.015, LRU −0.005 (±0.01 noise); at the
 * end 0.6× that. Theory bounds: tanh log(γ‖A‖) = −0.05, IRNN 0, plain plainBound·L; gated cells none.
 * Measured curves stay under their bounds unless `violateBound`. Success probability falls with
 * |slope_end|·T, so long T and deep plain transitions fail.
 */
import { parseTaskSpec } from '../../src/tasks/registry.js';
import { ResultStore, type TrialRecord } from '../../src/runner/store.js';
import type { TrialSpec } from '../../src/runner/grid.js';

export interface FixtureOptions {
  study?: string;
  description?: string;
  seeds?: number[];
  addingT?: number[];
  copyT?: number[];
  depths?: number[];
  /** Per-step log-slope per unit of depth for plain deep transitions (default −0.08). */
  plainRate?: number;
  /** Per-layer log(γ‖W_l‖) of plain deep transitions (default −0.05). */
  plainBound?: number;
  /** Make the vanilla tanh curves exceed their bound. */
  violateBound?: boolean;
  /** Add a diverged and a failed trial. */
  accidents?: boolean;
  /** Add names and texts with HTML special characters. */
  evil?: boolean;
  /** Decide success directly (default: random, less likely for fast decay and long T). */
  solved?: (family: string, depth: number, T: number, seed: number) => boolean;
  /** Leave out these model names. */
  without?: string[];
  budget?: number;
}

export const EVIL = '<script>alert("x")</script>';

/** Deterministic uniform numbers from a string seed (mulberry32 over a string hash). */
function rngFor(key: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Model = { name: string; shape: TrialSpec['model']; axes: Record<string, unknown>; family: string; depth: number };

function models(o: FixtureOptions): Model[] {
  const depths = o.depths ?? [1, 2, 4, 8];
  const list: Model[] = [
    { name: 'tanh', shape: { cell: { kind: 'vanilla', hidden: 64 } }, axes: {}, family: 'tanh', depth: 1 },
    {
      name: 'irnn',
      shape: { cell: { kind: 'vanilla', hidden: 64, activation: 'relu', recurrentInit: { kind: 'identity' } } },
      axes: {},
      family: 'irnn',
      depth: 1,
    },
  ];
  for (const variant of ['plain', 'shortcut', 'residual', 'highway'] as const) {
    for (const L of depths)
      list.push({
        name: `deep-${variant}`,
        shape: { cell: { kind: 'deep', hidden: 64, depth: L, variant } },
        axes: { 'model.cell.depth': L },
        family: variant,
        depth: L,
      });
  }
  for (const kind of ['gru', 'lstm', 'lru'] as const)
    list.push({ name: kind, shape: { cell: { kind, hidden: 64 } }, axes: {}, family: kind, depth: 1 });
  if (o.evil)
    list.push({ name: EVIL, shape: { cell: { kind: 'vanilla', hidden: 8 } }, axes: {}, family: 'tanh', depth: 1 });
  return list.filter((m) => !(o.without ?? []).includes(m.name));
}

function slopeOf(family: string, L: number, o: FixtureOptions): { slope: number; bound: number | null } {
  const plainBound = o.plainBound ?? -0.05;
  switch (family) {
    case 'plain':
      return { slope: (o.plainRate ?? -0.08) * L, bound: plainBound * L };
    case 'shortcut':
      return { slope: -0.04 - 0.005 * L, bound: null };
    case 'residual':
      return { slope: -0.02 - 0.002 * L, bound: null };
    case 'highway':
      return { slope: -0.01, bound: null };
    case 'tanh':
      return { slope: o.violateBound ? -0.02 : -0.08, bound: -0.05 };
    case 'irnn':
      return { slope: -0.01, bound: 0 };
    case 'gru':
      return { slope: -0.03, bound: null };
    case 'lstm':
      return { slope: -0.015, bound: null };
    default:
      return { slope: -0.005, bound: null };
  }
}

function gttCurve(
  T: number,
  slope: number,
  bound: number | null,
  rand: () => number,
  scale: number,
): Record<string, unknown> {
  const t = Array.from({ length: T }, (_, i) => i + 1);
  const end = scale;
  // Noise only ever lowers the curve (factor ≤ 1), so a curve whose slope is under the bound stays under it.
  const mean = t.map((s) => (s === T ? end : end * Math.exp(slope * (T - s)) * Math.exp(-0.2 * rand())));
  return {
    t,
    mean,
    std: mean.map((m) => 0.3 * m),
    bound: bound === null ? null : t.map((s) => end * Math.exp(bound * (T - s))),
    slope,
    slopeLow: slope - 0.004,
    slopeHigh: slope + 0.004,
    horizon: slope < 0 ? Math.log(1e-3) / slope : null,
  };
}

function record(spec: TrialSpec, m: Model, T: number, o: FixtureOptions): TrialRecord {
  const rand = rngFor(spec.key);
  const budget = o.budget ?? 2000;
  const task = spec.task.kind;
  const baseline = task === 'adding' ? 1 / 6 : (10 * Math.log(8)) / (T + 20);
  const threshold = task === 'adding' ? 0.01 : 0.1 * baseline;
  const { slope, bound } = slopeOf(m.family, m.depth, o);
  const init = slope + 0.01 * (rand() - 0.5);
  const end = 0.6 * init;
  const hardness = Math.abs(end) * T * (task === 'copy' ? 0.8 : 0.5);
  const chance = rand() < 1 / (1 + Math.exp(hardness - 3));
  const solved = o.solved ? o.solved(m.family, m.depth, T, spec.seed) : chance;
  const solvedAt = solved
    ? Math.min(budget, Math.max(100, Math.round((budget * (0.15 + 0.5 * rand()) * Math.sqrt(T / 50)) / 100) * 100))
    : null;
  const finalMetric = solved ? threshold * (0.2 + 0.6 * rand()) : baseline * (0.92 + 0.1 * rand());
  const metrics: TrialRecord['metrics'] = [];
  for (let s = 0; s <= budget; s += budget / 100) {
    const target = solvedAt
      ? threshold *
        Math.exp((-2 * Math.max(0, s - solvedAt)) / budget) *
        (s < solvedAt ? (baseline / threshold) ** (1 - s / solvedAt) : 1)
      : baseline * (1 - 0.2 * (s / budget));
    metrics.push({ step: s, name: 'train.loss', value: target * (0.9 + 0.2 * rand()) });
    metrics.push({ step: s, name: 'train.gradNorm', value: 0.5 + rand() });
  }
  for (let s = 100; s <= budget; s += 100)
    metrics.push({ step: s, name: 'eval.metric', value: solvedAt && s >= solvedAt ? finalMetric : baseline * 0.95 });
  const curves = [
    { kind: 'gtt', step: 0, layer: 0, data: gttCurve(T, init, bound, rand, 0.1) },
    { kind: 'gtt', step: budget, layer: 0, data: gttCurve(T, end, bound === null ? null : bound * 0.6, rand, 0.05) },
  ];
  return {
    status: 'done',
    steps: solvedAt ?? budget,
    divergedAt: null,
    error: null,
    solvedAt,
    final: { loss: finalMetric, metric: finalMetric },
    seconds: 1 + 0.02 * T * m.depth * (1 + rand()),
    metrics,
    curves,
    summary: {
      'decay.init': init,
      'decay.end': end,
      'bound.perStep': bound,
      'bound.perStep.init': bound,
      'bound.perStep.end': bound === null ? null : bound * 0.6,
      'lyapunov.init': init,
      'lyapunov.end': end,
      'jacobian.init': Math.exp(init),
      'jacobian.end': Math.exp(end),
    },
  };
}

/** Fill `store` with a synthetic study; returns the trial specs written. */
export function fillStore(store: ResultStore, o: FixtureOptions = {}): TrialSpec[] {
  const study = o.study ?? 'deep-transition';
  const seeds = o.seeds ?? [1, 2, 3];
  const tasks = [
    ...(o.addingT ?? [20, 50, 100]).map((T) => ({
      name: o.evil ? `adding${EVIL}` : 'adding',
      spec: parseTaskSpec({ kind: 'adding', T }),
      T,
    })),
    ...(o.copyT ?? [20, 50]).map((T) => ({ name: 'copy', spec: parseTaskSpec({ kind: 'copy', T }), T })),
  ];
  const training = {
    steps: o.budget ?? 2000,
    batchSize: 32,
    optimizer: { kind: 'adam', lr: 0.001 },
    evalEvery: 100,
  } as unknown as TrialSpec['training'];
  store.saveStudy(study, 'studies/deep-transition.yaml', {
    name: study,
    description: o.description ?? 'Deep transitions against the vanilla, gated and linear recurrent cells.',
  });
  const specs: TrialSpec[] = [];
  for (const task of tasks)
    for (const m of models(o))
      for (const seed of seeds) {
        const axes = { 'task.T': task.T, ...m.axes };
        const index = specs.length;
        const spec: TrialSpec = {
          key: `${study}-${index}`,
          index,
          label: `${m.name} · ${task.name} · T=${task.T} · seed ${seed}`,
          study,
          taskName: task.name,
          task: task.spec,
          modelName: m.name,
          model: m.shape,
          training,
          seed,
          instruments: {},
          axes,
        };
        let rec = record(spec, m, task.T, o);
        if (o.accidents && m.name === 'irnn' && seed === seeds[0] && task.T === tasks[0].T) {
          rec = {
            ...rec,
            status: 'diverged',
            divergedAt: 340,
            steps: 340,
            solvedAt: null,
            final: null,
            metrics: rec.metrics
              .filter((p) => p.step <= 340)
              .concat([{ step: 340, name: 'train.loss', value: Number.NaN }]),
            curves: rec.curves.slice(0, 1),
            summary: { ...rec.summary, 'decay.end': null },
          };
        }
        if (o.accidents && m.name === 'lru' && seed === seeds[seeds.length - 1] && task.name === 'copy') {
          rec = {
            ...rec,
            status: 'failed',
            error: `Error: worker crashed on ${EVIL} & <b>more</b>`,
            steps: 0,
            solvedAt: null,
            final: null,
            metrics: [],
            curves: [],
            summary: {},
          };
        }
        store.writeTrial(spec, rec);
        specs.push(spec);
      }
  return specs;
}

/** A fresh in-memory store with a synthetic study. */
export function fixtureStore(o: FixtureOptions = {}): ResultStore {
  const store = new ResultStore(':memory:');
  fillStore(store, o);
  return store;
}
