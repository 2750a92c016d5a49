/**
 * Bounded inputs: the study files that used to take the machine down (issue 13) are refused at once, by
 * counting, with a message naming the key and the limit; limits can be raised deliberately.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTrials, expandStudy } from '../../src/runner/grid.js';
import { countTrials } from '../../src/runner/bounds.js';
import { loadStudyFile, parseStudy, StudyError } from '../../src/runner/study.js';
import { resolveLimits } from '../../src/runner/limits.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-limits-'));
const base = {
  name: 'b',
  seeds: [1],
  training: { steps: 2, batchSize: 2, optimizer: { kind: 'adam', lr: 0.01 } },
  tasks: { a: { kind: 'adding', T: 5 } },
  models: { m: { cell: { kind: 'vanilla', hidden: 2 } } },
};
const validate = (over: Record<string, unknown>, profile?: string) => {
  const s = parseStudy(JSON.stringify({ ...base, ...over }), 'x.json', profile);
  checkTrials(expandStudy(s, 'x.json'), 'x.json', resolveLimits(s.limits));
  return s;
};
const refusal = (over: Record<string, unknown>, profile?: string): string => {
  try {
    validate(over, profile);
  } catch (e) {
    expect(e).toBeInstanceOf(StudyError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('bounded study inputs', () => {
  it('a grid of 8 axes × 10 values is counted, not expanded (10^8 trials refused at once)', () => {
    const axes = Object.fromEntries(
      [
        'cell.hidden',
        'layers',
        'dropout',
        'bidirectional',
        'learnInitialState',
        'readout.hidden',
        'cell.activation',
        'cell.recurrentInit',
      ].map((k) => [k, Array.from({ length: 10 }, (_, i) => i)]),
    );
    const msg = refusal({ models: { m: { cell: { kind: 'vanilla', hidden: 2 }, grid: axes } } });
    expect(msg).toMatch(
      /models\.m\.grid defines 100,000,000 trials, more than the limit of 100,000 \(raise it deliberately with `limits: \{ trials: N \}`/,
    );
    expect(refusal({ seeds: 100_000, tasks: { a: { kind: 'adding', grid: { T: [5, 6] } } } })).toMatch(
      /the grids and seeds define 200,000 trials/,
    );
    expect(countTrials(parseStudy(JSON.stringify({ ...base, seeds: [1, 2, 3] }), 'x'))).toBe(3);
  });

  it('models, tasks, training and instruments past their limits are refused by counting', () => {
    expect(refusal({ models: { m: { cell: { kind: 'lstm', hidden: 20000 } } } })).toMatch(
      /models\.m on task a: 1\.6e9 parameters \(hidden 20000\), more than the limit of 20,000,000 .*limits: \{ parameters: N \}/,
    );
    expect(refusal({ tasks: { a: { kind: 'adding', T: 1e9 } } })).toMatch(
      /tasks\.a\.T: 1e9 is more than the limit of 10,000/,
    );
    expect(refusal({ training: { ...base.training, evalBatches: 1e9 } })).toMatch(
      /evalBatches × evalBatchSize = 6\.4e10 sequences per evaluation/,
    );
    expect(refusal({ training: { ...base.training, steps: 1e12 } })).toMatch(
      /training\.steps: 1e12 is more than the limit of 10,000,000/,
    );
    expect(refusal({ instruments: { lyapunov: { batchSize: 1e8 } } })).toMatch(/activations, more than the limit/);
    expect(refusal({ tasks: { a: { kind: 'teacher', hiddenSize: 1e6 } } })).toMatch(
      /tasks\.a\.hiddenSize: a teacher of 1,000,000 units/,
    );
    // raised deliberately: validated by counting, the model is never built
    expect(
      validate({
        models: { m: { cell: { kind: 'lstm', hidden: 20000 } } },
        limits: { parameters: 2e9, activations: 1e12 },
      }).limits,
    ).toEqual({ parameters: 2e9, activations: 1e12 });
    expect(refusal({ limits: { trials: 1e7 } })).toMatch(/limits\.trials: at most 1000000/);
  });

  it('names cannot escape or pollute: __proto__, path traversal', () => {
    expect(refusal({ pairs: [{ tasks: ['__proto__'], models: ['m'] }] })).toMatch(
      /pairs\[0\]\.tasks: no task named "__proto__"/,
    );
    expect(refusal({ pairs: [{ tasks: ['a'], models: ['toString'] }] })).toMatch(/no model named "toString"/);
    expect(refusal({ profiles: { q: { seeds: [2] } } }, '__proto__')).toMatch(/no profile '__proto__' \(known: q\)/);
    expect(refusal({ profiles: { '../../../../tmp/x': { seeds: [2] } } })).toMatch(
      /"\.\.\/\.\.\/\.\.\/\.\.\/tmp\/x" is not a valid name: a name of letters/,
    );
    expect(refusal({ models: { __proto__x: { cell: { kind: 'vanilla', hidden: 2 } } } })).toMatch(
      /starting with a letter or digit/,
    );
  });

  it('study files: regular files only, at most 256 KiB, nesting bounded', () => {
    const zero = join(dir, 'zero.yaml');
    symlinkSync('/dev/zero', zero);
    expect(() => loadStudyFile(zero)).toThrow(/zero\.yaml: not a regular file \(a device\)/);
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(() => loadStudyFile(fifo)).toThrow(/fifo\.yaml: not a regular file \(a FIFO\)/);
    const big = join(dir, 'seeds.json');
    writeFileSync(big, JSON.stringify({ ...base, seeds: Array.from({ length: 100_000 }, (_, i) => i) }));
    expect(() => loadStudyFile(big)).toThrow(
      /seeds\.json: \d{3},\d{3} bytes, more than the 262,144 a study file may have/,
    );
    expect(() => parseStudy(`a: ${'['.repeat(100_000)}`, 'deep.yaml')).toThrow(
      /deep\.yaml: objects and lists nest more than 32 levels deep/,
    );
    const aliases = `a: &a [1,1,1,1,1,1,1,1,1,1]\n${Array.from(
      { length: 12 },
      (_, k) =>
        `l${k + 1}: &l${k + 1} [${Array(10)
          .fill(k ? `*l${k}` : '*a')
          .join(',')}]`,
    ).join('\n')}\n`;
    expect(() => parseStudy(aliases, 'laughs.yaml')).toThrow(StudyError);
  });
});
