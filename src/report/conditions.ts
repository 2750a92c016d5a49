/**
 * What a stored trial's resolved config says, for the report's labels and order: the transition family and
 * depth L of its model, the cell's activation, gain and highway bias, its task's metric, baseline and solved
 * threshold, grid values as labels, and the disambiguation of model labels (report/data.ts groups with these).
 */
import { DEFAULT_INFORMATIVE } from '../runner/pilot-rule.js';
import type { StoredTrial } from '../runner/store.js';
import { createTask, type TaskSpec } from '../tasks/registry.js';
import type { ModelInfo, TaskInfo, TrialView } from './data.js';

/** The transition families in the order tables and plots list them (others after). */
export const FAMILY_ORDER = [
  'vanilla-tanh',
  'vanilla-relu',
  'vanilla-relu-id',
  'plain',
  'shortcut',
  'residual',
  'highway',
  'gru',
  'lstm',
  'lru',
];

/** The short name of a grid axis: its last path segment ("training.optimizer.lr" → "lr"). */
export function axisName(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

/** A grid value as a label shows it (objects as JSON). */
export function formatValue(v: unknown): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** "lr=0.01 · T=50": the grid values whose paths `keep` accepts, sorted by path. */
export function axesLabel(axes: Record<string, unknown>, keep: (path: string) => boolean): string {
  return Object.keys(axes)
    .filter(keep)
    .sort()
    .map((k) => `${axisName(k)}=${formatValue(axes[k])}`)
    .join(' · ');
}

/** A task condition's label with its sequence length, "probe (T = 200)", unless T is already a grid value in it. */
export function taskWithT(t: TaskInfo): string {
  return t.T !== null && !/(^|· )T=/.test(t.axesLabel) ? `${t.label} (T = ${t.T})` : t.label;
}

/** A trial that was measured at initialisation only (training.steps = 0): it has no success to report. */
export function isUntrained(v: TrialView): boolean {
  return Number(v.trial.config?.training?.steps) === 0;
}

/** A trial of the learning-rate pilot (excluded from every analysis but the pilot table). */
export function isPilot(config: StoredTrial['config']): boolean {
  return (config as { phase?: unknown } | undefined)?.phase === 'pilot';
}

/** Activation, recurrent gain a and highway bias b_T of a trial's cell (defaults: tanh, 1, −2). */
export function cellParams(config: StoredTrial['config']): {
  activation: string;
  gain: number;
  transformBias: string | null;
} {
  const cell = (config?.model?.cell ?? {}) as Record<string, unknown>;
  const gain = Number((cell.recurrentInit as { gain?: unknown } | undefined)?.gain ?? 1);
  const tb = cell.transformBias;
  const highway = cell.kind === 'deep' && cell.variant === 'highway';
  // An absent b_T is the cell's default, depth-aware (cells/deep.ts).
  return {
    activation: String(cell.activation ?? 'tanh'),
    gain: Number.isFinite(gain) ? gain : 1,
    transformBias: highway ? (tb === undefined ? 'depth-aware' : String(tb).replace(/^-/, '−')) : null,
  };
}

/** Transition family and depth from a trial's resolved model shape. */
export function familyOf(config: StoredTrial['config']): {
  family: string;
  label: string;
  depth: number;
  deep: boolean;
} {
  const cell = (config?.model?.cell ?? {}) as Record<string, unknown>;
  const kind = String(cell.kind ?? 'unknown');
  if (kind === 'deep') {
    const variant = String(cell.variant ?? 'plain');
    const ln = cell.layerNorm ? '+LN' : '';
    const act = cell.activation !== undefined && cell.activation !== 'tanh' ? ` (${String(cell.activation)})` : '';
    const rho =
      cell.residualScale === undefined || variant !== 'residual'
        ? ''
        : cell.residualScale === 'sqrt-depth'
          ? ' ρ=1/√L'
          : ` ρ=${String(cell.residualScale)}`;
    return { family: variant + ln, label: variant + ln + rho + act, depth: Number(cell.depth ?? 1), deep: true };
  }
  if (kind === 'vanilla') {
    const act = String(cell.activation ?? 'tanh');
    const identity = (cell.recurrentInit as { kind?: string } | undefined)?.kind === 'identity';
    const label = act === 'relu' && identity ? 'IRNN' : `vanilla ${act}${identity ? ' (identity init)' : ''}`;
    return { family: `vanilla-${act}${identity ? '-id' : ''}`, label, depth: 1, deep: false };
  }
  const names: Record<string, string> = { gru: 'GRU', lstm: 'LSTM', lru: 'LRU' };
  return { family: kind, label: names[kind] ?? kind, depth: 1, deep: false };
}

/** What a task's resolved spec says about scoring it (see taskScore). */
export type Score = {
  kind: string;
  metric: string | null;
  target: 'last' | 'all' | null;
  baseline: number | null;
  below: number | null;
  above: number | null;
  T: number | null;
};
const taskCache = new Map<string, Score>();

/** The task's metric, baseline and solved threshold, rebuilt from its resolved spec (cached per spec). */
export function taskScore(spec: unknown): Score {
  const id = JSON.stringify(spec);
  let s = taskCache.get(id);
  if (!s) {
    const kind = String((spec as { kind?: unknown } | null)?.kind ?? 'unknown');
    const specT = (spec as { T?: unknown } | null)?.T;
    try {
      const t = createTask(spec as TaskSpec);
      s = {
        kind,
        metric: t.metric,
        target: t.target,
        baseline: t.baseline,
        below: t.solvedBelow ?? null,
        above: t.solvedAbove ?? null,
        T: typeof specT === 'number' ? specT : t.T,
      };
    } catch {
      // A task that cannot be rebuilt here (e.g. a text file that moved): plot and tabulate without its baseline.
      s = {
        kind,
        metric: null,
        target: null,
        baseline: null,
        below: null,
        above: null,
        T: typeof specT === 'number' ? specT : null,
      };
    }
    taskCache.set(id, s);
  }
  return s;
}

/** A comparator from sort keys, first key first. */
export const by =
  <T>(...keys: ((x: T) => number | string)[]) =>
  (a: T, b: T): number => {
    for (const k of keys) {
      const x = k(a),
        y = k(b);
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  };

/** The study's pilot.informative (0.9, the runner's default, when the config does not say). */
export function pilotInformativeOf(config: unknown): number {
  const v = (config as { pilot?: { informative?: unknown } } | undefined)?.pilot?.informative;
  return typeof v === 'number' && v > 0 && v <= 1 ? v : DEFAULT_INFORMATIVE;
}

/**
 * Labels: "plain L=4". When two study models would share a label at some depth, every model of that variant
 * gets the study's model name appended (so a variant's line over depth never changes name halfway).
 */
export function disambiguate(models: ModelInfo[]): void {
  const owners = new Map<string, Set<string>>();
  for (const m of models) {
    const k = `${m.variant}\u0000${m.depth}`;
    owners.set(k, (owners.get(k) ?? new Set()).add(m.name));
  }
  const clash = new Set(
    models.filter((m) => owners.get(`${m.variant}\u0000${m.depth}`)!.size > 1).map((m) => m.variant),
  );
  for (const m of models) {
    if (clash.has(m.variant)) m.variant = `${m.variant} [${m.name}]`;
    m.label = m.deep ? `${m.variant} L=${m.depth}` : m.variant;
  }
}
