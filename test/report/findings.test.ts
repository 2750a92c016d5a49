import { describe, expect, it } from 'vitest';
import { loadStudyData } from '../../src/report/data.js';
import { computeFindings, fisherGreater, type Finding } from '../../src/report/findings.js';
import { loadGtt } from '../../src/report/series.js';
import { fixtureStore, type FixtureOptions } from './fixture.js';

function findingsFor(o: FixtureOptions): Map<string, Finding> {
  const store = fixtureStore({ addingT: [20, 50], copyT: [30], depths: [1, 2, 4, 8], ...o });
  try {
    const data = loadStudyData(store, 'deep-transition');
    return new Map(computeFindings(data, loadGtt(store, data.trials)).map((f) => [f.id, f]));
  } finally {
    store.close();
  }
}

describe('findings', () => {
  it('plain transitions decaying faster with L: held, with the numbers in the sentence', () => {
    const f = findingsFor({}).get('decay-depth:adding')!;
    expect(f.verdict).toBe('held');
    expect(f.sentence).toMatch(/^Plain deep transitions on adding: the gradient decays faster per step as L grows \(−0\.08\d* at L = 1, −0\.16 at L = 2, −0\.32 at L = 4, −0\.64 at L = 8; 6 trials each\), as the ‖A‖\^\(LT\) argument predicts\.$/);
    expect(f.seeds).toBe(3);
    expect(f.trials).toBe(24);
    expect(f.numbers['slope.L8']).toBeCloseTo(-0.64, 2);
  });

  it('plain transitions whose decay does not grow with L: did not hold', () => {
    const fs = findingsFor({ plainRate: 0.01 });
    const f = fs.get('decay-depth:adding')!;
    expect(f.verdict).toBe('did not hold');
    expect(f.sentence).toContain('does not decay faster');
    expect(f.sentence).toContain('contrary to');
    // and those curves now rise above their bound Π(γ‖W_l‖)^(T−t), which the bound finding must catch
    expect(fs.get('bound:plain')!.verdict).toBe('did not hold');
  });

  it('too few trials per depth: inconclusive, saying what is missing', () => {
    const f = findingsFor({ seeds: [1], addingT: [50], copyT: [] }).get('decay-depth:adding')!;
    expect(f.verdict).toBe('inconclusive');
    expect(f.sentence).toMatch(/too little data/);
  });

  it('claims about models the study lacks are not made at all', () => {
    const fs = findingsFor({ without: ['deep-plain', 'deep-shortcut', 'deep-residual', 'deep-highway'] });
    expect([...fs.keys()].some((k) => k.startsWith('decay-') || k.startsWith('success-variant'))).toBe(false);
    expect(fs.has('bound:vanilla-tanh')).toBe(true);
  });

  it('theory bound: held when every curve stays under it, did not hold when one does not', () => {
    const ok = findingsFor({}).get('bound:vanilla-tanh')!;
    expect(ok.verdict).toBe('held');
    expect(ok.sentence).toMatch(/^Vanilla tanh: the measured decay stayed inside the Pascanu bound \(γ‖A‖\)\^\(T−t\) at every step in 12\/12 curves \(6 trials on many-to-one tasks/);
    const bad = findingsFor({ violateBound: true }).get('bound:vanilla-tanh')!;
    expect(bad.verdict).toBe('did not hold');
    expect(bad.numbers.inside).toBe(0);
  });

  it('success of highway vs plain at the deepest L: held, did not hold, inconclusive (few trials, floor, ceiling)', () => {
    const split = findingsFor({ solved: (family, L) => !(family === 'plain' && L === 8) }).get('success-variant:adding:highway')!;
    expect(split.verdict).toBe('held');
    expect(split.sentence).toBe('Highway transitions at L = 8 solved adding in 6/6 trials (T=20: 3/3, T=50: 3/3); plain ones in 0/6 (T=20: 0/3, T=50: 0/3).');
    const worse = findingsFor({ solved: (family) => family === 'plain' }).get('success-variant:adding:highway')!;
    expect(worse.verdict).toBe('did not hold');
    expect(worse.sentence).toContain('no advantage');
    const ceiling = findingsFor({ solved: () => true }).get('success-variant:adding:highway')!;
    expect(ceiling.verdict).toBe('inconclusive');
    expect(ceiling.sentence).toContain('both always solved it');
    expect(findingsFor({ solved: () => false }).get('success-variant:adding:highway')!.sentence).toContain('neither solved it');
    const close = findingsFor({ solved: (family, L, T, seed) => family !== 'plain' || L !== 8 || seed !== 1 }).get('success-variant:adding:highway')!;
    expect(close.verdict).toBe('inconclusive'); // 6/6 vs 4/6
  });

  it('vanilla tanh at the copy baseline: held when it never learns, did not hold when it does', () => {
    expect(findingsFor({ solved: (family) => family !== 'tanh' }).get('copy-baseline:copy:vanilla-tanh')!.verdict).toBe('held');
    expect(findingsFor({ solved: () => true }).get('copy-baseline:copy:vanilla-tanh')!.verdict).toBe('did not hold');
  });

  it('every finding states its rule and its evidence', () => {
    for (const f of findingsFor({ accidents: true }).values()) {
      expect(f.rule.length).toBeGreaterThan(20);
      expect(f.evidence.length).toBeGreaterThan(10);
      expect(['held', 'did not hold', 'inconclusive']).toContain(f.verdict);
    }
  });

  it('Fisher exact test (one-sided) matches hand-computed values', () => {
    expect(fisherGreater(3, 3, 0, 3)).toBeCloseTo(1 / 20, 12);
    expect(fisherGreater(0, 3, 0, 3)).toBe(1);
    // 6/6 vs 4/6: P = C(10,6)·C(2,0)/C(12,6) = 210/924
    expect(fisherGreater(6, 6, 4, 6)).toBeCloseTo(210 / 924, 12);
  });
});
