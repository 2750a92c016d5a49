/**
 * Instruments during training: a recorder whose `onEvent` plugs into `fit` (src/train/fit.ts) unchanged.
 *
 * At every 'step' event it records
 *   ‖g‖ = the global gradient norm fit reports (before clipping), and per parameter group G
 *   ‖g_G‖ = √(Σ_{θ∈G} ‖∂L/∂θ‖²), read from the parameters' .grad. fit emits the event after clipping and
 *   the update (optimizers never modify .grad), so with clipNorm the gradients seen are c·g with one common
 *   factor c; the recorder undoes it, ‖g_G‖ = ‖c·g_G‖·‖g‖/‖c·g‖, and reports pre-clip norms exactly.
 *   With clipValue (element-wise clipping) that is impossible: pass the same clipValue to the recorder, and
 *   the group norms are the post-clip ones (`postClipGroups`).
 * and at the chosen steps a gradient-through-time snapshot (gradient-through-time.ts) on a fixed batch,
 * taken after that step's update (so it describes the parameters the next step starts from). Call
 * `snapshot(step)` yourself for one before training. Snapshots overwrite the parameters' .grad, which fit
 * recomputes at the next step anyway.
 *
 * @example
 *   const rec = createTrainingRecorder(model, task, { snapshotSteps: [0, 100, 1000] });
 *   rec.snapshot(-1);                                     // before the first update
 *   fit(model, task, { ...options, onEvent: rec.wrap(options.onEvent) });
 *   rec.history.groups.get('layers.0.fwd')                // Float64Array-like per-step norms
 *   rec.dispose();
 */
import type { Model } from '../models/model.js';
import type { Batch, Task } from '../tasks/task.js';
import type { TrainEvent } from '../train/fit.js';
import { buildGraph, type Graph } from '../train/graph.js';
import { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  gradientThroughTime,
  type GradientThroughTime,
  type GradientThroughTimeOptions,
} from './gradient-through-time.js';

/** Group names from parameter names: by parameter (identity), or by cell/readout ('layers.0.fwd', 'readout'). */
export const byParameter = (name: string): string => name;
export const byCell = (name: string): string => {
  const parts = name.split('.');
  return parts[0] === 'layers' ? parts.slice(0, 3).join('.') : parts[0];
};

export interface TrainingRecorderOptions {
  /** Parameter name → group name (default byCell). */
  group?: (name: string) => string;
  /** Steps (0-based, as in TrainEvent) after which to take a gradient-through-time snapshot, or a predicate. */
  snapshotSteps?: readonly number[] | ((step: number) => boolean);
  /** The fixed batch of the snapshots (default: one batch of `snapshotBatchSize` drawn from the task). */
  snapshotBatch?: Batch;
  /** Default 32. */
  snapshotBatchSize?: number;
  /** Seed of the default snapshot batch (default 0x5eed). */
  seed?: number;
  /** Options of each snapshot (window, fraction, quantiles). */
  gradientThroughTime?: Omit<GradientThroughTimeOptions, 'graph'>;
  /** Record the norms every `every` steps only (default 1). */
  every?: number;
  /** The clipValue given to fit, if any: group norms are then post-clip (see the header). */
  clipValue?: number;
}

export interface TrainingHistory {
  /** Steps recorded. */
  steps: number[];
  /** Pre-clip global gradient norm at each recorded step. */
  gradNorm: number[];
  /** Group name → norm of the group's gradient at each recorded step. */
  groups: Map<string, number[]>;
  loss: number[];
}

export interface TrainingRecorder {
  readonly history: TrainingHistory;
  /** Snapshots taken, in order. */
  readonly snapshots: { step: number; result: GradientThroughTime }[];
  /** Whether the group norms are post-clip ones (fit clipped element-wise, clipValue). */
  readonly postClipGroups: boolean;
  /** The handler to pass as fit's onEvent. */
  onEvent(event: TrainEvent): void;
  /** onEvent that also forwards every event to `next` (e.g. a progress bar). */
  wrap(next?: (event: TrainEvent) => void): (event: TrainEvent) => void;
  /** Take a snapshot now, labelled `step`. */
  snapshot(step: number): GradientThroughTime;
  /** Free the snapshot graph. */
  dispose(): void;
}

/** A recorder of gradient norms (global and per group) and gradient-through-time snapshots (see header). */
export function createTrainingRecorder(
  model: Model,
  task: Task,
  options: TrainingRecorderOptions = {},
): TrainingRecorder {
  const groupOf = options.group ?? byCell;
  const groups = new Map<string, Tensor[]>();
  for (const [name, t] of model.namedParameters()) {
    const g = groupOf(name);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)?.push(t);
  }
  const history: TrainingHistory = {
    steps: [],
    gradNorm: [],
    loss: [],
    groups: new Map([...groups.keys()].map((k) => [k, []])),
  };
  const snapshots: { step: number; result: GradientThroughTime }[] = [];
  const every = options.every ?? 1;
  const wanted = options.snapshotSteps;
  const isSnapshotStep = typeof wanted === 'function' ? wanted : (s: number) => (wanted ?? []).includes(s);
  let batch = options.snapshotBatch ?? null;
  let graph: Graph | null = null;
  const postClip = options.clipValue !== undefined;

  const snapshot = (step: number): GradientThroughTime => {
    batch ??= task.sample(new Rng(options.seed ?? 0x5eed), options.snapshotBatchSize ?? 32);
    graph ??= buildGraph(model, task, batch.T, batch.B, { grad: true, mask: !!batch.mask, lossMask: !!batch.lossMask });
    const result = gradientThroughTime(model, task, batch, { ...options.gradientThroughTime, graph });
    snapshots.push({ step, result });
    return result;
  };

  const onEvent = (event: TrainEvent): void => {
    if (event.type !== 'step') return;
    if (event.step % every === 0) {
      const norms = [...groups.entries()].map(([name, ts]) => {
        let ss = 0;
        for (const t of ts) if (t.grad) ss += t.backend.sumSquares(t.size, t.grad);
        return [name, ss] as const;
      });
      const seen = Math.sqrt(norms.reduce((s, [, ss]) => s + ss, 0));
      // Undo a global clip factor: the gradients seen are c·g with ‖c·g‖ = seen, ‖g‖ = event.gradNorm.
      const factor = seen > 0 && Number.isFinite(event.gradNorm) ? event.gradNorm / seen : 1;
      history.steps.push(event.step);
      history.gradNorm.push(event.gradNorm);
      history.loss.push(event.loss);
      for (const [name, ss] of norms) history.groups.get(name)?.push(Math.sqrt(ss) * (postClip ? 1 : factor));
    }
    if (isSnapshotStep(event.step)) snapshot(event.step);
  };

  return {
    history,
    snapshots,
    postClipGroups: postClip,
    onEvent,
    wrap: (next) => (event) => {
      onEvent(event);
      next?.(event);
    },
    snapshot,
    dispose() {
      graph?.tape.dispose();
      graph = null;
    },
  };
}
