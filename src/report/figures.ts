/** The report's figures rendered to SVG: the specs of plots.ts through the headless renderer of render.ts. */
import { buildFigureSpecs, type Figure, type PlotInputs } from './plots.js';
import { renderSvg } from './render.js';

/** Every figure the data supports, rendered; `missing` says which could not be drawn and why. */
export function buildFigures(inputs: PlotInputs): { figures: Figure[]; missing: string[] } {
  const { figures, missing } = buildFigureSpecs(inputs);
  return { figures: figures.map(({ spec, ...f }) => ({ ...f, svg: renderSvg(spec) })), missing };
}
