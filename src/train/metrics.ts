/** Task metrics computed from a graph after a forward pass: the loss, accuracy, bits per character. */
import type { Graph } from './graph.js';
import type { TaskScore } from '../tasks/task.js';

export interface Metrics {
  /** The training loss (mean over counted rows). */
  loss: number;
  /** Fraction of counted rows whose argmax equals the label (classification tasks only). */
  accuracy?: number;
  /** The task's metric (mse, xent, accuracy or bpc). */
  metric: number;
}

/** Accumulates metrics over several evaluation batches, weighted by counted rows. */
export class MetricAccumulator {
  private lossSum = 0;
  private rows = 0;
  private correct = 0;
  private counted = 0;

  constructor(private readonly score: TaskScore) {}

  /** Add the graph's current batch (after its forward pass). */
  add(graph: Graph): void {
    const { rows, weights } = countedRows(graph, this.score);
    this.lossSum += graph.loss.item() * rows;
    this.rows += rows;
    if (this.score.loss !== 'xent') return;
    const y = graph.output.y,
      C = y.shape[y.rank - 1];
    const values = y.storage.array,
      base = y.storage.base + y.offset;
    const labels = graph.target;
    for (let r = 0; r < labels.size; r++) {
      if (weights && weights[r] === 0) continue;
      let best = 0;
      for (let c = 1; c < C; c++) if (values[base + r * C + c] > values[base + r * C + best]) best = c;
      if (best === labels.get(r)) this.correct++;
      this.counted++;
    }
  }

  result(): Metrics {
    const loss = this.rows > 0 ? this.lossSum / this.rows : NaN;
    const accuracy = this.score.loss === 'xent' && this.counted > 0 ? this.correct / this.counted : undefined;
    let metric = loss;
    if (this.score.metric === 'accuracy') metric = accuracy ?? NaN;
    else if (this.score.metric === 'bpc') metric = loss / Math.LN2;
    return accuracy === undefined ? { loss, metric } : { loss, accuracy, metric };
  }
}

/** Rows the loss averaged over, and their 0/1 weights when masked. */
function countedRows(graph: Graph, score: TaskScore): { rows: number; weights: Float64Array | null } {
  if (score.target !== 'all') return { rows: graph.B, weights: null };
  const m = graph.lossMask ?? graph.mask;
  if (!m) return { rows: graph.T * graph.B, weights: null };
  const w = m.toArray();
  return {
    rows: Math.max(
      1,
      w.reduce((s, v) => s + v, 0),
    ),
    weights: w,
  };
}

/** Whether a metric value meets the task's solved criterion. */
export function isSolved(score: TaskScore, metric: number): boolean {
  if (score.solvedBelow !== undefined) return metric < score.solvedBelow;
  if (score.solvedAbove !== undefined) return metric > score.solvedAbove;
  return false;
}
