/**
 * Character-level language modelling.
 *
 * Source: a UTF-8 text file (`path`) or a string (`text`), exactly one of the two. Characters are Unicode
 * code points; the vocabulary is the sorted (by code point) set of distinct characters of the whole text,
 * V = its size. The first ⌊0.9·N⌋ characters (N = the text's length) are the training part, the rest the
 * evaluation part.
 * A window is T + 1 consecutive characters c_0..c_T: inputs x_t = one-hot(c_t) ([T, B, V]) and targets
 * y_t = c_{t+1} (the next character) at every step ('all'), t = 0..T−1. Loss cross-entropy; metric bits per
 * character (cross-entropy / ln 2).
 * `sample` draws windows at uniformly random offsets inside the training part; `evaluationSet(max)` returns
 * the consecutive non-overlapping windows of the evaluation part (starting at its first character), the
 * first `max` of them. Both parts must hold at least T + 1 characters.
 * Baseline: the unigram entropy of the text in bits, −Σ_c p(c)·log₂ p(c) with p the character frequencies
 * of the whole text (the best memoryless predictor). No "solved" threshold.
 */
import { nodeBuiltin } from '../util/node-builtin.js';
import { z } from 'zod';
import type { Rng } from '../tensor/rng.js';
import { parseConfig, positiveInt, prepareBatch, showValue, type ConfigProblem } from './common.js';
import type { Batch, Task } from './task.js';

export const textConfigSchema = z.strictObject({
  path: z.string().min(1).optional().describe('UTF-8 text file (or give `text`)'),
  text: z.string().optional().describe('the text itself (or give `path`)'),
  T: positiveInt().default(100).describe('sequence length (characters per window, each predicting the next)'),
});
export type TextConfig = z.output<typeof textConfigSchema>;

export const textDefinition =
  'Character-level language model: one-hot characters (the sorted distinct code points of a text) in, the ' +
  'next character out at every step; windows of T characters drawn from the first 90 % of the text, ' +
  'evaluated on the last 10 %. Metric bits per character; baseline the unigram entropy of the text.';

/** A text task also exposes its vocabulary and the character ↔ index maps. */
export interface TextTask extends Task {
  /** The vocabulary, one character (code point) per class, sorted by code point. */
  readonly vocabulary: readonly string[];
  encode(s: string): Int32Array;
  decode(indices: ArrayLike<number>): string;
}

/** Cross-field rules (also run by the registry's schema). */
export function textConfigProblems(c: TextConfig): ConfigProblem[] {
  if ((c.path === undefined) === (c.text === undefined)) {
    return [
      { field: 'path', expected: 'exactly one of path and text', found: c.path === undefined ? 'neither' : 'both' },
    ];
  }
  return [];
}

function readText(c: TextConfig): { text: string; source: string } {
  if (c.text !== undefined) {
    if (c.text.length === 0) throw new Error('text: the text given in the config is empty');
    return { text: c.text, source: 'the config text' };
  }
  const path = c.path!;
  const { existsSync, readFileSync, statSync } = nodeBuiltin('node:fs', `text: reading ${path}`);
  if (!existsSync(path)) throw new Error(`text: file not found: ${path}`);
  if (!statSync(path).isFile()) throw new Error(`text: not a file: ${path}`);
  const text = readFileSync(path, 'utf8');
  if (text.length === 0) throw new Error(`text: file is empty: ${path}`);
  return { text, source: path };
}

export function textTask(config: Partial<TextConfig> = {}): TextTask {
  const c = parseConfig('text', textConfigSchema, config, textConfigProblems);
  const { T } = c;
  const { text, source } = readText(c);
  const points = Array.from(text, (ch) => ch.codePointAt(0)!);
  const N = points.length;
  const sorted = [...new Set(points)].sort((a, b) => a - b);
  const index = new Map(sorted.map((p, i) => [p, i]));
  const V = sorted.length;
  const ids = Int32Array.from(points, (p) => index.get(p)!);
  const nTrain = Math.floor(0.9 * N);
  if (nTrain < T + 1 || N - nTrain < T + 1) {
    throw new Error(
      `text.T: expected at most ${Math.max(0, Math.min(nTrain, N - nTrain) - 1)} for ${source} ` +
        `(${N} characters: ${nTrain} for training, ${N - nTrain} for evaluation; each part needs T + 1), found ${T}`,
    );
  }
  const counts = new Float64Array(V);
  for (let i = 0; i < N; i++) counts[ids[i]]++;
  let entropy = 0;
  for (let v = 0; v < V; v++) if (counts[v] > 0) entropy -= (counts[v] / N) * Math.log2(counts[v] / N);
  const vocabulary = sorted.map((p) => String.fromCodePoint(p));

  const write = (start: number, b: number, B: number, batch: Batch): void => {
    for (let t = 0; t < T; t++) {
      batch.x[(t * B + b) * V + ids[start + t]] = 1;
      batch.y[t * B + b] = ids[start + t + 1];
    }
  };

  let evalCache: Batch | null = null;
  return {
    name: 'text',
    definition: `${textDefinition} (${source}: ${N} characters, V = ${V}, T = ${T})`,
    inputSize: V,
    outputSize: V,
    T,
    loss: 'xent',
    target: 'all',
    metric: 'bpc',
    baseline: entropy,
    baselineDescription: `unigram entropy of the text: ${entropy.toFixed(4)} bits per character`,
    vocabulary,
    sample(rng: Rng, B: number, out?: Batch): Batch {
      const batch = prepareBatch(out, T, B, T * B * V, T * B);
      batch.x.fill(0);
      for (let b = 0; b < B; b++) write(rng.int(nTrain - T), b, B, batch);
      return batch;
    },
    /** Consecutive windows of the last 10 %; cached and returned again for the same size: read-only. */
    evaluationSet(max?: number): Batch {
      if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
        throw new Error(`text.evaluationSet: max must be a positive integer, found ${showValue(max)}`);
      }
      const available = Math.floor((N - nTrain - 1) / T);
      const B = Math.min(max ?? available, available);
      if (evalCache && evalCache.B === B) return evalCache;
      const batch = prepareBatch(undefined, T, B, T * B * V, T * B);
      for (let b = 0; b < B; b++) write(nTrain + b * T, b, B, batch);
      evalCache = batch;
      return batch;
    },
    encode(s: string): Int32Array {
      return Int32Array.from(Array.from(s), (ch) => {
        const i = index.get(ch.codePointAt(0)!);
        if (i === undefined) throw new Error(`text.encode: character ${showValue(ch)} is not in the vocabulary`);
        return i;
      });
    },
    decode(indices: ArrayLike<number>): string {
      return Array.from(indices, (i) => {
        if (!(i >= 0 && i < V)) throw new Error(`text.decode: index ${i} is outside the vocabulary 0..${V - 1}`);
        return vocabulary[i];
      }).join('');
    },
  };
}
