/**
 * A training (or evaluation) graph: a tape recorded once for one batch shape (T, B), with its input,
 * target and mask tensors. Each step copies a batch into those tensors and replays the tape, so a training
 * step allocates nothing per time step. `GraphCache` keeps one graph per shape.
 *
 * What runs when (see autodiff/tape.ts): the first batch of a shape calls `buildGraph`, which runs
 * model.forward → scan → cell.step/fusedScan → ops, each op computing its output (on the zero-filled
 * inputs) and appending its {forward, backward} closures to the tape; then the batch is loaded and the
 * tape replayed (so that first step runs the forward twice; the dropout rng is rewound after recording).
 * Every later batch of that shape only replays the closures: models/, cells/ and scan are not entered
 * again, and a breakpoint there is hit once per shape. `eager: true` records afresh for every batch instead
 * (the batch loaded first, one forward): slower, the same numbers, and every step walks the model's code.
 */
import { Tape } from '../autodiff/tape.js';
import type { Model, ModelOutput } from '../models/model.js';
import { mse, softmaxCrossEntropy } from '../ops/index.js';
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Batch, TaskScore } from '../tasks/task.js';
import type { LossFunction } from './types.js';

export interface Graph {
  readonly tape: Tape;
  readonly T: number;
  readonly B: number;
  readonly x: Tensor;
  readonly target: Tensor;
  readonly mask: Tensor | null;
  readonly lossMask: Tensor | null;
  readonly output: ModelOutput;
  readonly loss: Tensor;
}

export interface GraphOptions {
  /** Record gradients (training, instruments) or not (evaluation). */
  grad: boolean;
  /** Apply dropout (needs rng). */
  training?: boolean;
  rng?: Rng;
  /** Debug: record the model afresh for every batch instead of replaying (see the header). */
  eager?: boolean;
  /** Debug: check every op's outputs and gradients finite (Tape's anomaly mode; throws an AnomalyError). */
  detectAnomaly?: boolean;
  /** Whether batches carry a step mask / a loss mask. */
  mask?: boolean;
  lossMask?: boolean;
  /** A custom loss instead of the task's MSE or cross-entropy (see LossFunction). */
  loss?: LossFunction;
}

/** Record the model and its loss for batches of shape (T, B) (on `batch` when given, else on zeros). */
export function buildGraph(
  model: Model,
  score: Pick<TaskScore, 'loss' | 'target'>,
  T: number,
  B: number,
  opts: GraphOptions,
  batch?: Batch,
): Graph {
  const tape = new Tape(model.backend, { grad: opts.grad, detectAnomaly: opts.detectAnomaly });
  try {
    return record(tape, model, score, T, B, opts, batch);
  } catch (e) {
    tape.dispose(); // a failed recording (a bad custom loss, anomaly mode's first non-finite value) frees its buffers
    throw e;
  }
}

/** buildGraph's recording, on its tape. */
function record(tape: Tape, ...args: Parameters<typeof buildGraph>): Graph {
  const [model, score, T, B, opts, batch] = args;
  const O = model.config.outputSize,
    I = model.config.inputSize;
  if (model.config.target !== score.target) {
    throw new Error(`model target '${model.config.target}' does not match the task's '${score.target}'`);
  }
  const x = tape.input([T, B, I], 'x');
  const rows = score.target === 'all' ? T * B : B;
  const target =
    score.loss === 'xent'
      ? tape.input([rows], 'labels')
      : tape.input(score.target === 'all' ? [T, B, O] : [B, O], 'target');
  const mask = opts.mask ? tape.input([T, B], 'mask') : null;
  const lossMask = opts.lossMask ? tape.input([T, B], 'lossMask') : null;
  if (mask) mask.fill(1);
  if (lossMask) lossMask.fill(1);
  if (batch) loadBatch({ T, B, x, target, mask, lossMask }, batch);
  const output = model.forward(tape, x, { mask, training: opts.training, rng: opts.rng });
  const rowMask = score.target === 'all' ? ((lossMask ?? mask)?.reshape([rows]) ?? null) : null;
  let loss: Tensor;
  if (opts.loss) {
    const y = score.target === 'all' ? output.y.reshape([rows, O]) : output.y; // (rows, O)
    loss = opts.loss(tape, y, score.loss === 'xent' ? target : target.reshape([rows, O]), rowMask);
    if (!loss || typeof loss !== 'object' || loss.size !== 1)
      throw new Error(
        `custom loss: must return a scalar tensor recorded on the tape, got ${loss && typeof loss === 'object' ? `shape [${String(loss.shape)}]` : String(loss)}`,
      );
  } else if (score.loss === 'xent') loss = softmaxCrossEntropy(tape, output.y.reshape([rows, O]), target, rowMask);
  else if (score.target === 'all') loss = mse(tape, output.y.reshape([rows, O]), target.reshape([rows, O]), rowMask);
  else loss = mse(tape, output.y, target);
  return { tape, T, B, x, target, mask, lossMask, output, loss };
}

/** Copy a batch into a graph's input tensors (checked sizes, no allocation). */
export function loadBatch(graph: Pick<Graph, 'T' | 'B' | 'x' | 'target' | 'mask' | 'lossMask'>, batch: Batch): void {
  if (batch.T !== graph.T || batch.B !== graph.B) {
    throw new Error(`batch of shape T=${batch.T}, B=${batch.B} does not fit a graph for T=${graph.T}, B=${graph.B}`);
  }
  graph.x.set(batch.x);
  graph.target.set(batch.y);
  if (graph.mask) {
    if (!batch.mask) graph.mask.fill(1);
    else graph.mask.setMask(batch.mask);
  }
  if (graph.lossMask) {
    if (!batch.lossMask) graph.lossMask.fill(1);
    else graph.lossMask.setMask(batch.lossMask);
  }
}

/** One graph per batch shape, built on first use and replayed afterwards. */
export class GraphCache {
  private readonly graphs = new Map<string, Graph>();
  constructor(
    private readonly model: Model,
    private readonly score: Pick<TaskScore, 'loss' | 'target'>,
    private readonly opts: GraphOptions,
  ) {}

  /** The graph for this batch's shape, with the batch loaded and the forward pass run. */
  run(batch: Batch): Graph {
    const key = `${batch.T}x${batch.B}${batch.mask ? 'm' : ''}${batch.lossMask ? 'l' : ''}`;
    let g = this.graphs.get(key);
    if (this.opts.eager) {
      // no replay: record the model on this batch (the old recording is dropped)
      g?.tape.dispose();
      g = buildGraph(
        this.model,
        this.score,
        batch.T,
        batch.B,
        { ...this.opts, mask: !!batch.mask, lossMask: !!batch.lossMask },
        batch,
      );
      this.graphs.set(key, g);
      return g;
    }
    if (!g) {
      // Recording runs the ops once (dropout draws a mask); rewind the rng so that the random stream does not
      // depend on when graphs were built — a run resumed from a checkpoint rebuilds them and must draw the same.
      const state = this.opts.rng?.getState();
      g = buildGraph(this.model, this.score, batch.T, batch.B, {
        ...this.opts,
        mask: !!batch.mask,
        lossMask: !!batch.lossMask,
      });
      if (state) this.opts.rng!.setState(state);
      this.graphs.set(key, g);
    }
    loadBatch(g, batch);
    g.tape.forward();
    return g;
  }

  /** Free every graph's memory. */
  dispose(): void {
    for (const g of this.graphs.values()) g.tape.dispose();
    this.graphs.clear();
  }
}
