/** Small helpers the page's views share: element lookup, the settings, number format, embed options, errors. */
import type { Settings, Transition } from './explore.js';

/** The element with this id. */
export const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** A number with `digits` decimals, '–' for null or non-finite. */
export const fmt = (x: number | null, digits = 4): string =>
  x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits);

/** vega-embed options of every plot: no action menu, SVG. */
export const view = { actions: false, renderer: 'svg' as const };

/** Every error the page has shown (the tests read it through window.recurPage). */
export const errors: string[] = [];

/** Show an error in the footer, keep it, and log it. */
export function fail(e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  errors.push(msg);
  $('status').textContent = `error: ${msg}`;
  console.error(msg);
}

/** The explorer's settings as the controls show them. */
export function readSettings(): Settings {
  return {
    transition: $<HTMLSelectElement>('transition').value as Transition,
    depth: Number($<HTMLInputElement>('depth').value),
    scale: Number($<HTMLInputElement>('scale').value),
    hidden: Number($<HTMLSelectElement>('hidden').value),
    T: Number($<HTMLInputElement>('T').value),
    seed: Math.max(0, Math.floor(Number($<HTMLInputElement>('seed').value) || 0)),
  };
}
