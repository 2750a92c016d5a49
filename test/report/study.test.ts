import { describe, expect, it } from 'vitest';
import { loadStudyData } from '../../src/report/data.js';
import { buildReport } from '../../src/report/index.js';
import { pilotTable } from '../../src/report/pilot.js';
import { buildTables } from '../../src/report/tables.js';
import { slopesFigure } from '../../src/report/plots-study.js';
import { loadGtt } from '../../src/report/series.js';
import { fmt } from '../../src/report/stats.js';
import { modelCurves } from '../../src/report/trainability.js';
import { htmlProblems } from './html-check.js';
import { studyStore, type StudyFixture } from './study-fixture.js';

const deep = (variant: string, L: number) => ({ kind: 'deep', hidden: 16, depth: L, variant });
const fixture: StudyFixture = {
  partA: { exploding: { gain: 1.25, L: 8, seed: 1, rate: 0.4 }, highway: true },
  pilot: [
    {
      model: 'plain',
      cell: deep('plain', 4),
      losses: { 0.0003: [0.1, 0.12], 0.001: [0.05, 0.07], 0.003: [null, 0.01] },
    },
    {
      model: 'lstm',
      cell: { kind: 'lstm', hidden: 16 },
      losses: { 0.0003: [0.02, 0.02], 0.001: [0.02, 0.02], 0.003: [0.5, 0.6] },
    },
  ],
  partB: {
    Ts: [16, 32, 64, 128, 256],
    skipAfterFailure: true,
    models: [
      {
        name: 'plain',
        cell: deep('plain', 4),
        s: -0.1,
        solved: (T, seed) => T <= 16 || (T === 32 && seed <= 3) || (T === 64 && seed === 1),
      },
      {
        name: 'highway',
        cell: deep('highway', 4),
        s: -0.01,
        solved: (T, seed) => T <= 64 || (T === 128 && seed % 2 === 0),
      },
      { name: 'lstm', cell: { kind: 'lstm', hidden: 16 }, s: 0.01, solved: () => true },
    ],
  },
};
const withCurves: StudyFixture = {
  partB: {
    Ts: [16, 32],
    models: [{ name: 'plain', cell: deep('plain', 2), s: -0.2, gttAt: [0, 0.1, 0.3, 1], solved: (T) => T === 16 }],
  },
};

