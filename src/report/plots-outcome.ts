/**
 * The report's outcome figures for one task (report/plots.ts lists them all): 4. the success-rate heatmap,
 * 5. steps to solve, one dot per solved trial.
 */
import { isUntrained } from './data.js';
import { taskColumns } from './palette.js';
import type { VlSpec } from './render.js';
import { fmt } from './stats.js';
import type { Built } from './plots-study.js';
import type { PlotInputs } from './plots.js';

/** Task settings (T values) in the steps-to-solve dots: Okabe–Ito, distinct on white. */
const SETTING_COLORS = ['#E69F00', '#009E73', '#0072B2', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#999999'];

/** 4. Success rate per (model, T) of one task, with "solved/trials" in each cell. */
export function successFigure(inputs: PlotInputs, taskName: string): Built {
  // Untrained trials (the gradient-at-initialisation part of a study) have no success to show.
  const groups = inputs.data.groups.filter((g) => g.task.name === taskName && !g.trials.every(isUntrained));
  if (groups.length === 0) return null;
  const tasks = inputs.data.tasks.filter((t) => t.name === taskName);
  const cols = taskColumns(tasks);
  const models = inputs.data.models.filter((m) => groups.some((g) => g.model.key === m.key)).map((m) => m.label);
  const colOrder = tasks.map(cols.label);
  const values = groups.map((g) => ({
    model: g.model.label,
    col: cols.label(g.task),
    rate: g.successRate,
    text: `${g.solved}/${g.trials.length}`,
  }));
  return {
    title: `Success rate: ${taskName}`,
    caption:
      `Fraction of trials that reached the task's solved criterion (${describeCriterion(tasks[0])}) on ${taskName}, per model ` +
      `and ${cols.title}; each cell prints solved/trials. Diverged and failed trials count as not solved.`,
    spec: {
      data: { values },
      width: Math.max(120, 58 * colOrder.length),
      height: 20 * models.length,
      encoding: {
        x: { field: 'col', type: 'ordinal', sort: colOrder, title: cols.title, axis: { orient: 'top', labelAngle: 0 } },
        y: { field: 'model', type: 'ordinal', sort: models, title: null },
      },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
          encoding: {
            color: {
              field: 'rate',
              type: 'quantitative',
              scale: { domain: [0, 1], scheme: 'greens' },
              legend: { title: 'success', format: '.0%', gradientLength: 120 },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 11 },
          encoding: {
            text: { field: 'text' },
            color: { condition: { test: 'datum.rate > 0.55', value: 'white' }, value: '#222' },
          },
        },
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
  const label = new Map(
    models.map((m) => {
      const mine = trials.filter((v) => v.model.key === m.key);
      return [m.key, `${m.label} (${mine.filter((v) => v.solved).length}/${mine.length})`];
    }),
  );
  const budget = Math.max(
    ...trials.map((v) => Number(v.trial.config?.training?.steps) || v.trial.steps || 0),
    ...solved.map((v) => v.trial.solvedAt!),
  );
  const values = solved.map((v) => ({
    model: label.get(v.model.key)!,
    steps: v.trial.solvedAt,
    col: cols.label(v.task),
  }));
  return {
    title: `Steps to solve: ${taskName}`,
    caption:
      `Training steps until the first evaluation that met the solved criterion on ${taskName}, one dot per solved trial, ` +
      `coloured by ${cols.title}; the label gives solved/trials over all ${cols.title} values. Models with no dots never solved it ` +
      `within the budget (${budget} steps).`,
    spec: {
      data: { values },
      width: 300,
      height: Math.max(60, 22 * models.length),
      mark: { type: 'point', filled: true, size: 50, opacity: 0.85 },
      encoding: {
        x: { field: 'steps', type: 'quantitative', scale: { domain: [0, budget] }, title: 'steps to solve' },
        y: { field: 'model', type: 'nominal', scale: { domain: [...label.values()] }, title: null },
        yOffset: { field: 'col', type: 'nominal', sort: tasks.map(cols.label) },
        color: {
          field: 'col',
          type: 'nominal',
          sort: tasks.map(cols.label),
          title: cols.title,
          scale: { domain: tasks.map(cols.label), range: SETTING_COLORS },
        },
      },
    } as unknown as VlSpec,
  };
}

function describeCriterion(
  task: { metric: string | null; solvedBelow: number | null; solvedAbove: number | null } | undefined,
): string {
  if (!task?.metric) return 'as recorded by the runner';
  if (task.solvedBelow !== null) return `${task.metric} < ${fmt(task.solvedBelow)}`;
  if (task.solvedAbove !== null) return `${task.metric} > ${fmt(task.solvedAbove)}`;
  return task.metric;
}
