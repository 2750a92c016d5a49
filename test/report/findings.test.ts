import { describe, expect, it } from 'vitest';
import { loadStudyData } from '../../src/report/data.js';
import { computeFindings, decide, type Draft, type Finding } from '../../src/report/findings.js';
import { meanTest } from '../../src/report/inference.js';
import { loadGtt } from '../../src/report/series.js';
import { fixtureStore, type FixtureOptions } from './fixture.js';
import { studyStore, type StudyFixture } from './study-fixture.js';

function findingsOf(store: ReturnType<typeof studyStore>, study: string): Finding[] {
  try {
    const data = loadStudyData(store, study);
    return computeFindings(data, loadGtt(store, data.trials));
  } finally {
    store.close();
  }
}
const study = (f: StudyFixture) => findingsOf(studyStore(f), 'dt');
const old = (o: FixtureOptions) =>
  new Map(
    findingsOf(fixtureStore({ addingT: [20, 50], copyT: [30], depths: [1, 2, 4, 8], ...o }), 'deep-transition').map(
      (f) => [f.id, f],
    ),
  );

const plain = (L: number) => ({ kind: 'deep', hidden: 16, depth: L, variant: 'plain' });
const highway = (L: number) => ({ kind: 'deep', hidden: 16, depth: L, variant: 'highway' });

describe('findings: gradient at initialisation (Part A)', () => {
  it('the linear control is a check, not a finding, and recovers c = log a with R² = 1 (regression with intercept)', () => {
    const fs = study({ partA: { intercept: 0.01 } });
    const checks = fs.filter((f) => f.kind === 'check' && f.topic === 'linear control');
    expect(checks).toHaveLength(3);
    for (const c of checks) {
      expect(c.verdict).toBe('held');
      expect(c.numbers.c).toBeCloseTo(c.numbers.logA!, 10);
      expect(c.p).toBeNull();
      expect(c.ci!.hi - c.ci!.lo).toBeLessThan(1e-9);
      // R² is 1 where the line has a slope (at a = 1 the synthetic s is flat and R² undefined)
      if (c.numbers.logA !== 0) expect(c.sentence).toContain('R² = 1,');
    }
  });

  it('tanh lines whose rate is log a − 0.05: "did not hold", stating c, its CI and the gap; rate log a: "held"', () => {
    const off = study({ partA: {} }).filter((f) => f.id.startsWith('decay-rate'));
    expect(off).toHaveLength(3);
    for (const f of off) {
      expect(f.verdict).toBe('did not hold');
      expect(f.numbers.c! - f.numbers.logA!).toBeCloseTo(-0.05, 2);
      expect(f.sentence).toMatch(/c = −?[\d.]+ per layer, 95% CI \[−?[\d.]+, −?[\d.]+\], intercept .*R² = /);
      expect(f.sentence).toMatch(/Holm-adjusted/);
    }
    const on = study({ partA: { tanhExtra: 0 } }).filter((f) => f.id.startsWith('decay-rate'));
    expect(on.map((f) => f.verdict)).toEqual(['held', 'held', 'held']);
  });

  it('an exploding run is kept: it appears in the sentence with its growth rate and is in the fit', () => {
    const fs = study({ partA: { exploding: { gain: 1.25, L: 8, seed: 2, rate: 0.731 } } });
    const f = fs.find((x) => x.id.startsWith('decay-rate') && x.sentence.includes('gain=1.25'))!;
    expect(f.sentence).toContain('1 of 12 trials exploding, kept with their growth rates (L = 8: 0.731/step)');
    expect(f.numbers.exploding).toBe(1);
    expect(f.trials).toBe(12);
  });

  it('a variant is compared with plain at the deepest common depth, paired by seed', () => {
    const f = study({ partA: { highway: true, activations: ['tanh'] } }).find((x) => x.id.startsWith('decay-variant'))!;
    expect(f.verdict).toBe('held');
    expect(f.sentence).toMatch(/at L = 8, mean paired difference 0\.3\d* per step, 95% CI \[[\d.]+, [\d.]+\], 3 seeds/);
  });
});

