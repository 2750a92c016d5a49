/**
 * Inputs of a Dataset: sequences from nested arrays (padded to the longest) or a flat typed array (batch-first
 * [N, T, I] or time-major [T, N, I]), with optional lengths or a [N, T] / [T, N] mask, checked and stored
 * batch-first [N, T, I] with the padding zeroed. Every problem names the argument and position.
 */
import type { DatasetOptions } from './dataset.js';
import { padSequences, type Sequence } from './pad.js';

/** x as batch-first [N, T, I] with lengths, from nested or flat input. */
export function readInputs(
  o: DatasetOptions,
  layout: 'batch-first' | 'time-major',
): { x: Float64Array; lengths: Int32Array; T: number; I: number } {
  let x: Float64Array, N: number, T: number, I: number, lengths: Int32Array;
  if (Array.isArray(o.x) && (o.x.length === 0 || Array.isArray(o.x[0]))) {
    if (o.shape) throw new Error('dataset: shape goes with a flat x; nested sequences carry their own shape');
    const p = padSequences(o.x as readonly Sequence[], { where: 'dataset: x' });
    [N, T, I] = p.shape;
    x = p.x;
    lengths = p.lengths;
  } else {
    const flat = o.x as ArrayLike<number>;
    if (!flat || typeof flat.length !== 'number')
      throw new Error('dataset: x must be an array of sequences or a flat numeric array with shape');
    const s = o.shape;
    if (!s || s.length !== 3 || !s.every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(
        `dataset: a flat x needs shape [N, T, I]${layout === 'time-major' ? ' (time-major: [T, N, I])' : ''} of positive integers, got ${JSON.stringify(s ?? null)}`,
      );
    }
    [N, T, I] = layout === 'time-major' ? [s[1], s[0], s[2]] : [s[0], s[1], s[2]];
    if (flat.length !== N * T * I)
      throw new Error(`dataset: x has ${flat.length} values, shape ${JSON.stringify(s)} needs ${N * T * I}`);
    x = new Float64Array(N * T * I);
    for (let n = 0; n < N; n++)
      for (let t = 0; t < T; t++)
        for (let i = 0; i < I; i++) {
          const v = flat[layout === 'time-major' ? (t * N + n) * I + i : (n * T + t) * I + i];
          if (!Number.isFinite(v))
            throw new Error(`dataset: x at sequence ${n}, step ${t}, feature ${i} is ${v} (values must be finite)`);
          x[(n * T + t) * I + i] = v;
        }
    lengths = new Int32Array(N).fill(T);
  }
  if (o.lengths && o.mask) throw new Error('dataset: give lengths or mask, not both');
  if (o.lengths) {
    if (o.lengths.length !== N) throw new Error(`dataset: lengths has ${o.lengths.length} entries for ${N} sequences`);
    for (let n = 0; n < N; n++) {
      const l = o.lengths[n];
      if (!Number.isInteger(l) || l < 1 || l > lengths[n])
        throw new Error(`dataset: lengths[${n}] = ${l} must be an integer in 1..${lengths[n]}`);
      lengths[n] = l;
    }
  } else if (o.mask) {
    if (o.mask.length !== N * T)
      throw new Error(`dataset: mask has ${o.mask.length} values, expected N·T = ${N}·${T} = ${N * T}`);
    for (let n = 0; n < N; n++) {
      let len = 0;
      for (let t = 0; t < T; t++) {
        const m = o.mask[layout === 'time-major' ? t * N + n : n * T + t];
        if (m !== 0 && m !== 1) throw new Error(`dataset: mask at sequence ${n}, step ${t} is ${m} (0 or 1 expected)`);
        if (m === 1 && len !== t)
          throw new Error(
            `dataset: mask of sequence ${n} has a 1 at step ${t} after padding (sequences must be right-padded)`,
          );
        if (m === 1) len = t + 1;
      }
      if (len === 0) throw new Error(`dataset: mask of sequence ${n} is all zeros`);
      lengths[n] = Math.min(len, lengths[n]);
    }
  }
  for (let n = 0; n < N; n++) for (let t = lengths[n]; t < T; t++) x.fill(0, (n * T + t) * I, (n * T + t + 1) * I);
  return { x, lengths, T, I };
}
