/**
 * The per-model learning-rate pilot: trials with `config.phase === 'pilot'`, one short run per (model,
 * learning rate, seed), from which the study froze one learning rate per model. The report shows the
 * table model × lr → final evaluation loss (mean over seeds; a diverged or failed seed makes the cell
 * "diverged") with the chosen rate marked: the lowest final loss, ties broken towards the smaller rate.
 * Pilot trials enter no other analysis.
 */
import { taskWithT, type TrialView } from './data.js';

export interface PilotRow {
  /** Task condition and model setting without its learning rate. */
  task: string;
  model: string;
  /** Mean final eval loss per learning rate (Infinity: some seed diverged or failed). */
  loss: Map<number, { mean: number; n: number }>;
  chosen: number | null;
}

export interface PilotTable {
  lrs: number[];
  rows: PilotRow[];
}

const lrOf = (v: TrialView): number | null => {
  const lr = (v.trial.config?.training as { optimizer?: { lr?: unknown } } | undefined)?.optimizer?.lr;
  return typeof lr === 'number' && Number.isFinite(lr) ? lr : null;
};

const withoutLr = (label: string): string => label.replace(/ · lr=[^ ·]+/g, '').replace(/ \[[^\]]*\]$/, '');

/** The pilot table, or null when the study ran no pilot. */
export function pilotTable(pilot: readonly TrialView[]): PilotTable | null {
  const acc = new Map<string, { task: string; model: string; byLr: Map<number, number[]> }>();
  for (const v of pilot) {
    const lr = lrOf(v);
    if (lr === null) continue;
    const modelAxes = Object.keys(v.trial.axes ?? {})
      .filter((k) => !k.startsWith('task.') && !k.startsWith('training.'))
      .sort()
      .map((k) => `${k}=${JSON.stringify(v.trial.axes[k])}`)
      .join(',');
    const key = `${v.task.key}\u0000${v.trial.modelName}\u0000${modelAxes}`;
    const e = acc.get(key) ?? {
      task: taskWithT(v.task),
      model: withoutLr(v.model.label),
      byLr: new Map<number, number[]>(),
    };
    const loss = v.trial.status === 'done' ? v.trial.final?.loss : undefined;
    e.byLr.set(lr, [...(e.byLr.get(lr) ?? []), typeof loss === 'number' && Number.isFinite(loss) ? loss : Infinity]);
    acc.set(key, e);
  }
  if (acc.size === 0) return null;
  const lrs = new Set<number>();
  const rows: PilotRow[] = [...acc.values()].map(({ task, model, byLr }) => {
    const loss = new Map<number, { mean: number; n: number }>();
    for (const [lr, ls] of byLr) {
      lrs.add(lr);
      loss.set(lr, { mean: ls.reduce((a, b) => a + b, 0) / ls.length, n: ls.length });
    }
    let chosen: number | null = null;
    for (const lr of [...loss.keys()].sort((a, b) => a - b)) {
      const m = loss.get(lr)!.mean;
      if (Number.isFinite(m) && (chosen === null || m < loss.get(chosen)!.mean)) chosen = lr;
    }
    return { task, model, loss, chosen };
  });
  return { lrs: [...lrs].sort((a, b) => a - b), rows };
}