describe('findings: trainability (Part B), per T, paired, Holm-corrected', () => {
  // With no untrained trials the step-0 decay of these trained ones is Part A's data: highway keeps far more
  // gradient than plain (p ≈ 0), a test in the same Holm family.
  type Rule = (T: number, s: number) => boolean;
  type Loss = (T: number, s: number) => number;
  const models = (solvedA: Rule, solvedB: Rule, lossA?: Loss, lossB?: Loss) => [
    { name: 'hw', cell: highway(4), solved: solvedA, loss: lossA, s: -0.01 },
    { name: 'plain', cell: plain(4), solved: solvedB, loss: lossB, s: -0.3 },
  ];
  const never = () => false;
  // A ends below B by these amounts of log(final / baseline) on seeds 1–5: mean 0.3, one-sided p ≈ 0.035
  const gains = [0.5, -0.1, 0.6, 0.2, 0.3];
  const p1 = meanTest(gains)!.p;
  const better: Loss = (_T, s) => 0.16 * Math.exp(-gains[s - 1]);
  const atBase: Loss = () => 0.16;

  it('a zero-information table (n/n vs n/n: censored; equal losses) gives one "inconclusive" line and no test', () => {
    const fs = study({
      partB: {
        Ts: [16, 64],
        models: models(
          (T) => T === 16,
          (T) => T === 16,
        ),
      },
    }).filter((f) => f.topic === 'trainability');
    expect(fs).toHaveLength(1);
    expect(fs[0].verdict).toBe('inconclusive');
    expect(fs[0].p).toBeNull();
    expect(fs[0].sentence).toContain(
      'no T carried information (T = 16: 5/5 vs 5/5 (both solved: censored); T = 64: 0/5 vs 0/5)',
    );
  });

  it('the test is the paired t test of log(final / baseline), with the success counts alongside', () => {
    const f = study({ partB: { Ts: [64], models: models(never, never, better, atBase) } }).find(
      (x) => x.topic === 'trainability',
    )!;
    expect(f.p).toBeCloseTo(p1, 12);
    expect(f.numbers.diff).toBeCloseTo(-0.3, 12);
    expect(f.sentence).toMatch(
      /highway L=4 solved 0\/5, plain L=4 0\/5; mean log\(final mse \/ baseline\) −0\.3\d* vs /,
    );
    expect(f.sentence).toMatch(/mean paired difference \(A − B\) −0\.3, 95% CI \[−0\.\d+, 0\.\d+\], 5 seeds/);
  });

  it('Holm changes the verdict: one informative T alone is "held" (p ≈ 0.035), two are not (adjusted ≈ 0.07)', () => {
    const one = study({ partB: { Ts: [16, 64], models: models(never, never, better, atBase) } })
      .filter((f) => f.topic === 'trainability')
      .filter((f) => f.p !== null);
    expect(one).toHaveLength(2); // T = 16 and T = 64 carry the same evidence
    const single = study({
      partB: { Ts: [64], models: models(never, never, better, atBase) },
    }).filter((f) => f.topic === 'trainability');
    // family: {decay p ≈ 0, success p1}: Holm multiplies the larger by 1
    expect(single.map((f) => f.verdict)).toEqual(['held']);
    expect(single[0].pHolm).toBeCloseTo(p1, 12);
    // family: {decay p ≈ 0, p1, p1}: each success p is multiplied by 2, above 0.05
    expect(one.map((f) => f.verdict)).toEqual(['inconclusive', 'inconclusive']);
    for (const f of one) expect(f.pHolm).toBeCloseTo(2 * p1, 12);
  });

  it('"did not hold" only when the CI lies on B\'s side: consistently worse yes, worse on average only no', () => {
    const worse = [-0.5, -0.6, -0.4, -0.5, -0.55];
    const noisy = [-0.5, 0.4, -0.3, 0.2, -0.1];
    const run = (d: number[]) =>
      study({
        partB: { Ts: [16], models: models(never, never, (_T, s) => 0.16 * Math.exp(-d[s - 1]), atBase) },
      }).find((f) => f.topic === 'trainability')!;
    const w = run(worse);
    expect(w.verdict).toBe('did not hold');
    expect(w.ci!.lo).toBeGreaterThan(0); // A − B > 0: A ends higher
    expect(run(noisy).verdict).toBe('inconclusive');
  });

  it('Holm runs over every test of the report (Part A and Part B together)', () => {
    // three Part A rate claims that are far from their prediction (p ≈ 1) and one Part B claim with p1:
    // the smallest of four p-values is multiplied by 4, so the Part B claim alone would hold, here it does not
    const fs = study({
      partA: { activations: ['tanh'] },
      partB: { Ts: [16], models: models(never, never, better, atBase) },
    });
    const tested = fs.filter((f) => f.p !== null && f.kind === 'finding');
    expect(tested).toHaveLength(4);
    const b = fs.find((f) => f.topic === 'trainability')!;
    expect(b.pHolm).toBeCloseTo(4 * p1, 12);
    expect(b.verdict).toBe('inconclusive');
  });
});

