/**
 * The per-model learning-rate pilot: trials with `config.phase === 'pilot'`, one short run per (model,
 * learning rate, seed) and pilot setting (rung of the ladder), from which the study froze one learning rate
 * per model. The report shows the table (setting, model) × lr → final evaluation loss (mean over seeds; a
 * diverged or failed seed makes the cell "diverged") and marks the frozen rate with the rule the runner
 * used (runner/pilot.ts): a model's rungs in the order they ran, the first at which some lr's mean loss is
 * below informative × the task's baseline decides (else the last that ran); its lowest loss is chosen, ties
 * broken towards the smaller rate. Pilot trials enter no other analysis.
 */
import { DEFAULT_INFORMATIVE, settingDecides } from '../runner/pilot-rule.js';
import { taskScore, type TrialView } from './data.js';

export interface PilotRow {
  /** Pilot setting ("adding (T = 64)") and model setting without its learning rate. */
  task: string;
  model: string;
  /** Mean final eval loss per learning rate (Infinity: some seed diverged or failed). */
  loss: Map<number, { mean: number; n: number }>;
  /** The frozen rate, on the row of the setting that decided it (null on the other rows). */
  chosen: number | null;
  /** True on the row whose setting decided the model's rate. */
  deciding: boolean;
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

/** The pilot table, or null when the study ran no pilot; `informative` is the study's pilot.informative. */
export function pilotTable(pilot: readonly TrialView[], informative = DEFAULT_INFORMATIVE): PilotTable | null {
  type Acc = { task: string; model: string; baseline: number | null; first: number; byLr: Map<number, number[]> };
  const byModel = new Map<string, Map<string, Acc>>();
  for (const v of pilot) {
    const lr = lrOf(v);
    if (lr === null) continue;
    const modelAxes = Object.keys(v.trial.axes ?? {})
      .filter((k) => !k.startsWith('task.') && !k.startsWith('training.'))
      .sort()
      .map((k) => `${k}=${JSON.stringify(v.trial.axes[k])}`)
      .join(',');
    const model = `${v.trial.modelName}\u0000${modelAxes}`;
    const spec = v.trial.config?.task;
    const setting = JSON.stringify(spec ?? null);
    const rungs = byModel.get(model) ?? new Map<string, Acc>();
    byModel.set(model, rungs);
    const score = taskScore(spec);
    const e = rungs.get(setting) ?? {
      task: score.T === null ? v.trial.taskName : `${v.trial.taskName} (T = ${score.T})`,
      model: withoutLr(v.model.label),
      baseline: score.baseline,
      first: v.trial.index,
      byLr: new Map<number, number[]>(),
    };
    e.first = Math.min(e.first, v.trial.index);
    const loss = v.trial.status === 'done' ? v.trial.final?.loss : undefined;
    e.byLr.set(lr, [...(e.byLr.get(lr) ?? []), typeof loss === 'number' && Number.isFinite(loss) ? loss : Infinity]);
    rungs.set(setting, e);
  }
  if (byModel.size === 0) return null;
  const lrs = new Set<number>();
  const rows: PilotRow[] = [];
  for (const rungs of byModel.values()) {
    // Rungs in the order they ran (the pilot numbers its trials rung by rung).
    const ordered = [...rungs.values()].sort((a, b) => a.first - b.first);
    let decided = false;
    ordered.forEach(({ task, model, baseline, byLr }, i) => {
      const loss = new Map<number, { mean: number; n: number }>();
      for (const [lr, ls] of byLr) {
        lrs.add(lr);
        loss.set(lr, { mean: ls.reduce((a, b) => a + b, 0) / ls.length, n: ls.length });
      }
      let best: number | null = null;
      for (const lr of [...loss.keys()].sort((a, b) => a - b)) {
        const m = loss.get(lr)!.mean;
        if (Number.isFinite(m) && (best === null || m < loss.get(best)!.mean)) best = lr;
      }
      const bestLoss = best === null ? Number.POSITIVE_INFINITY : loss.get(best)!.mean;
      const deciding = !decided && settingDecides(bestLoss, baseline, informative, i === ordered.length - 1);
      decided ||= deciding;
      rows.push({ task, model, loss, chosen: deciding ? best : null, deciding });
    });
  }
  return { lrs: [...lrs].sort((a, b) => a - b), rows };
}
