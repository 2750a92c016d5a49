/**
 * Padding for variable-length sequences: nested arrays of different lengths → one dense block, right-padded,
 * with each sequence's length and a 0/1 mask. recur's models read masks time-major ([T, B]); datasets keep
 * examples batch-first and transpose when they assemble a batch.
 */

/** One sequence: T steps of I features (number[][]), or T steps of one feature (number[]). */
export type Sequence = readonly (readonly number[])[] | readonly number[];

export interface PaddedSequences {
  /** Padded values, [N, T, I] (batch-first) or [T, N, I] (time-major), flattened. */
  x: Float64Array;
  /** [N, T, I] or [T, N, I] to match the layout. */
  shape: [number, number, number];
  /** Valid steps of each sequence. */
  lengths: Int32Array;
  /** 1 at valid steps, 0 at padding: [N, T] (batch-first) or [T, N] (time-major). */
  mask: Float64Array;
}

export interface PadOptions {
  /** Pad (or cut) to this many steps (default: the longest sequence). */
  length?: number;
  /** Value of padded entries (default 0). */
  value?: number;
  /** Order of the result (default 'batch-first'). */
  layout?: 'batch-first' | 'time-major';
  /** Name used in error messages (default 'padSequences'). */
  where?: string;
}

/** Number of features of step t of a sequence (1 for a plain number), or an error naming the position. */
function stepWidth(step: unknown, where: string): number {
  if (typeof step === 'number') return 1;
  if (Array.isArray(step)) return step.length;
  throw new Error(`${where} must be a number or an array of numbers, got ${typeof step}`);
}

/**
 * Pad sequences of different lengths to one block: `padSequences([[1, 2, 3], [4, 5]])` gives x [2, 3, 1]
 * = 1 2 3 4 5 0, lengths [3, 2], mask 1 1 1 1 1 0. Every step of every sequence must have the same number
 * of features; values must be finite. Sequences longer than `length` are cut (their length becomes `length`).
 */
export function padSequences(sequences: readonly Sequence[], options: PadOptions = {}): PaddedSequences {
  const where = options.where ?? 'padSequences';
  if (!Array.isArray(sequences) || sequences.length === 0)
    throw new Error(`${where}: expected a non-empty array of sequences`);
  let I = -1,
    longest = 0;
  sequences.forEach((s, n) => {
    if (!Array.isArray(s)) throw new Error(`${where}: sequence ${n} is not an array`);
    if (s.length === 0) throw new Error(`${where}: sequence ${n} is empty (every sequence needs at least one step)`);
    longest = Math.max(longest, s.length);
    for (let t = 0; t < s.length; t++) {
      const w = stepWidth(s[t], `${where}: sequence ${n}, step ${t}`);
      if (I < 0) I = w;
      else if (w !== I)
        throw new Error(`${where}: sequence ${n}, step ${t} has ${w} features, sequence 0 step 0 has ${I}`);
    }
  });
  if (I < 1) throw new Error(`${where}: steps have no features`);
  const T = options.length ?? longest;
  if (!Number.isInteger(T) || T < 1) throw new Error(`${where}: length must be a positive integer, got ${T}`);
  const N = sequences.length,
    timeMajor = options.layout === 'time-major';
  const x = new Float64Array(N * T * I).fill(options.value ?? 0);
  const mask = new Float64Array(N * T);
  const lengths = new Int32Array(N);
  sequences.forEach((s, n) => {
    const len = Math.min(T, s.length);
    lengths[n] = len;
    for (let t = 0; t < len; t++) {
      const step = s[t] as number | readonly number[];
      const row = timeMajor ? t * N + n : n * T + t;
      mask[row] = 1;
      for (let i = 0; i < I; i++) {
        const v = typeof step === 'number' ? step : step[i];
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw new Error(
            `${where}: sequence ${n}, step ${t}${I > 1 ? `, feature ${i}` : ''} is ${String(v)} (values must be finite numbers)`,
          );
        x[row * I + i] = v;
      }
    }
  });
  return { x, shape: timeMajor ? [T, N, I] : [N, T, I], lengths, mask };
}
