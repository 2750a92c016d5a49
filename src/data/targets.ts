/**
 * Targets of a Dataset: one per sequence ('last') or one per step ('all'), regression values or class
 * indices, nested or flat, checked and stored batch-first: [N, O] / [N] or [N, T, O] / [N, T].
 */

/** Targets as given by the user (see DatasetOptions.y). */
export type Targets =
  | ArrayLike<number>
  | readonly (number | readonly number[] | readonly (number | readonly number[])[])[];

export interface TargetContext {
  N: number;
  T: number;
  lengths: Int32Array;
  target: 'last' | 'all';
  loss: 'mse' | 'xent';
  layout: 'batch-first' | 'time-major';
  classes?: number;
}

const isFlat = (y: Targets): y is ArrayLike<number> => !Array.isArray(y) || y.every((v) => typeof v === 'number');

/** A number or an array of numbers → its values, or an error naming the position. */
function values(v: unknown, where: string): readonly number[] {
  const vs = typeof v === 'number' ? [v] : Array.isArray(v) ? (v as unknown[]) : null;
  if (!vs)
    throw new Error(`dataset: ${where} must be a number or an array of numbers, got ${v === null ? 'null' : typeof v}`);
  vs.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new Error(
        `dataset: ${where}${vs.length > 1 ? `[${i}]` : ''} is ${String(x)} (targets must be finite numbers)`,
      );
  });
  return vs as number[];
}

/** Check, and store batch-first, the targets; returns them with the model's output size. */
export function readTargets(y: Targets, c: TargetContext): { y: Float64Array; outputSize: number } {
  if (!y || typeof (y as ArrayLike<number>).length !== 'number')
    throw new Error("dataset: y is missing (one target per sequence, or per step with target 'all')");
  const { N, T, lengths } = c;
  const perExample = c.target === 'all' ? T : 1;
  let O: number, out: Float64Array;
  if (c.target === 'last' && isFlat(y)) {
    if (y.length % N !== 0)
      throw new Error(`dataset: y has ${y.length} values for ${N} sequences (expected N or N·outputs)`);
    O = y.length / N;
    out = Float64Array.from(values(Array.from(y), 'y'));
  } else if (c.target === 'last') {
    const ys = y as readonly unknown[];
    if (ys.length !== N) throw new Error(`dataset: y has ${ys.length} entries, x has ${N} sequences`);
    O = values(ys[0], 'y[0]').length;
    out = new Float64Array(N * O);
    ys.forEach((v, n) => {
      const vs = values(v, `y[${n}]`);
      if (vs.length !== O) throw new Error(`dataset: y[${n}] has ${vs.length} values, y[0] has ${O}`);
      out.set(vs, n * O);
    });
  } else if (isFlat(y)) {
    if (y.length % (N * T) !== 0)
      throw new Error(`dataset: per-step y has ${y.length} values, expected N·T·outputs with N·T = ${N}·${T}`);
    O = y.length / (N * T);
    out = new Float64Array(N * T * O);
    for (let n = 0; n < N; n++)
      for (let t = 0; t < T; t++)
        for (let o = 0; o < O; o++) {
          const v = y[c.layout === 'time-major' ? (t * N + n) * O + o : (n * T + t) * O + o];
          if (!Number.isFinite(v))
            throw new Error(`dataset: y at sequence ${n}, step ${t} is ${v} (targets must be finite numbers)`);
          out[(n * T + t) * O + o] = t < lengths[n] ? v : 0;
        }
  } else {
    const ys = y as readonly unknown[];
    if (ys.length !== N) throw new Error(`dataset: y has ${ys.length} entries, x has ${N} sequences`);
    O = -1;
    out = new Float64Array(0);
    ys.forEach((seq, n) => {
      if (!Array.isArray(seq)) throw new Error(`dataset: y[${n}] must be an array of per-step targets (target 'all')`);
      if (seq.length < lengths[n])
        throw new Error(`dataset: y[${n}] has ${seq.length} steps, sequence ${n} has ${lengths[n]}`);
      for (let t = 0; t < lengths[n]; t++) {
        const vs = values(seq[t], `y[${n}][${t}]`);
        if (O < 0) {
          O = vs.length;
          out = new Float64Array(N * T * O);
        }
        if (vs.length !== O) throw new Error(`dataset: y[${n}][${t}] has ${vs.length} values, y[0][0] has ${O}`);
        out.set(vs, (n * T + t) * O);
      }
    });
  }
  if (O < 1) throw new Error('dataset: y has no values');
  if (c.loss === 'mse') return { y: out, outputSize: O };
  if (O !== 1)
    throw new Error(
      `dataset: with loss 'xent', y holds one class index per ${c.target === 'all' ? 'step' : 'sequence'}, got ${O} values each`,
    );
  let max = 0;
  for (let k = 0; k < out.length; k++) {
    const v = out[k];
    if (!Number.isInteger(v) || v < 0)
      throw new Error(
        `dataset: y value ${v} (entry ${Math.floor(k / perExample)}${perExample > 1 ? `, step ${k % perExample}` : ''}) is not a class index (an integer ≥ 0)`,
      );
    max = Math.max(max, v);
  }
  const classes = c.classes ?? max + 1;
  if (!Number.isInteger(classes) || classes < 2)
    throw new Error(
      `dataset: classes must be an integer ≥ 2, got ${classes}${c.classes === undefined ? ' (from the largest label; pass classes)' : ''}`,
    );
  if (max >= classes) throw new Error(`dataset: y has class index ${max}, but classes is ${classes}`);
  return { y: out, outputSize: classes };
}