describe('a study of the redesigned shape (Part A, pilot, Part B)', () => {
  it('the pilot stays out of every analysis; its table marks the lowest loss (ties to the smaller rate; a diverged seed disqualifies)', () => {
    const store = studyStore(fixture);
    const data = loadStudyData(store, 'dt');
    store.close();
    expect(data.pilot).toHaveLength(12);
    expect(data.trials.some((v) => (v.trial.config as { phase?: string }).phase === 'pilot')).toBe(false);
    const t = pilotTable(data.pilot)!;
    expect(t.lrs).toEqual([0.0003, 0.001, 0.003]);
    expect(t.rows.map((r) => [r.model, r.chosen])).toEqual([
      ['plain L=4', 0.001],
      ['LSTM', 0.0003],
    ]);
    expect(t.rows[0].loss.get(0.003)!.mean).toBe(Infinity);
  });

  it('T₅₀ per model: skipped cells count as failures in the fit; separation gives a bound; the horizon comes from s at init', () => {
    const store = studyStore(fixture);
    const data = loadStudyData(store, 'dt');
    store.close();
    const curves = new Map(modelCurves(data).map((c) => [c.model.name, c]));
    const plain = curves.get('plain')!;
    expect(plain.cells.map((c) => [c.T, c.k, c.n])).toEqual([
      [16, 5, 5],
      [32, 3, 5],
      [64, 1, 5],
      [128, 0, 5],
    ]);
    expect(plain.impliedTs).toEqual([256]);
    expect(plain.fit.kind).toBe('estimate');
    expect(plain.fit.t50!).toBeGreaterThan(32);
    expect(plain.fit.t50!).toBeLessThan(64);
    expect(plain.horizon!).toBeCloseTo(Math.log(1e-3) / -0.1, 0);
    expect(curves.get('lstm')!.fit.text).toBe('T₅₀ > 256');
    expect(curves.get('lstm')!.horizon).toBe(Infinity);
    // highway: 5/5 up to 64, 2/5 at 128, 0/5 at 256: quasi-complete separation
    expect(curves.get('highway')!.fit.text).toBe('T₅₀ between 64 and 256');
    const tables = buildTables(data);
    expect(tables.map((t) => t.id)).toEqual(['rates', 't50', 'pilot']);
    const t50 = tables[1];
    expect(t50.note).toContain('success does not rise with T');
    expect(t50.rows.find((r) => r[1] === 'plain L=4')![2]).toBe(
      '16: 5/5 · 32: 3/5 · 64: 1/5 · 128: 0/5 · 256: skipped',
    );
    const rates = tables[0];
    const row = rates.rows.find((r) => r[1] === 'plain · gain=1.25' && r[2] === 'tanh')!;
    expect(row[10]).toBe('1'); // the exploding run is counted, and in the fit
    // secondary endpoint: log(final mse / baseline 1/6), here 0.002 when solved and 0.16 when not
    const lstm = t50.rows.find((r) => r[1] === 'LSTM')!;
    expect(lstm[6]).toContain(`16: ${fmt(Math.log(0.002 * 6), 3)}`);
  });

  it('gtt slopes recorded at several points of training are drawn per model, median over seeds', () => {
    const store = studyStore(withCurves);
    const data = loadStudyData(store, 'dt');
    const gtt = loadGtt(store, data.trials);
    store.close();
    const f = slopesFigure(data, gtt, 'adding')!;
    const rows = (f.spec as unknown as { data: { values: { T: string; fraction: number; slope: number }[] } }).data
      .values;
    expect(rows.filter((r) => r.T === 'T=16').map((r) => r.fraction)).toEqual([0, 0.1, 0.3, 1]);
    expect(rows.find((r) => r.T === 'T=16' && r.fraction === 1)!.slope).toBeCloseTo(-0.1, 2);
    const none = studyStore(fixture);
    expect(slopesFigure(loadStudyData(none, 'dt'), new Map(), 'adding')).toBeNull();
    none.close();
  });

  it('renders the central figures, the analysis tables and the checks apart from the findings', () => {
    const store = studyStore(fixture);
    const r = buildReport(store, 'dt');
    store.close();
    expect(htmlProblems(r.html)).toEqual([]);
    expect(Object.keys(r.svgs).slice(0, 3)).toEqual(['decay-gain.svg', 'decay-variants.svg', 't50-horizon.svg']);
    expect(r.svgs['decay-gain.svg']).toMatch(/>activation: identity<[\s\S]*>activation: tanh</);
    expect(r.svgs['decay-gain.svg']).toContain('>exploding<');
    expect(r.svgs['t50-horizon.svg']).toContain('all solved: above');
    const at = (s: string) => r.html.indexOf(s);
    expect(at('id="findings"')).toBeLessThan(at('id="checks"'));
    expect(at('id="checks"')).toBeLessThan(at('id="figures"'));
    expect(at('id="analysis"')).toBeGreaterThan(at('id="figures"'));
    expect(r.html).toContain('<b>0.06 ✓</b>');
    expect(r.markdown).toContain('## Checks');
    expect(r.markdown).toContain('### Trainability: T₅₀ against the gradient horizon at initialisation');
    expect(r.markdown).toContain('| **0.02 ✓** | 0.02 |');
    const tally = /(\d+) held · (\d+) did not hold · (\d+) inconclusive/.exec(r.html)!;
    expect(Number(tally[1]) + Number(tally[2]) + Number(tally[3])).toBe(
      r.findings.filter((f) => f.kind === 'finding').length,
    );
  });
});
