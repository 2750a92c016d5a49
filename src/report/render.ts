/**
 * Vega-Lite spec → SVG string, synchronously, in Node: no DOM, no canvas, no network.
 *
 * vega's own `view.toSVG()` is async only because it waits for images to load; our specs carry their data
 * inline and draw no images, so we run the dataflow with `view.run()` and hand the scenegraph to the same
 * headless SVG string renderer `toSVG` uses, with the same size and origin (tested equal to `toSVG`).
 * Text is set in the reader's own sans-serif fonts (no web fonts), and sizes are explicit in every spec.
 */
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';
import { optionalImport } from '../util/optional.js';
import { THEME } from './theme.js';

const vegaModule = await optionalImport<typeof Vega>('vega');
const vegaLiteModule = await optionalImport<typeof VegaLite>('vega-lite');

export type VlSpec = VegaLite.TopLevelSpec;
export { THEME };

interface Renderer {
  initialize(el: null, width: number, height: number, origin: [number, number], scale: number): Renderer;
  background(color: unknown): Renderer;
  render(scene: unknown): Renderer;
  svg(): string;
}
type ViewInternals = Vega.View & {
  _viewWidth: number;
  _viewHeight: number;
  _origin: [number, number];
  _scenegraph: { root: unknown };
};

/** Render a Vega-Lite spec to a standalone SVG document string. */
export function renderSvg(spec: VlSpec): string {
  const vega = vegaModule(),
    vl = vegaLiteModule();
  const compiled = vl.compile({ ...spec, config: { ...THEME, ...(spec.config ?? {}) } } as VlSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' }) as ViewInternals;
  view.run();
  const headless = (
    vega as unknown as { renderModule(type: string): { headless: new (loader: unknown) => Renderer } }
  ).renderModule('svg').headless;
  const pad = view.padding() as { left: number; right: number; top: number; bottom: number };
  const width = Math.max(0, view._viewWidth + pad.left + pad.right);
  const height = Math.max(0, view._viewHeight + pad.top + pad.bottom);
  const svg = new headless(view.loader())
    .initialize(null, width, height, [pad.left + view._origin[0], pad.top + view._origin[1]], 1)
    .background(view.background())
    .render(view._scenegraph.root)
    .svg();
  view.finalize();
  return svg;
}

/**
 * The same SVG for inlining in HTML5: namespace declarations dropped (implied in HTML), an accessible label
 * added, scaled down to the page width when wider, and every internal id (vega's clip paths) prefixed with
 * `prefix`, since ids must be unique across the whole page and each SVG numbers its own from 1.
 */
export function inlineSvg(svg: string, label: string, prefix: string): string {
  const p = prefix.replace(/[^A-Za-z0-9_-]/g, '_');
  return svg
    .replace(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" xmlns:xlink="http:\/\/www\.w3\.org\/1999\/xlink" version="1\.1"/,
      `<svg role="img" aria-label="${escapeAttr(label)}"`,
    )
    .replace(
      / width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/,
      ' width="$1" height="$2" style="max-width:100%;height:auto"',
    )
    .replace(/ id="([^"]+)"/g, ` id="${p}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${p}-$1)`)
    .replace(/ (xlink:)?href="#([^"]+)"/g, ` $1href="#${p}-$2"`);
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
