/**
 * Staircase over T: a pair marked `staircase: T` runs its tasks' T values in ascending stages, and a model
 * condition (task entry and other task values, model name and grid values, training grid values) stops
 * after a stage in which none of its seeds solved the task. The longer T it skips are not run and not stored;
 * the report counts them as failures by assumption — success does not rise with T on these tasks — and says
 * so. The decision reads only stored trials, so a resumed study makes the same decisions.
 */
import type { TrialSpec } from './grid.js';
import type { StoredTrial } from './store.js';

/** The highest stage rank among the trials (0 when none is staged). */
export function stageCount(trials: readonly TrialSpec[]): number {
  return trials.reduce((m, t) => Math.max(m, (t.stage?.rank ?? 0) + 1), 1);
}

/**
 * The trials of stage `rank` whose condition is still alive, and those skipped: a condition is alive at rank
 * r > 0 when at least one of its trials at rank r − 1 is stored as solved (and it was alive there).
 * Unstaged trials belong to stage 0.
 */
export function stageTrials(
  trials: readonly TrialSpec[],
  rank: number,
  stored: ReadonlyMap<string, StoredTrial>,
): { run: TrialSpec[]; skipped: TrialSpec[] } {
  const at = trials.filter((t) => (t.stage?.rank ?? 0) === rank);
  if (rank === 0) return { run: at, skipped: [] };
  const solvedBefore = new Map<string, boolean>();
  for (const t of trials) {
    if (!t.stage || t.stage.rank !== rank - 1) continue;
    const rec = stored.get(t.key);
    const solved = !!rec && rec.status === 'done' && rec.solvedAt !== null;
    solvedBefore.set(t.stage.group, (solvedBefore.get(t.stage.group) ?? false) || solved);
  }
  const run: TrialSpec[] = [],
    skipped: TrialSpec[] = [];
  for (const t of at) (solvedBefore.get(t.stage!.group) ? run : skipped).push(t);
  return { run, skipped };
}

/**
 * The trials the staircase will certainly skip, judged from the stored trials alone: those at a rank above
 * one whose trials of the same condition are all stored and none solved. (A condition that is still
 * undecided at every stored rank keeps all its trials.) The estimate leaves them out, so a resumed study's
 * ETA counts only what can still run.
 */
export function staircaseDecided(trials: readonly TrialSpec[], stored: ReadonlyMap<string, StoredTrial>): Set<string> {
  /** Per condition and rank: are all its trials stored, and did any solve? */
  const cells = new Map<string, Map<number, { complete: boolean; solved: boolean }>>();
  for (const t of trials) {
    if (!t.stage) continue;
    const ranks = cells.get(t.stage.group) ?? new Map<number, { complete: boolean; solved: boolean }>();
    cells.set(t.stage.group, ranks);
    const cell = ranks.get(t.stage.rank) ?? { complete: true, solved: false };
    ranks.set(t.stage.rank, cell);
    const rec = stored.get(t.key);
    if (!rec || rec.status === 'failed')
      cell.complete = false; // a failed trial runs again
    else if (rec.status === 'done' && rec.solvedAt !== null) cell.solved = true;
  }
  /** Per condition: the lowest rank that is complete with no solve (every rank above it is skipped). */
  const deadAfter = new Map<string, number>();
  for (const [group, ranks] of cells) {
    const dead = [...ranks].filter(([, c]) => c.complete && !c.solved).map(([r]) => r);
    if (dead.length) deadAfter.set(group, Math.min(...dead));
  }
  const skipped = new Set<string>();
  for (const t of trials) {
    const after = t.stage ? deadAfter.get(t.stage.group) : undefined;
    if (after !== undefined && t.stage!.rank > after) skipped.add(t.key);
  }
  return skipped;
}
