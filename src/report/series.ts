/**
 * Per-trial arrays from the store: gradient-through-time curves and metric time series, parsed
 * defensively (a curve with missing or mismatched arrays is skipped, never trusted).
 *
 * A 'gtt' curve is stored per (training step, layer index); the report reads layer index 0 (the first
 * layer, forward direction: the one whose gradient travels furthest) at the first recorded step
 * ("init", normally step 0) and the last ("end"), and the fitted slope of every recorded curve.
 */
import type { ResultsReader, TrialView } from './data.js';

export interface GttCurve {
  step: number;
  /** Steps t = 1..T. */
  t: number[];
  /** Batch mean of ‖∂L/∂h_t‖ per t (NaN where not finite). */
  mean: number[];
  /** Theory bound per t, scaled to the measured value at T; null for cells without one. */
  bound: number[] | null;
  slope: number | null;
  slopeLow: number | null;
  slopeHigh: number | null;
}

export interface TrialGtt {
  init: GttCurve | null;
  end: GttCurve | null;
  /** The fitted per-step slope of every recorded curve, in step order (training points between init and end included). */
  slopes: { step: number; slope: number }[];
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Validate one stored curve's data; null when it does not have the documented shape. */
export function parseGtt(step: number, data: Record<string, unknown>): GttCurve | null {
  const { t, mean, bound } = data;
  if (!Array.isArray(t) || !Array.isArray(mean) || t.length === 0 || t.length !== mean.length) return null;
  const boundOk = Array.isArray(bound) && bound.length === t.length;
  return {
    step,
    t: t.map(num),
    mean: mean.map(num),
    bound: boundOk ? (bound as unknown[]).map(num) : null,
    slope: numOrNull(data.slope),
    slopeLow: numOrNull(data.slopeLow),
    slopeHigh: numOrNull(data.slopeHigh),
  };
}

/** Init and end gradient-through-time curves (layer index `layer`) of each trial, by trial key. */
export function loadGtt(store: ResultsReader, trials: readonly TrialView[], layer = 0): Map<string, TrialGtt> {
  const out = new Map<string, TrialGtt>();
  for (const v of trials) {
    const rows = store.curves(v.trial.key, 'gtt').filter((c) => c.layer === layer);
    if (rows.length === 0) continue;
    const first = rows[0],
      last = rows[rows.length - 1]; // ordered by step
    const init = parseGtt(first.step, first.data);
    const end = last.step !== first.step ? parseGtt(last.step, last.data) : null;
    const slopes = rows
      .map((c) => ({ step: c.step, slope: numOrNull(c.data.slope) }))
      .filter((p): p is { step: number; slope: number } => p.slope !== null);
    if (init || end || slopes.length) out.set(v.trial.key, { init, end, slopes });
  }
  return out;
}

/** A metric's finite (step, value) points for each trial, by trial key. */
export function loadSeries(
  store: ResultsReader,
  trials: readonly TrialView[],
  name: string,
): Map<string, { step: number; value: number }[]> {
  const out = new Map<string, { step: number; value: number }[]>();
  for (const v of trials) {
    const points = store
      .metricSeries(v.trial.key, name)
      .filter((p): p is { step: number; value: number } => p.value !== null && Number.isFinite(p.value));
    if (points.length) out.set(v.trial.key, points);
  }
  return out;
}
