/**
 * A study's trials, read from the results store and grouped for the report.
 *
 *   task condition  = study task name + its grid values      ("adding · T=50")
 *   model condition = study model name + its grid values     ("plain L=4"), training grid values included
 *   group           = one model condition on one task condition, over seeds
 *
 * What the report calls success: status done and solvedAt ≠ null (the runner's first evaluation meeting the
 * task's solved criterion). The success rate's denominator is every trial of the group, diverged and failed
 * ones included. Each model condition also gets a *family* (the transition: tanh, plain, highway, GRU…) and
 * a depth L read from its resolved config, so plots can put depth on an axis whatever the study named things.
 */
import type { ResultStore, StoredTrial } from '../runner/store.js';
import { createTask, type TaskSpec } from '../tasks/registry.js';
import { estimate, median, type Estimate } from './stats.js';

export interface TaskInfo {
  key: string;
  /** The study's name for the task entry, e.g. 'adding'. */
  name: string;
  kind: string;
  /** Grid values, e.g. "T=50" ('' without a grid). */
  axesLabel: string;
  label: string;
  T: number | null;
  metric: string | null;
  /** 'last': the loss reads h_T only (many-to-one); 'all': a loss at every step. */
  target: 'last' | 'all' | null;
  /** The trivial predictor's metric and the solved threshold (null when the task cannot be rebuilt). */
  baseline: number | null;
  solvedBelow: number | null;
  solvedAbove: number | null;
  order: number;
}

export interface ModelInfo {
  key: string;
  /** The study's name for the model entry, e.g. 'deep-plain'. */
  name: string;
  /** Transition family id: 'plain' | 'shortcut' | 'residual' | 'highway' | 'vanilla-tanh' | 'gru' | … */
  family: string;
  familyLabel: string;
  /** Family plus any other grid values (hidden=…, lr=…): the unit plots colour or facet by. */
  variant: string;
  /** Transition depth L (1 for cells without one). */
  depth: number;
  deep: boolean;
  /** The cell's activation ('tanh' unless the config says otherwise). */
  activation: string;
  /** Gain a of the recurrent initialisation (‖W_l‖ = a for orthogonal W_l; 1 when not given). */
  gain: number;
  /** Highway transform-gate bias b_T as configured ('−2' by default; 'depth-aware'), null for other cells. */
  transformBias: string | null;
  label: string;
  order: number;
}

export interface TrialView {
  trial: StoredTrial;
  task: TaskInfo;
  model: ModelInfo;
  solved: boolean;
}

export interface Group {
  key: string;
  task: TaskInfo;
  model: ModelInfo;
  trials: TrialView[];
  seeds: number;
  done: number;
  diverged: number;
  failed: number;
  solved: number;
  /** solved / trials. */
  successRate: number;
  /** Median solvedAt over the solved trials. */
  stepsToSolve: number | null;
  /** Median final metric over the done trials. */
  finalMetric: number | null;
  decayInit: Estimate | null;
  decayEnd: Estimate | null;
  boundPerStep: Estimate | null;
  seconds: number;
}

export interface StudyData {
  name: string;
  description: string | null;
  /** Every trial but the learning-rate pilot's (which no analysis but the pilot table may use). */
  trials: TrialView[];
  /** Trials of the per-model learning-rate pilot (`config.phase === 'pilot'`). */
  pilot: TrialView[];
  /** The pilot's rule: a setting decides when some lr's mean loss < informative × baseline (study's pilot.informative). */
  pilotInformative: number;
  groups: Group[];
  tasks: TaskInfo[];
  models: ModelInfo[];
  counts: { total: number; done: number; diverged: number; failed: number; solved: number };
  seconds: number;
}

const FAMILY_ORDER = ['vanilla-tanh', 'vanilla-relu', 'vanilla-relu-id', 'plain', 'shortcut', 'residual', 'highway', 'gru', 'lstm', 'lru'];

