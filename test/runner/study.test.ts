/** Study files: validation names the field, the expectation and what was found; mutations never crash. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { expandStudy, checkTrials, crossProduct } from '../../src/runner/grid.js';
import { expandPilot, expandPilotRungs } from '../../src/runner/pilot.js';
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
    // tiny: 8 probe-only trials (a-plain: 2 activations × 2 depths × 2 gains) + adding T∈{6,8} × (plain ×2, highway, lstm)
    expect(expandStudy(parseStudy(flagship, 'f', 'tiny'))).toHaveLength(16);
    expect(expandPilot(parseStudy(flagship, 'f', 'tiny'))).toHaveLength(6);
    const standard = parseStudy(flagship, 'f');
    const trials = expandStudy(standard);
    // Part A: a-plain 2 × 8 × 8 = 128, shortcut 7, residual 3 × 8, highway 3 × 8 → 183 models × 5 seeds,
    // plus the T = 1000 subset 3 × 3 × 5 = 45; Part B: 14 model conditions × 5 T × 5 seeds, and the budget
    // check of the LSTM and the IRNN at T = 256 (5 seeds each)
    expect(trials.filter((t) => t.training.steps === 0)).toHaveLength(183 * 5 + 45);
    expect(trials.filter((t) => t.training.steps > 0)).toHaveLength(14 * 5 * 5 + 2 * 5);
    expect(new Set(trials.map((t) => t.key)).size).toBe(trials.length);
    // the pilot ladder: T = 64, then 32 and 16 for the conditions it leaves undecided
    expect(expandPilotRungs(standard).map((r) => r.length)).toEqual([14 * 3, 14 * 3, 14 * 3]);
    // no shortcut L = 1 (it is the plain cell)
    expect(
      trials.some(
        (t) =>
          (t.model.cell as { variant?: string; depth?: number }).variant === 'shortcut' &&
          (t.model.cell as { depth: number }).depth === 1,
      ),
    ).toBe(false);
    const quick = expandStudy(parseStudy(flagship, 'f', 'quick'));
    expect(quick.filter((t) => t.training.steps === 0)).toHaveLength(183 * 2);
    expect(quick.find((t) => t.modelName === 'plain' && t.axes['model.cell.depth'] === 4)?.model.cell).toMatchObject({
      kind: 'deep',
      depth: 4,
      hidden: 64,
    });
  });

  it('grid keys are stable and depend on every setting', () => {
    const a = expandStudy(parseStudy(flagship, 'f', 'tiny')),
      b = expandStudy(parseStudy(flagship, 'f', 'tiny'));
    expect(a.map((t) => t.key)).toEqual(b.map((t) => t.key));
    const other = expandStudy(parseStudy(flagship.replace('steps: 20,', 'steps: 21,'), 'f', 'tiny'));
    const trained = (ts: typeof a) => ts.filter((t) => t.training.steps > 0).map((t) => t.key);
    expect(trained(other).some((k) => trained(a).includes(k))).toBe(false);
    // probe-only trials do not train: the training budget is not part of their identity
    const probes = (ts: typeof a) => ts.filter((t) => t.training.steps === 0).map((t) => t.key);
    expect(probes(other)).toEqual(probes(a));
    expect(crossProduct({ a: [1, 2], b: ['x', 'y'] })).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
  });

  const cases: [string, (s: Record<string, any>) => void, RegExp][] = [
    [
      'unknown top-level field',
      (s) => {
        s.trainnig = {};
      },
      /Unrecognized key.*trainnig/i,
    ],
    [
      'wrong type',
      (s) => {
        s.training.steps = 'many';
      },
      /training\.steps: .*number.*found "many"/,
    ],
    [
      'negative batch',
      (s) => {
        s.training.batchSize = -4;
      },
      /training\.batchSize/,
    ],
    [
      'unknown cell kind',
      (s) => {
        s.models.lstm.cell.kind = 'transformer';
      },
      /models\.lstm\.cell/,
    ],
    [
      'grid axis on a missing object',
      (s) => {
        s.models.lstm.grid = { 'readout.hidden': [[4]] };
      },
      /grid axis "readout.hidden"/,
    ],
    [
      'impossible grid value',
      (s) => {
        s.models.plain.grid = { 'cell.depth': [1, 0] };
      },
      /cell\.depth/,
    ],
    [
      'grid field a cell does not have',
      (s) => {
        s.models.lstm.grid = { 'cell.depth': [2] };
      },
      /models\.lstm.*depth/i,
    ],
    [
      'task with a bad parameter',
      (s) => {
        s.tasks.adding.grid = { T: [1] };
      },
      /T/,
    ],
    [
      'missing file',
      (s) => {
        s.tasks.adding = { kind: 'text', path: '/nonexistent/corpus.txt' };
      },
      /nonexistent/,
    ],
    [
      'unknown model in pairs',
      (s) => {
        s.pairs = [{ tasks: ['adding'], models: ['gpt'] }];
      },
      /no model named "gpt"/,
    ],
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
      const r = (() => {
        try {
          const st = parseStudy(JSON.stringify(s), 'x.json');
          checkTrials(expandStudy(st, 'x.json'), 'x.json');
          return null;
        } catch (e) {
          return e;
        }
      })();
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

describe('trial identity', () => {
  it('the key is the hash of the study name and the canonical trial, backend and recur version included', async () => {
    const { createHash } = await import('node:crypto');
    const study = parseStudy(flagship, 'f', 'tiny');
    const [t] = expandStudy(study, 'f', { backend: 'reference', recur: '9.9.9' });
    const canonical = (v: unknown): string =>
      Array.isArray(v)
        ? `[${v.map(canonical).join(',')}]`
        : v && typeof v === 'object'
          ? `{${Object.keys(v)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
              .join(',')}}`
          : JSON.stringify(v);
    const body = {
      task: t.task,
      model: t.model,
      training: t.training,
      seed: t.seed,
      instruments: t.instruments,
      backend: 'reference',
      recur: '9.9.9',
    };
    expect(t.key).toBe(
      createHash('sha256')
        .update(`${study.name}\n${canonical(body)}`)
        .digest('hex')
        .slice(0, 32),
    );
    expect(expandStudy(study, 'f', { backend: 'wasm', recur: '9.9.9' })[0].key).not.toBe(t.key);
    expect(expandStudy(study, 'f', { backend: 'reference', recur: '9.9.10' })[0].key).not.toBe(t.key);
    expect(t).toMatchObject({ backend: 'reference', recur: '9.9.9' });
  });
});
