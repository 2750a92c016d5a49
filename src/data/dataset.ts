/**
 * Your own data as a Task: sequences from nested arrays (of different lengths: padded for you) or from flat
 * typed arrays (batch-first [N, T, I] or time-major [T, N, I], with lengths or a mask), targets per sequence
 * ('last') or per step ('all'), regression ('mse') or classification ('xent', class indices).
 *
 * A Dataset keeps its N examples batch-first, padded to the longest length T, and assembles time-major
 * batches [T, B, I] (with a [T, B] mask when lengths differ) for `fit`, which walks it in shuffled epochs.
 * Metric: MSE for regression, accuracy for classification; baseline: predicting the mean target (its
 * variance) or always the most frequent class (its frequency).
 *
 * ```ts
 * const data = dataset({ x: [[0.1, 0.5, 0.2], [0.9, 0.3]], y: [1, 0], loss: 'xent' });
 * const { train, validation } = data.split(0.2, { seed: 1 });
 * ```
 */
import { Rng } from '../tensor/rng.js';
import type { Batch, Task } from '../tasks/task.js';
import { readInputs } from './inputs.js';
import type { Sequence } from './pad.js';
import { readTargets, type Targets } from './targets.js';

export interface DatasetOptions {
  /** Sequences: nested arrays [N][T_n][I] (or [N][T_n] for one feature), or a flat array with `shape`. */
  x: readonly Sequence[] | ArrayLike<number>;
  /** Shape of a flat `x`: [N, T, I] (batch-first, default) or [T, N, I] (layout 'time-major'). */
  shape?: readonly number[];
  /** Order of flat `x`, `mask` and per-step `y` (default 'batch-first'). */
  layout?: 'batch-first' | 'time-major';
  /** Valid steps of each sequence (right padding): with a flat x, or to cut nested sequences. */
  lengths?: ArrayLike<number>;
  /** Or a 0/1 mask, [N, T] (batch-first) or [T, N], right-padded: the alternative to `lengths`. */
  mask?: ArrayLike<number>;
  /**
   * Targets. 'last': one per sequence — a number (or class index) or an array of outputs each, or flat
   * [N·O]. 'all': one per step — [N][T_n] or [N][T_n][O] nested, or flat in the layout's order.
   */
  y: Targets;
  /** 'last' (default): one target per sequence, y = g(h_T); 'all': a target at every step. */
  target?: 'last' | 'all';
  /** 'mse' (default): regression; 'xent': classification with integer class indices in y. */
  loss?: 'mse' | 'xent';
  /** Number of classes for 'xent' (default: largest label + 1). */
  classes?: number;
  /** Name shown in results (default 'dataset'). */
  name?: string;
}

/** A fixed set of sequences with targets; usable everywhere a Task is (fit, evaluate, the instruments). */
export class Dataset implements Task {
  readonly name: string;
  readonly definition: string;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly T: number;
  readonly loss: 'mse' | 'xent';
  readonly target: 'last' | 'all';
  readonly metric: 'mse' | 'accuracy';
  readonly baseline: number;
  readonly baselineDescription: string;
  /** Number of examples. */
  readonly size: number;
  /** Inputs, batch-first [N, T, I], zero-padded. */
  readonly x: Float64Array;
  /** Valid steps of each example. */
  readonly lengths: Int32Array;
  /** Targets: [N, O] or [N] ('last'); [N, T, O] or [N, T] ('all'), batch-first. */
  readonly y: Float64Array;
  /** Whether some example is shorter than T (batches then carry a mask). */
  readonly variableLength: boolean;