/** The short name of a grid axis: its last path segment ("training.optimizer.lr" → "lr"). */
export function axisName(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

function formatValue(v: unknown): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

function axesLabel(axes: Record<string, unknown>, keep: (path: string) => boolean): string {
  return Object.keys(axes).filter(keep).sort().map((k) => `${axisName(k)}=${formatValue(axes[k])}`).join(' · ');
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
export function cellParams(config: StoredTrial['config']): { activation: string; gain: number; transformBias: string | null } {
  const cell = (config?.model?.cell ?? {}) as Record<string, unknown>;
  const gain = Number((cell.recurrentInit as { gain?: unknown } | undefined)?.gain ?? 1);
  const tb = cell.transformBias;
  const highway = cell.kind === 'deep' && cell.variant === 'highway';
  // An absent b_T is the cell's default, depth-aware (cells/deep.ts).
  return { activation: String(cell.activation ?? 'tanh'), gain: Number.isFinite(gain) ? gain : 1, transformBias: highway ? (tb === undefined ? 'depth-aware' : String(tb).replace(/^-/, '−')) : null };
}

/** Transition family and depth from a trial's resolved model shape. */
export function familyOf(config: StoredTrial['config']): { family: string; label: string; depth: number; deep: boolean } {
  const cell = (config?.model?.cell ?? {}) as Record<string, unknown>;
  const kind = String(cell.kind ?? 'unknown');
  if (kind === 'deep') {
    const variant = String(cell.variant ?? 'plain');
    const ln = cell.layerNorm ? '+LN' : '';
    const act = cell.activation !== undefined && cell.activation !== 'tanh' ? ` (${String(cell.activation)})` : '';
    const rho = cell.residualScale === undefined || variant !== 'residual' ? '' : cell.residualScale === 'sqrt-depth' ? ' ρ=1/√L' : ` ρ=${String(cell.residualScale)}`;
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

type Score = { kind: string; metric: string | null; target: 'last' | 'all' | null; baseline: number | null; below: number | null; above: number | null; T: number | null };
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
      s = { kind, metric: t.metric, target: t.target, baseline: t.baseline, below: t.solvedBelow ?? null, above: t.solvedAbove ?? null, T: typeof specT === 'number' ? specT : t.T };
    } catch {
      // A task that cannot be rebuilt here (e.g. a text file that moved): plot and tabulate without its baseline.
      s = { kind, metric: null, target: null, baseline: null, below: null, above: null, T: typeof specT === 'number' ? specT : null };
    }
    taskCache.set(id, s);
  }
  return s;
}

const by = <T>(...keys: ((x: T) => number | string)[]) => (a: T, b: T): number => {
  for (const k of keys) {
    const x = k(a), y = k(b);
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
};

/** Load one study's trials and aggregate them into groups. */
export function loadStudyData(store: ResultStore, study: string): StudyData {
  const meta = store.studies().find((s) => s.name === study);
  const description = (meta?.config as { description?: unknown } | undefined)?.description;
  const all = store.trials(study);
  const taskOrder = new Map<string, number>();
  const views = (list: StoredTrial[], tasks: Map<string, TaskInfo>, models: Map<string, ModelInfo>): TrialView[] => list.map((trial) => {
    const axes = trial.axes ?? {};
    const tAxes = axesLabel(axes, (k) => k.startsWith('task.'));
    const taskKey = `${trial.taskName}\u0000${tAxes}`;
    if (!taskOrder.has(trial.taskName)) taskOrder.set(trial.taskName, taskOrder.size);
    let task = tasks.get(taskKey);
    if (!task) {
      const score = taskScore(trial.config?.task);
      task = {
        key: taskKey, name: trial.taskName, kind: score.kind, axesLabel: tAxes, label: tAxes ? `${trial.taskName} · ${tAxes}` : trial.taskName,
        T: score.T, metric: score.metric, target: score.target, baseline: score.baseline, solvedBelow: score.below, solvedAbove: score.above, order: taskOrder.get(trial.taskName)!,
      };
      tasks.set(taskKey, task);
    }
    const extras = axesLabel(axes, (k) => !k.startsWith('task.') && !/^model\.cell\.(depth|variant|kind|activation)$/.test(k));
    const modelKey = `${trial.modelName}\u0000${axesLabel(axes, (k) => !k.startsWith('task.'))}`;
    let model = models.get(modelKey);
    if (!model) {
      const f = familyOf(trial.config);
      // A gain a ≠ 1 fixed in the model (not a grid axis) is part of its name: "plain a=1.17".
      const gain = cellParams(trial.config).gain;
      const fixedGain = gain !== 1 && !('model.cell.recurrentInit.gain' in axes) ? ` a=${gain}` : '';
      const variant = extras ? `${f.label}${fixedGain} · ${extras}` : f.label + fixedGain;
      const rank = FAMILY_ORDER.indexOf(f.family);
      model = { key: modelKey, name: trial.modelName, family: f.family, familyLabel: f.label, variant, depth: f.depth, deep: f.deep, ...cellParams(trial.config), label: '', order: rank < 0 ? FAMILY_ORDER.length : rank };
      models.set(modelKey, model);
    }
    return { trial, task, model, solved: trial.status === 'done' && trial.solvedAt !== null };
  });
  const tasks = new Map<string, TaskInfo>();
  const models = new Map<string, ModelInfo>();
  const trials = views(all.filter((t) => !isPilot(t.config)), tasks, models);
  const pilotModels = new Map<string, ModelInfo>();
  const pilot = views(all.filter((t) => isPilot(t.config)), new Map(), pilotModels);
  disambiguate([...models.values()]);
  disambiguate([...pilotModels.values()]);
  const groups = new Map<string, TrialView[]>();
  for (const v of trials) {
    const k = `${v.model.key}\u0001${v.task.key}`;
    groups.set(k, [...(groups.get(k) ?? []), v]);
  }
  const count = (vs: TrialView[], s: string) => vs.filter((v) => v.trial.status === s).length;
  const summaryOf = (vs: TrialView[], name: string) => estimate(vs.map((v) => v.trial.summary?.[name]));
  const sortedTasks = [...tasks.values()].sort(by((t) => t.order, (t) => t.T ?? 0, (t) => t.axesLabel));
  const sortedModels = [...models.values()].sort(by((m) => m.order, (m) => m.family, (m) => m.variant, (m) => m.depth));
  const groupList: Group[] = [...groups.entries()].map(([key, vs]) => {
    const solved = vs.filter((v) => v.solved);
    return {
      key, task: vs[0].task, model: vs[0].model, trials: vs,
      seeds: new Set(vs.map((v) => v.trial.seed)).size,
      done: count(vs, 'done'), diverged: count(vs, 'diverged'), failed: count(vs, 'failed'), solved: solved.length,
      successRate: solved.length / vs.length,
      stepsToSolve: median(solved.map((v) => v.trial.solvedAt)),
      finalMetric: median(vs.filter((v) => v.trial.status === 'done').map((v) => v.trial.final?.metric)),
      decayInit: summaryOf(vs, 'decay.init'), decayEnd: summaryOf(vs, 'decay.end'), boundPerStep: summaryOf(vs, 'bound.perStep'),
      seconds: vs.reduce((a, v) => a + (v.trial.seconds || 0), 0),
    };
  });
  const taskRank = new Map(sortedTasks.map((t, i) => [t.key, i]));
  const modelRank = new Map(sortedModels.map((m, i) => [m.key, i]));
  groupList.sort(by((g) => taskRank.get(g.task.key)!, (g) => modelRank.get(g.model.key)!));
  return {
    name: study,
    description: typeof description === 'string' ? description : null,
    trials, pilot, pilotInformative: pilotInformativeOf(meta?.config), groups: groupList, tasks: sortedTasks, models: sortedModels,
    counts: { total: trials.length, done: count(trials, 'done'), diverged: count(trials, 'diverged'), failed: count(trials, 'failed'), solved: trials.filter((v) => v.solved).length },
    seconds: all.reduce((a, t) => a + (t.seconds || 0), 0),
  };
}

/** The study's pilot.informative (0.9, the runner's default, when the config does not say). */
function pilotInformativeOf(config: unknown): number {
  const v = (config as { pilot?: { informative?: unknown } } | undefined)?.pilot?.informative;
  return typeof v === 'number' && v > 0 && v <= 1 ? v : 0.9;
}

/**
 * Labels: "plain L=4". When two study models would share a label at some depth, every model of that variant
 * gets the study's model name appended (so a variant's line over depth never changes name halfway).
 */
function disambiguate(models: ModelInfo[]): void {
  const owners = new Map<string, Set<string>>();
  for (const m of models) {
    const k = `${m.variant}\u0000${m.depth}`;
    owners.set(k, (owners.get(k) ?? new Set()).add(m.name));
  }
  const clash = new Set(models.filter((m) => owners.get(`${m.variant}\u0000${m.depth}`)!.size > 1).map((m) => m.variant));
  for (const m of models) {
    if (clash.has(m.variant)) m.variant = `${m.variant} [${m.name}]`;
    m.label = m.deep ? `${m.variant} L=${m.depth}` : m.variant;
  }
}
