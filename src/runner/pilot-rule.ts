/**
 * The pilot's deciding rule, shared by the runner (pilot.ts) and the report (report/pilot.ts,
 * report/conditions.ts), with nothing else imported, so the report's code also runs in a page.
 */

/** pilot.informative's default: a setting decides when some rate's mean loss is below 0.9 × the baseline. */
export const DEFAULT_INFORMATIVE = 0.9;

/**
 * Whether a pilot setting decides a model's rate: its best mean loss is informative (below informative ×
 * the baseline; a task without a baseline always is), or it is the last setting of the ladder.
 */
export function settingDecides(bestLoss: number, baseline: number | null, informative: number, last: boolean): boolean {
  return baseline === null || bestLoss < informative * baseline || last;
}
