import { afterAll, describe, expect, it } from 'vitest';
import { loadStudyData } from '../../src/report/data.js';
import { buildFigures } from '../../src/report/figures.js';
import { decayFigure, logTicks } from '../../src/report/plots.js';
import { gttRows } from '../../src/report/plot-data.js';
import { loadGtt, loadSeries } from '../../src/report/series.js';
import { fixtureStore } from './fixture.js';

/** The visible text of an SVG (vega writes each label as <text …>label</text>). */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe('figures', () => {
  const store = fixtureStore({ addingT: [20, 60], copyT: [30], depths: [1, 2, 8], accidents: true });
  afterAll(() => store.close());
  const data = loadStudyData(store, 'deep-transition');
  const inputs = { data, gtt: loadGtt(store, data.trials), loss: loadSeries(store, data.trials, 'train.loss') };
  const { figures, missing } = buildFigures(inputs);
  const fig = (id: string) => figures.find((f) => f.id === id)!;

  it('draws all five kinds, per task where they are per task', () => {
    expect(missing).toEqual([]);
    expect(figures.map((f) => f.id)).toEqual([
      'gtt-adding',
      'gtt-copy',
      'decay-depth',
      'loss-adding',
      'loss-copy',
      'success-adding',
      'success-copy',
      'steps-adding',
      'steps-copy',
    ]);
    for (const f of figures) {
      expect(f.svg).toMatch(/^<svg[^>]* width="\d+(\.\d+)?" height="\d+(\.\d+)?"/);
      expect(f.svg.match(/https?:\/\/[^"]*/g)!.every((u) => u.startsWith('http://www.w3.org/'))).toBe(true);
      expect(f.caption.length).toBeGreaterThan(80);
    }
  });

  it('gradient through time: log axis, a panel per transition, init and end, the bound dashed', () => {
    const t = texts(fig('gtt-adding').svg);
    for (const label of [
      'at initialisation',
      'after training',
      'steps back from the end, T − t',
      'plain',
      'highway',
      'vanilla tanh',
      'GRU',
      'depth L',
      'theory bound',
      '1e+0',
    ])
      expect(t).toContain(label);
    expect(fig('gtt-adding').title).toContain('T=60'); // the longest T of the task
    expect(fig('gtt-adding').svg).toContain('stroke-dasharray="5,3"');
  });

  it('gtt rows are normalised to 1 at lag 0 and carry the bound only for cells that have one', () => {
    const rows = gttRows(
      data.trials.filter((v) => v.task.label === 'adding · T=60'),
      inputs.gtt,
    );
    expect(rows.filter((r) => r.k === 0).every((r) => Math.abs(r.value - 1) < 1e-12)).toBe(true);
    const bounded = new Set(rows.filter((r) => r.series === 'theory bound').map((r) => r.variant));
    expect([...bounded].sort()).toEqual(['IRNN', 'plain', 'vanilla tanh']);
  });

  it('decay against depth: depth axis, one line per variant, the prediction dashed', () => {
    const t = texts(fig('decay-depth').svg);
    for (const label of [
      'transition depth L',
      'per-step log-slope',
      'plain',
      'shortcut',
      'residual',
      'highway',
      '8',
      'adding',
      'copy',
    ])
      expect(t).toContain(label);
    expect(fig('decay-depth').svg).toContain('stroke-dasharray="6,4"');
    expect(fig('decay-depth').caption).toContain('‖A‖^(LT)');
  });

  it('loss curves, success heatmap and steps to solve carry their labels', () => {
    expect(texts(fig('loss-adding').svg)).toEqual(
      expect.arrayContaining(['training step', 'train loss', 'LSTM', 'depth L']),
    );
    const heat = texts(fig('success-adding').svg);
    expect(heat).toEqual(expect.arrayContaining(['T', '20', '60', 'plain L=8', 'highway L=2', 'success']));
    expect(heat.filter((s) => /^\d\/3$/.test(s)).length).toBe(
      data.groups.filter((g) => g.task.name === 'adding').length,
    );
    const steps = texts(fig('steps-adding').svg);
    expect(steps).toContain('steps to solve');
    expect(steps.some((s) => /^highway L=8 \(\d\/6\)$/.test(s))).toBe(true);
  });

  it('log ticks are powers of ten, thinned to a readable number', () => {
    expect(logTicks(1e-3, 1)).toEqual([1e-3, 1e-2, 1e-1, 1]);
    const many = logTicks(1e-16, 10);
    expect(many.length).toBeLessThanOrEqual(6);
    expect(many[many.length - 1]).toBe(10);
  });

  it('says why a figure is missing instead of drawing an empty one', () => {
    const noCurves = buildFigures({ data, gtt: new Map(), loss: new Map() });
    expect(noCurves.figures.map((f) => f.id)).not.toContain('gtt-adding');
    expect(noCurves.missing.join(' ')).toMatch(/no gradient-through-time curves/);
    expect(
      decayFigure({
        data: { ...data, trials: data.trials.filter((v) => !v.model.deep) },
        gtt: new Map(),
        loss: new Map(),
      }),
    ).toBeNull();
  });
});
