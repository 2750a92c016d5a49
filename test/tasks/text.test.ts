import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textTask } from '../../src/tasks/text.js';
import { Rng } from '../../src/tensor/rng.js';
import { expectContract } from './helpers.js';

const CORPUS = 'the quick brown fox jumps over the lazy dog; ÉTÉ 😀 naïve café. '.repeat(12);

/** Decode the window of sequence b: the T input characters followed by the last target. */
function windowOf(task: ReturnType<typeof textTask>, x: Float64Array, y: Float64Array, B: number, b: number): string {
  const V = task.inputSize;
  const ids: number[] = [];
  for (let t = 0; t < task.T; t++) {
    const row = x.subarray((t * B + b) * V, (t * B + b + 1) * V);
    expect(row.reduce((s, v) => s + v, 0)).toBe(1);
    ids.push(row.indexOf(1));
    if (t > 0) expect(y[(t - 1) * B + b]).toBe(ids[t]); // the target is the next input
  }
  ids.push(y[(task.T - 1) * B + b]);
  return task.decode(ids);
}

describe('character-level text', () => {
  it('meets the task contract; vocabulary is the sorted distinct code points', () => {
    const task = textTask({ text: CORPUS, T: 16 });
    const chars = [...new Set(Array.from(CORPUS))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    expect(task.vocabulary).toEqual(chars);
    expect(task.vocabulary).toContain('😀'); // one code point, one class
    expect([task.inputSize, task.outputSize, task.loss, task.target, task.metric]).toEqual([
      chars.length,
      chars.length,
      'xent',
      'all',
      'bpc',
    ]);
    expect(task.decode(task.encode('lazy 😀'))).toBe('lazy 😀');
    expectContract(task);
  });

  it('samples windows (input, next character) from the first 90 % of the text', () => {
    const task = textTask({ text: CORPUS, T: 12 });
    const chars = Array.from(CORPUS);
    const train = chars.slice(0, Math.floor(0.9 * chars.length)).join('');
    const B = 60;
    const batch = task.sample(new Rng(4), B);
    for (let b = 0; b < B; b++) expect(train).toContain(windowOf(task, batch.x, batch.y, B, b));
  });

  it('evaluates on consecutive windows of the last 10 %', () => {
    const T = 10;
    const task = textTask({ text: CORPUS, T });
    const chars = Array.from(CORPUS);
    const n = Math.floor(0.9 * chars.length);
    const all = task.evaluationSet!()!;
    expect(all.B).toBe(Math.floor((chars.length - n - 1) / T));
    for (let b = 0; b < all.B; b++) {
      expect(windowOf(task, all.x, all.y, all.B, b)).toBe(chars.slice(n + b * T, n + b * T + T + 1).join(''));
    }
    expect(task.evaluationSet!(2)!.B).toBe(2);
  });

  it('baseline is the unigram entropy in bits', () => {
    const text = 'aab'.repeat(20) + 'c'.repeat(20);
    const task = textTask({ text, T: 3 });
    const p = [40 / 80, 20 / 80, 20 / 80];
    expect(task.baseline).toBeCloseTo(-p.reduce((s, q) => s + q * Math.log2(q), 0), 14);
  });

  it('reads a UTF-8 file and reports missing or empty files and a too long T', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recur-text-'));
    const path = join(dir, 'corpus.txt');
    writeFileSync(path, CORPUS, 'utf8');
    expect(textTask({ path, T: 8 }).vocabulary).toEqual(textTask({ text: CORPUS, T: 8 }).vocabulary);
    expect(() => textTask({ path: join(dir, 'nope.txt') })).toThrow(`text: file not found: ${join(dir, 'nope.txt')}`);
    writeFileSync(join(dir, 'empty.txt'), '');
    expect(() => textTask({ path: join(dir, 'empty.txt') })).toThrow(/text: file is empty: .*empty\.txt/);
    expect(() => textTask({ text: 'abcdefghij'.repeat(3), T: 3 })).toThrow(/text\.T: expected at most 2 .* found 3/);
    expect(() => textTask({ text: 'abc', path })).toThrow(/exactly one of path and text/);
    expect(() => textTask({})).toThrow(/exactly one of path and text/);
  });
});
