/**
 * Where training batches come from, with a state a checkpoint can restore exactly: a generator task draws
 * each batch from the data Rng; a Dataset is walked in epochs, each a fresh shuffle of every example (a batch
 * that runs past the end of an epoch continues into the next one, so every batch has the same size).
 */
import { isDataset, type Dataset } from '../data/dataset.js';
import type { Rng, RngState } from '../tensor/rng.js';
import type { Batch, Task } from '../tasks/task.js';
import { Rng as RngClass } from '../tensor/rng.js';

export type SourceState =
  | { kind: 'generator'; rng: RngState }
  | { kind: 'epochs'; epochRng: RngState; epoch: number; cursor: number };

export interface BatchSource {
  /** The next training batch (its arrays are reused by the following call). */
  next(): Batch;
  state(): SourceState;
  restore(state: SourceState): void;
}

class GeneratorSource implements BatchSource {
  private batch: Batch | undefined;
  constructor(
    private readonly task: Task,
    private readonly rng: Rng,
    private readonly B: number,
  ) {}
  next(): Batch {
    this.batch = this.task.sample(this.rng, this.B, this.batch);
    return this.batch;
  }
  state(): SourceState {
    return { kind: 'generator', rng: this.rng.getState() };
  }
  restore(s: SourceState): void {
    if (s.kind !== 'generator')
      throw new Error('resume: the checkpoint was made on a dataset, this run trains on a generator task');
    this.rng.setState(s.rng);
  }
}

class EpochSource implements BatchSource {
  private readonly order: Int32Array;
  private readonly idx: Int32Array;
  private batch: Batch | undefined;
  private cursor = 0;
  private epoch = 0;
  private epochRng: RngState;
  constructor(
    private readonly data: Dataset,
    private readonly rng: Rng,
    B: number,
  ) {
    this.order = new Int32Array(data.size);
    this.idx = new Int32Array(B);
    this.epochRng = rng.getState();
    this.shuffle();
  }
  /** A fresh Fisher–Yates shuffle of every example (in place: no allocation per epoch). */
  private shuffle(): void {
    this.epochRng = this.rng.getState();
    const p = this.order;
    for (let i = 0; i < p.length; i++) p[i] = i;
    for (let i = p.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
  }
  next(): Batch {
    for (let b = 0; b < this.idx.length; b++) {
      if (this.cursor === this.order.length) {
        this.cursor = 0;
        this.epoch++;
        this.shuffle();
      }
      this.idx[b] = this.order[this.cursor++];
    }
    this.batch = this.data.gather(this.idx, 0, this.idx.length, this.batch);
    return this.batch;
  }
  state(): SourceState {
    return { kind: 'epochs', epochRng: this.epochRng, epoch: this.epoch, cursor: this.cursor };
  }
  restore(s: SourceState): void {
    if (s.kind !== 'epochs')
      throw new Error('resume: the checkpoint was made on a generator task, this run trains on a dataset');
    if (!(Number.isInteger(s.cursor) && s.cursor >= 0 && s.cursor <= this.order.length)) {
      throw new Error(
        `resume: the checkpoint's position ${s.cursor} does not fit a dataset of ${this.order.length} examples`,
      );
    }
    this.rng.setState(s.epochRng);
    this.shuffle();
    this.epoch = s.epoch;
    this.cursor = s.cursor;
  }
}

/** The training batches of `task` (shuffled epochs for a Dataset, draws for a generator) from `rng`. */
export function createSource(task: Task, rng: Rng, B: number): BatchSource {
  return isDataset(task) ? new EpochSource(task, rng, B) : new GeneratorSource(task, rng, B);
}

/**
 * The fixed evaluation batches: a Dataset's examples in order (chunks of `size`); a generator task's own
 * held-out split, or `count` batches drawn from a dedicated seed.
 */
export function evaluationBatches(task: Task, size: number, count: number, seed: number): Batch[] {
  if (isDataset(task)) {
    const all = Int32Array.from({ length: task.size }, (_, i) => i);
    const out: Batch[] = [];
    for (let s = 0; s < task.size; s += size) out.push(task.gather(all, s, Math.min(size, task.size - s)));
    return out;
  }
  const held = task.evaluationSet?.(size * count);
  if (held) return [held];
  const rng = new RngClass(seed);
  return Array.from({ length: count }, () => task.sample(rng, size));
}
