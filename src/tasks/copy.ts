/**
 * Copy memory (Arjovsky, Shah & Bengio 2016, after Hochreiter & Schmidhuber 1997).
 *
 * Classes: 0 = blank, 1..A = symbols (A = `alphabet`, default 8), A+1 = delimiter; inputs are one-hot over
 * these A+2 classes, outputs are A+1 classes (blank and the symbols). With K = `symbols` (default 10) and
 * delay T, each sequence has length T + 2K, steps numbered from 0:
 *   steps 0 … K−1:          the K symbols s_1..s_K, each uniform over {1..A}, i.i.d.
 *   steps K … K+T−2:        blank (T−1 steps)
 *   step  K+T−1:            the delimiter
 *   steps K+T … T+2K−1:     blank (the K recall steps)
 * Target: blank (0) at every step except the K recall steps, whose targets are s_1..s_K in order.
 * Loss cross-entropy, target 'all' (every step counts; the reported xent is the mean over T+2K steps).
 *
 * Baseline (a memoryless strategy that can count): blank with certainty before the recall steps and the
 * uniform distribution over the A symbols during them: xent = K·ln A / (T + 2K) (= 10 ln 8/(T+20)).
 * Solved: xent < 0.1 × baseline (our choice: the recall steps then average ≤ 0.1·ln A nats, i.e. the
 * geometric-mean probability of the right symbol is ≥ A^(−0.1) ≈ 0.81 for A = 8).
 * `recallAccuracy` scores the K recalled symbols separately.
 */
import { z } from 'zod';
import type { Rng } from '../tensor/rng.js';
import { parseConfig, positiveInt, prepareBatch } from './common.js';
import type { Batch, Task } from './task.js';

export const copyConfigSchema = z.strictObject({
  T: z.number().int().min(1).default(100).describe('delay: steps from the last symbol to the last blank before recall'),
  symbols: positiveInt().default(10).describe('K, the number of symbols to remember'),
  alphabet: z.number().int().min(2).default(8).describe('A, the number of distinct symbols'),
});
export type CopyConfig = z.output<typeof copyConfigSchema>;

export const copyDefinition =
  'Copy memory: K = 10 symbols drawn uniformly from A = 8, then T−1 blanks, a delimiter and K blanks ' +
  '(length T+2K; inputs one-hot over blank, symbols, delimiter). The target is blank everywhere except the ' +
  'last K steps, which must reproduce the symbols in order. Cross-entropy at every step; baseline ' +
  'K·ln A/(T+2K) (memoryless: blank, then uniform over the symbols); solved below 0.1 × baseline.';

export function copyTask(config: Partial<CopyConfig> = {}): Task {
  const { T, symbols: K, alphabet: A } = parseConfig('copy', copyConfigSchema, config);
  const L = T + 2 * K;
  const inputSize = A + 2;
  const delimiter = A + 1;
  const baseline = (K * Math.log(A)) / L;
  return {
    name: 'copy',
    definition: `${copyDefinition} (T = ${T}, K = ${K}, A = ${A}, length ${L})`,
    inputSize,
    outputSize: A + 1,
    T: L,
    loss: 'xent',
    target: 'all',
    metric: 'xent',
    baseline,
    baselineDescription:
      `memoryless: blank before the recall, uniform over the ${A} symbols in the ${K} recall steps: ` +
      `K·ln A/(T+2K) = ${baseline.toFixed(5)}`,
    solvedBelow: 0.1 * baseline,
    sample(rng: Rng, B: number, out?: Batch): Batch {
      const batch = prepareBatch(out, L, B, L * B * inputSize, L * B);
      const { x, y } = batch;
      x.fill(0);
      y.fill(0);
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < K; k++) {
          const s = 1 + rng.int(A);
          x[(k * B + b) * inputSize + s] = 1;
          y[(T + K + k) * B + b] = s;
        }
        for (let t = K; t < L; t++) x[(t * B + b) * inputSize] = 1; // blank
        const d = (K + T - 1) * B + b;
        x[d * inputSize] = 0;
        x[d * inputSize + delimiter] = 1;
      }
      return batch;
    },
    evaluationSet: () => null,
  };
}

/** The first recall step (targets s_1..s_K sit at steps recallStart … recallStart+K−1). */
export function copyRecallStart(config: Partial<CopyConfig> = {}): number {
  const c = parseConfig('copy', copyConfigSchema, config);
  return c.T + c.symbols;
}

/**
 * Fraction of recalled symbols predicted correctly: `predicted` holds class indices [T+2K, B] (e.g. the
 * argmax of the logits at each step); only the K recall steps are scored.
 */
export function recallAccuracy(batch: Batch, predicted: ArrayLike<number>, config: Partial<CopyConfig> = {}): number {
  const start = copyRecallStart(config);
  const { B, y } = batch;
  if (predicted.length !== y.length) {
    throw new Error(`recallAccuracy: predicted has ${predicted.length} entries, expected [T+2K, B] = ${y.length}`);
  }
  let right = 0;
  let n = 0;
  for (let t = start; t < batch.T; t++) {
    for (let b = 0; b < B; b++, n++) if (predicted[t * B + b] === y[t * B + b]) right++;
  }
  return n === 0 ? 0 : right / n;
}
