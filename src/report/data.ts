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
import {
  axesLabel,
  by,
  cellParams,
  disambiguate,
  FAMILY_ORDER,
  familyOf,
  isPilot,
  pilotInformativeOf,
  taskScore,
} from './conditions.js';
import { estimate, median, type Estimate } from './stats.js';

/** What the report reads from a results store (a ResultStore, or the page's in-memory export reader). */
export type ResultsReader = Pick<ResultStore, 'studies' | 'trials' | 'metricSeries' | 'curves'>;

export { axisName, cellParams, familyOf, isPilot, isUntrained, taskScore, taskWithT } from './conditions.js';

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

/** Load one study's trials and aggregate them into groups. */
export function loadStudyData(store: ResultsReader, study: string): StudyData {
  const meta = store.studies().find((s) => s.name === study);
  const description = (meta?.config as { description?: unknown } | undefined)?.description;
  const all = store.trials(study);
  const taskOrder = new Map<string, number>();
  const views = (list: StoredTrial[], tasks: Map<string, TaskInfo>, models: Map<string, ModelInfo>): TrialView[] =>
    list.map((trial) => {
      const axes = trial.axes ?? {};
      const tAxes = axesLabel(axes, (k) => k.startsWith('task.'));
      const taskKey = `${trial.taskName}\u0000${tAxes}`;
      if (!taskOrder.has(trial.taskName)) taskOrder.set(trial.taskName, taskOrder.size);
      let task = tasks.get(taskKey);
      if (!task) {
        const score = taskScore(trial.config?.task);
        task = {
          key: taskKey,
          name: trial.taskName,
          kind: score.kind,
          axesLabel: tAxes,
          label: tAxes ? `${trial.taskName} · ${tAxes}` : trial.taskName,
          T: score.T,
          metric: score.metric,
          target: score.target,
          baseline: score.baseline,
          solvedBelow: score.below,
          solvedAbove: score.above,
          order: taskOrder.get(trial.taskName)!,
        };
        tasks.set(taskKey, task);
      }
      const extras = axesLabel(
        axes,
        (k) => !k.startsWith('task.') && !/^model\.cell\.(depth|variant|kind|activation)$/.test(k),
      );
      const modelKey = `${trial.modelName}\u0000${axesLabel(axes, (k) => !k.startsWith('task.'))}`;
      let model = models.get(modelKey);
      if (!model) {
        const f = familyOf(trial.config);
        // A gain a ≠ 1 fixed in the model (not a grid axis) is part of its name: "plain a=1.17".
        const gain = cellParams(trial.config).gain;
        const fixedGain = gain !== 1 && !('model.cell.recurrentInit.gain' in axes) ? ` a=${gain}` : '';
        const variant = extras ? `${f.label}${fixedGain} · ${extras}` : f.label + fixedGain;
        const rank = FAMILY_ORDER.indexOf(f.family);
        model = {
          key: modelKey,
          name: trial.modelName,
          family: f.family,
          familyLabel: f.label,
          variant,
          depth: f.depth,
          deep: f.deep,
          ...cellParams(trial.config),
          label: '',
          order: rank < 0 ? FAMILY_ORDER.length : rank,
        };
        models.set(modelKey, model);
      }
      return { trial, task, model, solved: trial.status === 'done' && trial.solvedAt !== null };
    });
  const tasks = new Map<string, TaskInfo>();
  const models = new Map<string, ModelInfo>();
  const trials = views(
    all.filter((t) => !isPilot(t.config)),
    tasks,
    models,
  );
  const pilotModels = new Map<string, ModelInfo>();
  const pilot = views(
    all.filter((t) => isPilot(t.config)),
    new Map(),
    pilotModels,
  );
  disambiguate([...models.values()]);
  disambiguate([...pilotModels.values()]);
  const groups = new Map<string, TrialView[]>();
  for (const v of trials) {
    const k = `${v.model.key}\u0001${v.task.key}`;
    groups.set(k, [...(groups.get(k) ?? []), v]);
  }
  const count = (vs: TrialView[], s: string) => vs.filter((v) => v.trial.status === s).length;
  const summaryOf = (vs: TrialView[], name: string) => estimate(vs.map((v) => v.trial.summary?.[name]));
  const sortedTasks = [...tasks.values()].sort(
    by(
      (t) => t.order,
      (t) => t.T ?? 0,
      (t) => t.axesLabel,
    ),
  );
  const sortedModels = [...models.values()].sort(
    by(
      (m) => m.order,
      (m) => m.family,
      (m) => m.variant,
      (m) => m.depth,
    ),
  );
  const groupList: Group[] = [...groups.entries()].map(([key, vs]) => {
    const solved = vs.filter((v) => v.solved);
    return {
      key,
      task: vs[0].task,
      model: vs[0].model,
      trials: vs,
      seeds: new Set(vs.map((v) => v.trial.seed)).size,
      done: count(vs, 'done'),
      diverged: count(vs, 'diverged'),
      failed: count(vs, 'failed'),
      solved: solved.length,
      successRate: solved.length / vs.length,
      stepsToSolve: median(solved.map((v) => v.trial.solvedAt)),
      finalMetric: median(vs.filter((v) => v.trial.status === 'done').map((v) => v.trial.final?.metric)),
      decayInit: summaryOf(vs, 'decay.init'),
      decayEnd: summaryOf(vs, 'decay.end'),
      boundPerStep: summaryOf(vs, 'bound.perStep'),
      seconds: vs.reduce((a, v) => a + (v.trial.seconds || 0), 0),
    };
  });
  const taskRank = new Map(sortedTasks.map((t, i) => [t.key, i]));
  const modelRank = new Map(sortedModels.map((m, i) => [m.key, i]));
  groupList.sort(
    by(
      (g) => taskRank.get(g.task.key)!,
      (g) => modelRank.get(g.model.key)!,
    ),
  );
  return {
    name: study,
    description: typeof description === 'string' ? description : null,
    trials,
    pilot,
    pilotInformative: pilotInformativeOf(meta?.config),
    groups: groupList,
    tasks: sortedTasks,
    models: sortedModels,
    counts: {
      total: trials.length,
      done: count(trials, 'done'),
      diverged: count(trials, 'diverged'),
      failed: count(trials, 'failed'),
      solved: trials.filter((v) => v.solved).length,
    },
    seconds: all.reduce((a, t) => a + (t.seconds || 0), 0),
  };
}