describe('decide', () => {
  const draft = (id: string, p: number, contrary = false): Draft => ({
    id,
    kind: 'finding',
    topic: 't',
    claim: 'c',
    rule: 'r',
    evidence: 'e',
    numbers: {},
    p,
    ci: null,
    contrary,
    used: [],
    say: (v, ph) => `${v} ${ph}`,
  });
  it('held needs the adjusted p; did not hold needs a contrary CI; checks keep their own verdict and stay out of the family', () => {
    const out = decide([
      draft('a', 0.01),
      draft('b', 0.04),
      draft('c', 0.9, true),
      { ...draft('k', 0), kind: 'check', p: null, verdict: 'held' },
    ]);
    expect(out.map((f) => [f.id, f.verdict, f.pHolm])).toEqual([
      ['a', 'held', 0.03],
      ['b', 'inconclusive', 0.08],
      ['c', 'did not hold', 0.9],
      ['k', 'held', null],
    ]);
  });
});

describe("findings on an older study (the committed quick report's shape)", () => {
  it('Part A falls back to the step-0 measurements of trained trials, per T; bound checks are checks', () => {
    const fs = old({});
    const rate = [...fs.values()].filter((f) => f.id.startsWith('decay-rate'));
    expect(rate.length).toBe(2); // one per adding T, never pooled
    expect(rate.every((f) => f.verdict === 'did not hold')).toBe(true); // c ≈ −0.08 per layer at a = 1: not log a = 0
    expect(fs.get('bound:vanilla-tanh')!.kind).toBe('check');
    expect(fs.get('bound:vanilla-tanh')!.verdict).toBe('held');
    expect(old({ violateBound: true }).get('bound:vanilla-tanh')!.verdict).toBe('did not hold');
  });

  it('claims about models the study lacks are not made at all', () => {
    const fs = old({ without: ['deep-plain', 'deep-shortcut', 'deep-residual', 'deep-highway'] });
    expect([...fs.keys()].some((k) => k.startsWith('decay-') || k.includes('deep-'))).toBe(false);
    expect(fs.has('bound:vanilla-tanh')).toBe(true);
  });

  it('every finding states its rule, its evidence and (when tested) its p and CI', () => {
    for (const f of old({ accidents: true }).values()) {
      expect(f.rule.length).toBeGreaterThan(20);
      expect(f.evidence.length).toBeGreaterThan(10);
      if (f.kind === 'finding' && f.p !== null) {
        expect(f.ci).not.toBeNull();
        expect(f.sentence).toMatch(/Holm-adjusted|left out of the correction/);
      }
    }
  });
});

describe('censored comparisons', () => {
  it('a T at which both solved every seed is not tested (losses stop at the threshold); another T decides', () => {
    const models = [
      { name: 'hw', cell: highway(4), solved: () => true, s: -0.01 },
      { name: 'plain', cell: plain(4), solved: (T: number) => T === 16, s: -0.3 },
    ];
    const fs = study({ partB: { Ts: [16, 64], models } }).filter((f) => f.topic === 'trainability');
    expect(fs.map((f) => [f.numbers.T, f.verdict])).toEqual([[64, 'held']]);
    expect(fs[0].sentence).toContain('highway L=4 solved 5/5, plain L=4 0/5');
  });
});

describe('partners', () => {
  it('a trained model is compared with the trained plain model, not with an untrained Part A one of the same shape', () => {
    const fs = study({
      partA: { activations: ['tanh'], gains: [1], depths: [4] },
      partB: {
        Ts: [16],
        models: [
          { name: 'hw', cell: highway(4), solved: () => true, s: -0.01 },
          { name: 'plain-b', cell: plain(4), solved: () => false, s: -0.3 },
        ],
      },
    });
    const b = fs.filter((f) => f.topic === 'trainability');
    expect(b).toHaveLength(1);
    expect(b[0].sentence).toContain('highway L=4 solved 5/5, plain L=4 0/5'); // the untrained one is 'plain · gain=1 L=4'
  });
});
