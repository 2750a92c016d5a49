/** Study files: validation names the field, the expectation and what was found; mutations never crash. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { expandStudy, checkTrials, crossProduct } from '../../src/runner/grid.js';
import { parseStudy, StudyError } from '../../src/runner/study.js';
import { Rng } from '../../src/tensor/rng.js';

const flagship = readFileSync(new URL('../../studies/deep-transition.yaml', import.meta.url), 'utf8');
const base = parseYaml(flagship) as Record<string, unknown>;

function attempt(obj: unknown): unknown {
  try {
    const study = parseStudy(JSON.stringify(obj), 'mutant.json', 'tiny');
    const trials = expandStudy(study, 'mutant.json');
    checkTrials(trials, 'mutant.json');
    return trials;
  } catch (e) {
    return e;
  }
}

describe('study files', () => {
  it('the flagship expands to the expected grid in every profile', () => {
    expect(expandStudy(parseStudy(flagship, 'f', 'tiny'))).toHaveLength(6);
    const quick = expandStudy(parseStudy(flagship, 'f', 'quick'));
    // adding T∈{10,30} + copy T=5: 3 tasks × (tanh, irnn, 4 deep × 4 depths, gru, lstm, lru = 21) + teachers 2 × (1 + 4 + 4) = 81, × 2 seeds
    expect(quick).toHaveLength(162);
    expect(new Set(quick.map((t) => t.key)).size).toBe(162);
    expect(quick.find((t) => t.modelName === 'deep-plain' && t.axes['model.cell.depth'] === 8)?.model.cell).toMatchObject({ kind: 'deep', depth: 8, hidden: 32 });
  });

  it('grid keys are stable and depend on every setting', () => {
    const a = expandStudy(parseStudy(flagship, 'f', 'tiny')), b = expandStudy(parseStudy(flagship, 'f', 'tiny'));
    expect(a.map((t) => t.key)).toEqual(b.map((t) => t.key));
    const other = parseStudy(flagship.replace('steps: 20,', 'steps: 21,'), 'f', 'tiny');
    expect(expandStudy(other)[0].key).not.toBe(a[0].key);
    expect(crossProduct({ a: [1, 2], b: ['x', 'y'] })).toEqual([{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }]);
  });

  const cases: [string, (s: Record<string, any>) => void, RegExp][] = [
    ['unknown top-level field', (s) => { s.trainnig = {}; }, /Unrecognized key.*trainnig/i],
    ['wrong type', (s) => { s.training.steps = 'many'; }, /training\.steps: .*number.*found "many"/],
    ['negative batch', (s) => { s.training.batchSize = -4; }, /training\.batchSize/],
    ['unknown cell kind', (s) => { s.models.tanh.cell.kind = 'transformer'; }, /models\.tanh\.cell/],
    ['grid axis on a missing object', (s) => { s.models.gru.grid = { 'readout.hidden': [[4]] }; }, /grid axis "readout.hidden"/],
    ['impossible grid value', (s) => { s.models['deep-plain'].grid = { 'cell.depth': [1, 0] }; }, /cell\.depth/],
    ['grid field a cell does not have', (s) => { s.models.gru.grid = { 'cell.depth': [2] }; }, /models\.gru.*depth/i],
    ['task with a bad parameter', (s) => { s.tasks.adding.grid = { T: [1] }; }, /T/],
    ['missing file', (s) => { s.tasks.adding = { kind: 'text', path: '/nonexistent/corpus.txt' }; }, /nonexistent/],
    ['unknown model in pairs', (s) => { s.pairs = [{ tasks: ['adding'], models: ['gpt'] }]; }, /no model named "gpt"/],
    ['unknown profile', () => undefined, /no profile 'nope'/],
  ];
  for (const [name, mutate, pattern] of cases) {
    it(`rejects: ${name}`, () => {
      const s = structuredClone(base) as Record<string, any>;
      mutate(s);
      if (name === 'unknown profile') {
        expect(() => parseStudy(JSON.stringify(s), 'x.json', 'nope')).toThrow(pattern);
        return;
      }
      delete s.profiles;
      const r = (() => { try { const st = parseStudy(JSON.stringify(s), 'x.json'); checkTrials(expandStudy(st, 'x.json'), 'x.json'); return null; } catch (e) { return e; } })();
      expect(r).toBeInstanceOf(StudyError);
      expect((r as Error).message).toMatch(pattern);
      expect((r as Error).message).toMatch(/^x\.json/);
    });
  }

  it('a few hundred random mutations: every outcome is a valid study or a StudyError (no crash)', () => {
    const rng = new Rng(2024);
    const values: unknown[] = [null, -1, 0, 1.5, 1e9, 'x', '', true, [], [0], {}, { kind: 'adding' }, NaN];
    let rejected = 0;
    for (let k = 0; k < 300; k++) {
      const s = structuredClone(base) as Record<string, unknown>;
      // walk to a random node and replace, delete or add a key
      let node: any = s;
      for (let depth = 0; depth < 4; depth++) {
        const keys = node && typeof node === 'object' ? Object.keys(node) : [];
        if (!keys.length) break;
        const key = keys[rng.int(keys.length)];
        if (depth === 3 || typeof node[key] !== 'object' || node[key] === null || rng.uniform() < 0.3) {
          const op = rng.int(3);
          if (op === 0) node[key] = values[rng.int(values.length)];
          else if (op === 1) delete node[key];
          else node[`${key}_extra`] = values[rng.int(values.length)];
          break;
        }
        node = node[key];
      }
      const r = attempt(s);
      if (r instanceof Error) {
        expect(r, String(r.stack)).toBeInstanceOf(StudyError);
        expect(r.message).toMatch(/mutant\.json/);
        rejected++;
      } else {
        expect(Array.isArray(r)).toBe(true);
      }
    }
    expect(rejected).toBeGreaterThan(100);
  });
});
