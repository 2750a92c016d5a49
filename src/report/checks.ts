/**
 * Checks: inequalities the mathematics guarantees, shown apart from the findings (they test the
 * instruments, not the question). Only on many-to-one tasks, where the loss reads h_T alone and
 * ‖∂L/∂h_t‖ ≤ ‖∂L/∂h_T‖·β^(T−t) holds for the cell's per-step bound β; with a loss at every step
 * ∂L/∂h_t also holds the loss at t itself, which no product of step Jacobians bounds.
 *
 * Rule: every recorded curve with a bound, at every t where the bound is within float32's normal range:
 * batch-mean ‖∂L/∂h_t‖ ≤ bound·(1 + BOUND_TOL).
 * Passed: all inside; failed: any outside (worst ratio named).
 */
import type { StudyData, TrialView } from './data.js';
import type { Draft } from './findings.js';
import type { TrialGtt } from './series.js';
import { fmt } from './stats.js';

export const BOUND_TOL = 1e-6;
/** Smallest normal float32: below it the (float32) tape's gradient norms are subnormal, with few significant bits. */
export const FLOAT32_MIN_NORMAL = 1.1754944e-38;

const NAMES: Record<string, string> = {
  plain: 'Plain',
  shortcut: 'Shortcut',
  residual: 'Residual',
  highway: 'Highway',
};

/** "Plain deep transitions", "Vanilla tanh", "GRU": a family's name at the start of a sentence. */
export function familyTitle(family: string, label: string): string {
  const base = family.replace('+LN', '');
  if (NAMES[base]) return `${NAMES[base]}${family.endsWith('+LN') ? '+LN' : ''} deep transitions`;
  return label.charAt(0).toUpperCase() + label.slice(1);
}

function boundName(family: string): string {
  return family.startsWith('vanilla')
    ? 'the Pascanu bound (γ‖A‖)^(T−t)'
    : family === 'shortcut'
      ? 'the bound (γ^L·Π_l‖W_l‖ + γ‖S‖)^(T−t)'
      : family.startsWith('residual')
        ? 'the bound (1 + Π_l γ‖W_l‖)^(T−t)'
        : family === 'lru'
          ? 'the bound (max|λ|)^(T−t)'
          : 'the bound (Π_l γ‖W_l‖)^(T−t)';
}

function boundCheck(data: StudyData, gtt: Map<string, TrialGtt>, family: string): Draft | null {
  const trials = data.trials.filter((v) => v.model.family === family && v.task.target === 'last');
  if (trials.length === 0) return null;
  const label = familyTitle(family, trials[0].model.familyLabel);
  const bound = boundName(family);
  let inside = 0,
    total = 0,
    worst = 0,
    worstAt = '';
  const used: TrialView[] = [];
  for (const v of trials) {
    const c = gtt.get(v.trial.key);
    let any = false;
    for (const [phase, curve] of [
      ['at initialisation', c?.init],
      ['at the end', c?.end],
    ] as const) {
      if (!curve?.bound) continue;
      any = true;
      total++;
      let ok = true;
      curve.mean.forEach((m, i) => {
        const b = curve.bound![i];
        // Where the bound is below float32's normal range the measured value is subnormal (or 0): not comparable.
        if (!Number.isFinite(m) || !Number.isFinite(b) || b < FLOAT32_MIN_NORMAL) return;
        if (m > b * (1 + BOUND_TOL)) {
          ok = false;
          if (m / b > worst) {
            worst = m / b;
            worstAt = `${v.trial.label}, ${phase}, t = ${curve.t[i]}`;
          }
        }
      });
      if (ok) inside++;
    }
    if (any) used.push(v);
  }
  if (total === 0) return null;
  const passed = inside === total;
  const where = `${inside}/${total} curves (${used.length} trials on many-to-one tasks, at initialisation and at the end)`;
  return {
    id: `bound:${family}`,
    kind: 'check',
    topic: 'theory bound',
    used,
    claim: `${label}: the measured gradient ‖∂L/∂h_t‖ never exceeds ${bound}.`,
    rule: `every recorded curve with a bound, at every t where the bound is above float32's smallest normal number (below it the float32 tape's values are subnormal): batch-mean ‖∂L/∂h_t‖ ≤ bound·(1 + ${BOUND_TOL.toExponential().replace('-', '−')}); passed if all curves are inside, failed if any is outside.`,
    evidence: `inside in ${where}${worst ? `; worst excess ×${fmt(worst, 3)} (${worstAt})` : ''}`,
    numbers: { inside, curves: total, worstRatio: worst || null },
    p: null,
    ci: null,
    contrary: false,
    verdict: passed ? 'held' : 'did not hold',
    say: () =>
      passed
        ? `${label}: the measured gradient stayed inside ${bound} at every step (where the bound is in float32's normal range) in ${where}.`
        : `${label}: the measured gradient exceeded ${bound} in ${total - inside} of ${total} curves (worst by a factor ${fmt(worst, 3)}: ${worstAt}); inside in ${where}.`,
  };
}

/** One bound check per cell family that records a bound. */
export function boundChecks(data: StudyData, gtt: Map<string, TrialGtt>): Draft[] {
  return [...new Set(data.models.map((m) => m.family))]
    .map((f) => boundCheck(data, gtt, f))
    .filter((d): d is Draft => d !== null);
}
