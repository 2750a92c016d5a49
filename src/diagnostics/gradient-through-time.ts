/**
 * Gradient through time: how much of the loss's gradient reaches each step.
 *
 *   g_t = ∂L/∂h_t ∈ ℝ^{B×H}, t = 1..T (array index t − 1), for every layer and direction, read from the
 *   tape after one forward and one backward pass of the model and its loss on a batch (buildGraph; no
 *   dropout). h_t is the tensor the model exposes per step (ModelOutput.hs): the hidden state h for
 *   vanilla/GRU/deep, h (not c) for the LSTM, Re h for the LRU; ∂L/∂h_t is the total derivative of L with
 *   respect to that tensor, every later path included (through h_{t+1}, c_{t+1}, the layers above, the
 *   readout). Many-to-one: L reads h_T only, so g_t = g_T·∂h_T/∂h_t. Many-to-many: L also reads h_t
 *   directly, so g_t = ∂ℓ_t/∂h_t + g_{t+1}·∂h_{t+1}/∂h_t is the *total* derivative, the direct loss at t
 *   included — its decay with t then measures the balance of local and carried signal, not pure memory.
 *
 *   Per sample: n_{t,b} = ‖g_{t,b}‖₂. Over the batch: mean, std, min, max and quantiles per step.
 *   Lag k = T − t (steps back from the end, in processing order; for the reverse direction of a
 *   bidirectional layer k = t − 1, i.e. steps back from t = 1 where its scan ends).
 *   Decay rate λ̂ = slope of log(mean_b n_{t,b}) against k, by least squares over a window of lags, with a
 *   95% confidence interval from the slope's standard error and Student's t with n − 2 degrees of freedom.
 *   λ̂ < 0: vanishing (a factor e^λ̂ per step), λ̂ > 0: exploding. For a linear RNN with A = a·I, λ̂ = log a.
 *   Horizon at fraction f (default 1e-3): the smallest lag k with mean n < f·(mean n at k = 0), measured
 *   (null if never), and extrapolated from the fit, log f/λ̂ (null unless λ̂ < 0).
 *
 * Side effect: the backward pass overwrites the parameters' .grad (harmless between training steps).
 */
import { buildGraph, loadBatch, type Graph } from '../train/graph.js';
import type { Model } from '../models/model.js';
import type { Batch, TaskScore } from '../tasks/task.js';
import { fitLine, summarize, type LineFit } from './stats.js';

export interface GradientThroughTimeOptions {
  /** Lags [kFrom, kTo] (inclusive) used for the decay fit (default: all, [0, T − 1]). */
  window?: [number, number];
  /** Fraction of the gradient at k = 0 that defines the horizon (default 1e-3). */
  fraction?: number;
  /** Quantile levels reported per step (default [0.1, 0.25, 0.5, 0.75, 0.9]). */
  quantiles?: number[];
  /** Confidence level of the slope's interval (default 0.95). */
  confidence?: number;
  /** A graph recorded for this batch shape with gradients (reused instead of recording a new one). */
  graph?: Graph;
}

/** The gradient reaching one cell (layer, direction) at every step. */
export interface CellGradientFlow {
  layer: number;
  direction: 'fwd' | 'bwd';
  /** Per step (index t − 1): batch mean, std, min, max of ‖∂L/∂h_t‖. */
  mean: Float64Array;
  std: Float64Array;
  min: Float64Array;
  max: Float64Array;
  /** quantiles[j][t − 1]: the quantile at level `levels[j]` of ‖∂L/∂h_t‖ over the batch. */
  quantiles: Float64Array[];
  levels: number[];
  /** Per-sample norms, time-major [T·B]: perSample[(t − 1)·B + b]. */
  perSample: Float64Array;
  /** The decay fit: slope = λ̂ per step of lag, ci its confidence interval. */
  fit: LineFit & { window: [number, number] };
  /** Horizons at `fraction` of the gradient at lag 0, in steps (null: not reached / not decaying). */
  horizon: { fraction: number; measured: number | null; fitted: number | null };
}

export interface GradientThroughTime {
  T: number;
  B: number;
  /** The loss on the batch. */
  loss: number;
  /** One entry per (layer, direction), in the order l0.fwd, l0.bwd, l1.fwd, … */
  cells: CellGradientFlow[];
}

/**
 * Measure ‖∂L/∂h_t‖ for every step, layer and direction on one batch, with statistics over the batch, the
 * fitted decay rate per step and the gradient horizon (see the file header). Costs one forward and one
 * backward pass (plus recording the graph when none is given).
 *
 * @example
 *   const r = gradientThroughTime(model, task, task.sample(new Rng(1), 32));
 *   r.cells[0].fit.slope   // ≈ log a for a linear RNN with A = a·I
 */