  /** @internal use `dataset(options)` or `Dataset.subset`. */
  constructor(parts: {
    name: string;
    x: Float64Array;
    lengths: Int32Array;
    y: Float64Array;
    T: number;
    inputSize: number;
    outputSize: number;
    loss: 'mse' | 'xent';
    target: 'last' | 'all';
  }) {
    this.name = parts.name;
    this.x = parts.x;
    this.lengths = parts.lengths;
    this.y = parts.y;
    this.T = parts.T;
    this.inputSize = parts.inputSize;
    this.outputSize = parts.outputSize;
    this.loss = parts.loss;
    this.target = parts.target;
    this.size = parts.lengths.length;
    this.metric = parts.loss === 'xent' ? 'accuracy' : 'mse';
    this.variableLength = parts.lengths.some((l) => l < parts.T);
    const b = this.computeBaseline();
    this.baseline = b.value;
    this.baselineDescription = b.description;
    this.definition =
      `${this.size} sequences of ${this.variableLength ? `up to ${this.T}` : this.T} steps, ${this.inputSize} feature${this.inputSize > 1 ? 's' : ''}; ` +
      (this.loss === 'xent'
        ? `${this.outputSize} classes`
        : `${this.outputSize} regression output${this.outputSize > 1 ? 's' : ''}`) +
      (this.target === 'all' ? ' at every step' : ' per sequence');
  }

  /** Entries of y per example. */
  private get yStride(): number {
    return (this.target === 'all' ? this.T : 1) * (this.loss === 'xent' ? 1 : this.outputSize);
  }

  /**
   * The time-major batch of examples `indices[start .. start + B)` (`out` is reused when its sizes fit):
   * x [T, B, I], y [B, O] / [B] / [T, B, O] / [T, B], and mask [T, B] for variable lengths.
   */
  gather(indices: ArrayLike<number>, start: number, B: number, out?: Batch): Batch {
    const { T, inputSize: I } = this,
      ys = this.yStride,
      O = this.loss === 'xent' ? 1 : this.outputSize;
    const ok =
      out &&
      out.T === T &&
      out.B === B &&
      out.x.length === T * B * I &&
      out.y.length === B * ys &&
      !!out.mask === this.variableLength;
    const batch: Batch = ok
      ? out!
      : {
          T,
          B,
          x: new Float64Array(T * B * I),
          y: new Float64Array(B * ys),
          ...(this.variableLength ? { mask: new Float64Array(T * B) } : {}),
        };
    for (let b = 0; b < B; b++) {
      const n = indices[start + b];
      for (let t = 0; t < T; t++) batch.x.set(this.x.subarray((n * T + t) * I, (n * T + t + 1) * I), (t * B + b) * I);
      if (batch.mask) for (let t = 0; t < T; t++) batch.mask[t * B + b] = t < this.lengths[n] ? 1 : 0;
      if (this.target === 'last') batch.y.set(this.y.subarray(n * ys, (n + 1) * ys), b * ys);
      else
        for (let t = 0; t < T; t++) batch.y.set(this.y.subarray((n * T + t) * O, (n * T + t + 1) * O), (t * B + b) * O);
    }
    return batch;
  }

  /** B examples drawn uniformly with replacement (Task.sample; `fit` walks shuffled epochs instead). */
  sample(rng: Rng, B: number, out?: Batch): Batch {
    const idx = new Int32Array(B);
    for (let b = 0; b < B; b++) idx[b] = rng.int(this.size);
    return this.gather(idx, 0, B, out);
  }

  /** Datasets have no separate held-out split of their own: pass one to `fit` (`validation`). */
  evaluationSet(): Batch | null {
    return null;
  }

  /** The examples at `indices`, as a new dataset (copies). */
  subset(indices: ArrayLike<number>, name = this.name): Dataset {
    const { T, inputSize: I } = this,
      ys = this.yStride,
      N = indices.length;
    if (N < 1) throw new Error(`${this.name}: a subset needs at least one example`);
    const x = new Float64Array(N * T * I),
      y = new Float64Array(N * ys),
      lengths = new Int32Array(N);
    for (let k = 0; k < N; k++) {
      const n = indices[k];
      if (!Number.isInteger(n) || n < 0 || n >= this.size)
        throw new Error(`${this.name}: subset index ${n} is outside 0..${this.size - 1}`);
      x.set(this.x.subarray(n * T * I, (n + 1) * T * I), k * T * I);
      y.set(this.y.subarray(n * ys, (n + 1) * ys), k * ys);
      lengths[k] = this.lengths[n];
    }
    return new Dataset({
      name,
      x,
      lengths,
      y,
      T,
      inputSize: I,
      outputSize: this.outputSize,
      loss: this.loss,
      target: this.target,
    });
  }

