/**
 * The report's figures as Vega-Lite specs, rendered to SVG strings (render.ts). Each builder returns null
 * when the study has nothing to draw for it, and the figure list says why a figure is missing.
 *
 *   0. decay-gain, decay-variants, t50-horizon, slopes-<task>: the study's central plots (plots-study.ts)
 *   1. gtt-<task>:    ‖∂L/∂h_t‖ against steps back from the end, per transition (panel) and depth (colour),
 *                     at initialisation and at the end, theory bound dashed (hardest T of each task)
 *   2. decay-depth:   fitted per-step log-slope against transition depth L, one line per variant, 95% CI
 *                     bars over seeds, the per-step theory bound dashed (only when decay-gain is not drawn)
 *   3. loss-<task>:   median train loss over seeds against step, per transition and depth (log y)
 *   4. success-<task>: success-rate heatmap, model × T, "solved/trials" printed in each cell
 *   5. steps-<task>:  steps to solve, one dot per solved trial, per model, coloured by T
 */
import type { StudyData } from './data.js';
import { figureId, taskNames } from './palette.js';
import type { VlSpec } from './render.js';
import type { TrialGtt } from './series.js';
import { decayGainFigure, decayVariantsFigure } from './plots-depth.js';
import { slopesFigure, t50HorizonFigure, type Built } from './plots-study.js';
import type { ModelCurve } from './trainability.js';

export interface Figure {
  /** File-safe id: the SVG is written as `<id>.svg`. */
  id: string;
  title: string;
  /** A few words for the page's table of contents. */
  short: string;
  caption: string;
  svg: string;
}

export interface PlotInputs {
  data: StudyData;
  gtt: Map<string, TrialGtt>;
  loss: Map<string, { step: number; value: number }[]>;
  /** Part B's T₅₀ per model (none: no T₅₀ figure). */
  curves?: readonly ModelCurve[];
}

import { decayFigure, gttFigure, lossFigure } from './plots-curves.js';
import { stepsFigure, successFigure } from './plots-outcome.js';

export { decayFigure, logTicks } from './plots-curves.js';

/** A figure before rendering: its Vega-Lite spec (the explorable page embeds these; the report renders them). */
export type FigureSpec = Omit<Figure, 'svg'> & { spec: VlSpec };

/**
 * Every figure the data supports, as Vega-Lite specs (not rendered; figures.ts renders them); `missing` says
 * which could not be drawn and why. This module imports no renderer, so the page (web/) can use it.
 */
export function buildFigureSpecs(inputs: PlotInputs): { figures: FigureSpec[]; missing: string[] } {
  const figures: FigureSpec[] = [];
  const missing: string[] = [];
  const ids = new Set<string>();
  const add = (base: string, short: string, built: Built, why: string) => {
    if (!built) return void missing.push(why);
    figures.push({
      id: figureId(base, ids),
      title: built.title,
      short,
      caption: built.caption,
      spec: built.spec,
    });
  };
  const names = taskNames(inputs.data);
  const centre = decayGainFigure(inputs.data);
  if (centre) add('decay-gain', 'decay vs L and a', centre, '');
  // With no gain axis (older studies) the variants appear in decay-depth instead.
  const variants = centre && decayVariantsFigure(inputs.data);
  if (variants) add('decay-variants', 'variants at a = 1', variants, '');
  if (inputs.curves?.length)
    add(
      't50-horizon',
      'T₅₀ vs horizon',
      t50HorizonFigure(inputs.curves),
      'T₅₀ against the gradient horizon: no model has a decay rate recorded at initialisation.',
    );
  for (const t of names)
    add(
      `gtt-${t}`,
      `gradients ${t}`,
      gttFigure(inputs, t),
      `Gradient through time for ${t}: no gradient-through-time curves were recorded.`,
    );
  if (!centre)
    add(
      'decay-depth',
      'decay vs L',
      decayFigure(inputs),
      'Decay against depth: the study has no deep transitions at two or more depths with recorded decay rates.',
    );
  for (const t of names) {
    const f = slopesFigure(inputs.data, inputs.gtt, t);
    if (f) add(`slopes-${t}`, `decay in training ${t}`, f, '');
  }
  for (const t of names)
    add(`loss-${t}`, `loss ${t}`, lossFigure(inputs, t), `Training loss for ${t}: no train.loss series were recorded.`);
  for (const t of names)
    add(`success-${t}`, `success ${t}`, successFigure(inputs, t), `Success rate for ${t}: no trials.`);
  for (const t of names)
    add(`steps-${t}`, `steps ${t}`, stepsFigure(inputs, t), `Steps to solve for ${t}: no trial solved it.`);
  return { figures, missing };
}