export function gradientThroughTime(
  model: Model,
  score: Pick<TaskScore, 'loss' | 'target'>,
  batch: Batch,
  options: GradientThroughTimeOptions = {},
): GradientThroughTime {
  const own = !options.graph;
  const graph =
    options.graph ??
    buildGraph(model, score, batch.T, batch.B, { grad: true, mask: !!batch.mask, lossMask: !!batch.lossMask });
  if (!graph.tape.grad) throw new Error('gradientThroughTime: the graph was recorded without gradients');
  try {
    loadBatch(graph, batch);
    graph.tape.forward();
    graph.tape.backward(graph.loss);
    const cells: CellGradientFlow[] = [];
    graph.output.hs.forEach((hs, i) => {
      if (hs.length === 0) return; // a cell whose per-step output is not its state (nothing to read)
      const layer = Math.floor(i / model.directions),
        direction = i % model.directions === 0 ? 'fwd' : 'bwd';
      cells.push(
        analyse(
          hs.map((h) => h.grad?.toArray() ?? new Float64Array(h.size)),
          batch.B,
          layer,
          direction,
          options,
        ),
      );
    });
    return { T: batch.T, B: batch.B, loss: graph.loss.item(), cells };
  } finally {
    if (own) graph.tape.dispose();
  }
}

/**
 * The statistics of one cell's gradients g[t] ([B·H] per step, t = 0..T−1 in time order), as above.
 * Exposed for gradients obtained elsewhere.
 */
export function analyse(
  g: Float64Array[],
  B: number,
  layer: number,
  direction: 'fwd' | 'bwd',
  options: Omit<GradientThroughTimeOptions, 'graph'> = {},
): CellGradientFlow {
  const T = g.length,
    levels = options.quantiles ?? [0.1, 0.25, 0.5, 0.75, 0.9];
  const fraction = options.fraction ?? 1e-3;
  if (!(fraction > 0 && fraction < 1))
    throw new Error(`gradientThroughTime: fraction must be in (0, 1), got ${fraction}`);
  const perSample = new Float64Array(T * B);
  const mean = new Float64Array(T),
    std = new Float64Array(T),
    min = new Float64Array(T),
    max = new Float64Array(T);
  const quantiles = levels.map(() => new Float64Array(T));
  for (let t = 0; t < T; t++) {
    const H = g[t].length / B;
    for (let b = 0; b < B; b++) {
      let m = 0,
        ss = 0;
      for (let j = 0; j < H; j++) m = Math.max(m, Math.abs(g[t][b * H + j]));
      if (m > 0 && Number.isFinite(m)) for (let j = 0; j < H; j++) ss += (g[t][b * H + j] / m) ** 2;
      perSample[t * B + b] = m > 0 && Number.isFinite(m) ? m * Math.sqrt(ss) : m; // scaled: no underflow
    }
    const s = summarize(perSample.subarray(t * B, (t + 1) * B), levels);
    mean[t] = s.mean;
    std[t] = s.std;
    min[t] = s.min;
    max[t] = s.max;
    s.quantiles.forEach((q, j) => {
      quantiles[j][t] = q;
    });
  }
  // lag k of time index t: steps back from where this direction's scan ends
  const lagOf = (t: number): number => (direction === 'fwd' ? T - 1 - t : t);
  const [k0, k1] = options.window ?? [0, T - 1];
  if (!(Number.isInteger(k0) && Number.isInteger(k1) && k0 >= 0 && k1 <= T - 1 && k0 < k1)) {
    throw new Error(
      `gradientThroughTime: window [${k0}, ${k1}] must be integer lags with 0 ≤ from < to ≤ T − 1 = ${T - 1}`,
    );
  }
  const ks: number[] = [],
    logs: number[] = [];
  for (let k = k0; k <= k1; k++) {
    const t = direction === 'fwd' ? T - 1 - k : k;
    ks.push(k);
    logs.push(Math.log(mean[t])); // −∞ (an exact zero) is skipped by the fit
  }
  const fit = { ...fitLine(ks, logs, options.confidence ?? 0.95), window: [k0, k1] as [number, number] };
  const ref = mean[direction === 'fwd' ? T - 1 : 0];
  let measured: number | null = null;
  for (let k = 1; k < T && measured === null; k++) {
    const t = direction === 'fwd' ? T - 1 - k : k;
    if (mean[t] < fraction * ref) measured = lagOf(t);
  }
  const fitted = fit.slope < 0 ? Math.log(fraction) / fit.slope : null;
  return {
    layer,
    direction,
    mean,
    std,
    min,
    max,
    quantiles,
    levels,
    perSample,
    fit,
    horizon: { fraction, measured, fitted },
  };
}
