/**
 * Colours and small naming helpers shared by the plots: one colour per transition family everywhere
 * (Okabe–Ito, safe for colour-blind readers), one per depth L, and file-safe figure ids.
 */
import type { ModelInfo, StudyData, TaskInfo } from './data.js';

const FAMILY_COLORS: Record<string, string> = {
  'vanilla-tanh': '#6b6b6b',
  'vanilla-relu': '#b8a000',
  'vanilla-relu-id': '#b8a000',
  plain: '#D55E00',
  shortcut: '#E69F00',
  residual: '#009E73',
  highway: '#0072B2',
  gru: '#CC79A7',
  lstm: '#56B4E9',
  lru: '#8c564b',
};
const SPARE = [
  '#1b9e77',
  '#7570b3',
  '#e7298a',
  '#66a61e',
  '#a6761d',
  '#17becf',
  '#9467bd',
  '#bcbd22',
  '#393b79',
  '#843c39',
];
const DEPTH_COLORS = ['#0072B2', '#009E73', '#E69F00', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#999999'];

/** Colour scale (domain/range) for model variants, in the given order: family colour first, spares after. */
export function variantScale(models: readonly ModelInfo[]): { domain: string[]; range: string[] } {
  const domain: string[] = [],
    range: string[] = [];
  const used = new Set<string>();
  let spare = 0;
  for (const m of models) {
    if (domain.includes(m.variant)) continue;
    let c = FAMILY_COLORS[m.family];
    if (!c || used.has(c)) c = SPARE[spare++ % SPARE.length];
    used.add(c);
    domain.push(m.variant);
    range.push(c);
  }
  return { domain, range };
}

/** Colour scale for depths L (ascending). */
export function depthScale(depths: readonly number[]): { domain: number[]; range: string[] } {
  const domain = [...new Set(depths)].sort((a, b) => a - b);
  return { domain, range: domain.map((_, i) => DEPTH_COLORS[i % DEPTH_COLORS.length]) };
}

/** Distinct variants in model order. */
export function variantsOf(models: readonly ModelInfo[]): string[] {
  return [...new Set(models.map((m) => m.variant))];
}

/** Task names in study order. */
export function taskNames(data: StudyData): string[] {
  return [...new Set(data.tasks.map((t) => t.name))];
}

/** The task condition a per-task figure shows: the longest T (the hardest setting) of that task name. */
export function hardestVariant(data: StudyData, name: string): TaskInfo | null {
  const list = data.tasks.filter((t) => t.name === name);
  return list.length ? list[list.length - 1] : null;
}

/**
 * How to label a task's conditions on an axis: when every condition of the task differs by one grid axis,
 * that axis's name is the title and its values the labels ("T": 20, 50, 100); else the full axes label.
 */
export function taskColumns(tasks: readonly TaskInfo[]): { title: string; label: (t: TaskInfo) => string } {
  const names = new Set(tasks.map((t) => (t.axesLabel.includes(' · ') ? '' : t.axesLabel.split('=')[0])));
  const name = [...names][0];
  if (names.size === 1 && name && tasks.every((t) => t.axesLabel)) {
    return { title: name, label: (t) => t.axesLabel.slice(name.length + 1) };
  }
  return { title: 'setting', label: (t) => t.axesLabel || '(one setting)' };
}

/** A file-name-safe id, unique within `taken` (which it updates). */
export function figureId(base: string, taken: Set<string>): string {
  const clean =
    base
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 60) || 'figure';
  let id = clean;
  for (let i = 2; taken.has(id); i++) id = `${clean}-${i}`;
  taken.add(id);
  return id;
}