  /**
   * Split off a fraction for validation: examples are shuffled with `seed` (default 0) unless `shuffle` is
   * false, then the last ⌈fraction·N⌉ go to validation (at least one example on each side).
   */
  split(fraction: number, options: { seed?: number; shuffle?: boolean } = {}): { train: Dataset; validation: Dataset } {
    if (!(fraction > 0 && fraction < 1))
      throw new Error(`${this.name}.split: fraction must be between 0 and 1 (exclusive), got ${fraction}`);
    if (this.size < 2) throw new Error(`${this.name}.split: needs at least 2 examples, has ${this.size}`);
    const order =
      options.shuffle === false
        ? Int32Array.from({ length: this.size }, (_, i) => i)
        : new Rng(options.seed ?? 0).permutation(this.size);
    const nVal = Math.min(this.size - 1, Math.max(1, Math.ceil(fraction * this.size)));
    const cut = this.size - nVal;
    return {
      train: this.subset(order.subarray(0, cut), this.name),
      validation: this.subset(order.subarray(cut), `${this.name} (validation)`),
    };
  }

  private computeBaseline(): { value: number; description: string } {
    const { T, lengths } = this,
      O = this.loss === 'xent' ? 1 : this.outputSize,
      ys = this.yStride;
    const rows: number[] = []; // offsets into y of every counted target row
    for (let n = 0; n < this.size; n++) {
      if (this.target === 'last') rows.push(n * ys);
      else for (let t = 0; t < lengths[n]; t++) rows.push((n * T + t) * O);
    }
    if (this.loss === 'xent') {
      const counts = new Map<number, number>();
      for (const r of rows) counts.set(this.y[r], (counts.get(this.y[r]) ?? 0) + 1);
      const top = Math.max(...counts.values());
      return { value: top / rows.length, description: 'always the most frequent class' };
    }
    let total = 0;
    for (let o = 0; o < O; o++) {
      let mean = 0,
        sq = 0;
      for (const r of rows) mean += this.y[r + o];
      mean /= rows.length;
      for (const r of rows) sq += (this.y[r + o] - mean) ** 2;
      total += sq / rows.length;
    }
    return { value: total / O, description: 'always the mean target (MSE = its variance)' };
  }
}

/** Whether a Task is a Dataset (fit walks datasets in shuffled epochs). */
export function isDataset(task: Task): task is Dataset {
  return task instanceof Dataset;
}

/** Build a Dataset from your arrays (see DatasetOptions); every problem names the argument and position. */
export function dataset(options: DatasetOptions): Dataset {
  const where = 'dataset';
  if (options === null || typeof options !== 'object')
    throw new Error(`${where}: expected an options object { x, y, … }`);
  const known = new Set(['x', 'shape', 'layout', 'lengths', 'mask', 'y', 'target', 'loss', 'classes', 'name']);
  const unknown = Object.keys(options).filter((k) => !known.has(k));
  if (unknown.length)
    throw new Error(
      `${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (expected ${[...known].join(', ')})`,
    );
  const target = options.target ?? 'last',
    loss = options.loss ?? 'mse',
    layout = options.layout ?? 'batch-first';
  if (target !== 'last' && target !== 'all')
    throw new Error(`${where}: target must be 'last' or 'all', got ${JSON.stringify(target)}`);
  if (loss !== 'mse' && loss !== 'xent')
    throw new Error(`${where}: loss must be 'mse' or 'xent', got ${JSON.stringify(loss)}`);
  if (layout !== 'batch-first' && layout !== 'time-major')
    throw new Error(`${where}: layout must be 'batch-first' or 'time-major', got ${JSON.stringify(layout)}`);
  const { x, lengths, T, I } = readInputs(options, layout);
  const N = lengths.length;
  const t = readTargets(options.y, { N, T, lengths, target, loss, layout, classes: options.classes });
  return new Dataset({
    name: options.name ?? 'dataset',
    x,
    lengths,
    y: t.y,
    T,
    inputSize: I,
    outputSize: t.outputSize,
    loss,
    target,
  });
}
