/**
 * A recurrent model: stacked (depth in space), optionally bidirectional layers of any transition, read out
 * by an MLP g. Many-to-one: y = g(h_T) (the final state; for a bidirectional layer, the forward final state
 * concatenated with the backward one, which has read the whole sequence backwards). Many-to-many:
 * y_t = g(h_t) for every t. Time-major throughout: x [T, B, I], mask [T, B].
 *
 * Parameter names: `layers.<k>.<fwd|bwd>.<cell param>` (e.g. layers.0.fwd.weight_hh) and
 * `readout.<i>.weight|bias`; learned initial states are `layers.<k>.<dir>.h0.<component>`.
 */
import { AnomalyError, type Tape } from '../autodiff/tape.js';
import type { Backend } from '../kernels/backend.js';
import { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { addRow, blend, concat, dropout } from '../ops/index.js';
import { createCell, type Cell } from '../cells/index.js';
import { createParam } from '../cells/params.js';
import { parseModelFields, type ModelConfig } from './config.js';
import { createReadout, type Readout } from './readout.js';
import { scan } from './scan.js';

export type { ModelConfig } from './config.js';

export interface ForwardOptions {
  /** Validity of each step [T, B] (0/1, right padding). */
  mask?: Tensor | null;
  /** Initial states per (layer, direction), in the order l0.fwd, l0.bwd, l1.fwd, …; each one [B, size] per component. */
  initial?: Tensor[][];
  /** Apply dropout (needs rng). */
  training?: boolean;
  rng?: Rng;
  /** Record every layer step by step instead of with its cell's fused sequence op (see scan). */
  perStep?: boolean;
}

export interface ModelOutput {
  /** [B, outputSize] ('last') or [T, B, outputSize] ('all'). */
  y: Tensor;
  /** Per-step outputs of the top recurrent layer, [T, B, directions·H] (PyTorch's `output`). */
  sequence: Tensor;
  /** Final states per (layer, direction). */
  final: Tensor[][];
  /** h_t per (layer, direction), t = 0..T−1 (read ∂L/∂h_t from their .grad after backward). */
  hs: Tensor[][];
}

/** One recurrent layer: a forward cell, a backward cell when bidirectional, learned initial states. */
export interface Layer {
  readonly cells: Cell[];
  readonly h0: (Tensor[] | null)[];
}

/**
 * Ownership: a model owns its parameter tensors (and their gradient buffers) on `backend`; call `dispose()`
 * when done with it to give that memory back (the wasm heap is not garbage-collected). Tapes, graphs and
 * optimizers made from a model own their own buffers: `fit` frees everything it made before it returns.
 */
export class Model {
  readonly layers: Layer[] = [];
  readonly readout: Readout;
  readonly directions: number;
  private disposedFlag = false;

  constructor(
    readonly config: ModelConfig,
    readonly backend: Backend,
    seed: number | Rng = 0,
  ) {
    const rng = seed instanceof Rng ? seed : new Rng(seed);
    const fields = parseModelFields(config);
    const nLayers = fields.layers;
    this.directions = fields.bidirectional ? 2 : 1;
    let inputSize = config.inputSize;
    for (let k = 0; k < nLayers; k++) {
      const cells: Cell[] = [];
      const h0: (Tensor[] | null)[] = [];
      for (let d = 0; d < this.directions; d++) {
        let cell: Cell;
        try {
          cell = createCell(config.cell, inputSize, backend, rng);
        } catch (e) {
          throw new Error(`layer ${k} (${config.cell.kind}): ${(e as Error).message}`);
        }
        cells.push(cell);
        h0.push(fields.learnInitialState ? cell.stateSizes.map((s, i) => createParam(backend, `h0.${i}`, [s])) : null);
      }
      this.layers.push({ cells, h0 });
      inputSize = cells[0].outputSize * this.directions;
    }
    this.readout = createReadout(fields.readout, inputSize, config.outputSize, backend, rng);
  }

  /** Every parameter with its full name, in a fixed order. */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    this.layers.forEach((layer, k) =>
      layer.cells.forEach((cell, d) => {
        const prefix = `layers.${k}.${d === 0 ? 'fwd' : 'bwd'}`;
        for (const [name, t] of Object.entries(cell.params)) out.push([`${prefix}.${name}`, t]);
        layer.h0[d]?.forEach((t, i) => out.push([`${prefix}.h0.${i}`, t]));
      }),
    );
    for (const [name, t] of Object.entries(this.readout.params)) out.push([`readout.${name}`, t]);
    return out;
  }

  /** All parameter tensors (for optimizers). */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  /** Whether dispose() has been called. */
  get disposed(): boolean {
    return this.disposedFlag;
  }

  /**
   * Free every parameter and gradient buffer of this model on its backend. Afterwards the model cannot be
   * used (forward, fit, save and predict throw); calling dispose() again does nothing.
   */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    for (const t of this.parameters()) t.dispose();
  }

  /** Throw a clear error when the model has been disposed (`who` names the caller). */
  assertLive(who: string): void {
    if (this.disposedFlag)
      throw new Error(`${who}: the model has been disposed (model.dispose() frees its parameters)`);
  }

  /** Run the model on x [T, B, I], recording on `tape`. */
  forward(tape: Tape, x: Tensor, options: ForwardOptions = {}): ModelOutput {
    this.assertLive('model.forward');
    if (x.rank !== 3 || x.shape[2] !== this.config.inputSize) {
      throw new Error(`model: expected input [T, B, ${this.config.inputSize}], got ${formatShape(x.shape)}`);
    }
    const B = x.shape[1]; // x: (T, B, I)
    const final: Tensor[][] = [],
      hs: Tensor[][] = [];
    let input = x; // (T, B, I), then each layer's output (T, B, directions·H)
    let outs: Tensor[] = [];
    this.layers.forEach((layer, k) => {
      outs = [];
      layer.cells.forEach((cell, d) => {
        const index = k * this.directions + d;
        const initial = options.initial?.[index] ?? initialState(tape, cell, layer.h0[d], B); // each (B, size)
        try {
          const r = scan(tape, cell, input, initial, {
            mask: options.mask,
            reverse: d === 1,
            perStep: options.perStep,
          });
          outs.push(r.outputs); // (T, B, H)
          final.push(r.final);
          hs.push(r.hs);
        } catch (e) {
          const where = `layer ${k}${d ? ' (reverse)' : ''}`;
          if (e instanceof AnomalyError) {
            e.message = `${where}: ${e.message}`; // kept an AnomalyError: fit stops the run as diverged
            throw e;
          }
          throw new Error(`${where}: ${(e as Error).message}`);
        }
      });
      input = outs.length === 1 ? outs[0] : concat(tape, outs); // (T, B, directions·H)
      const p = this.config.dropout ?? 0;
      if (p > 0 && options.training && k + 1 < this.layers.length) {
        if (!options.rng) throw new Error('model: dropout in training needs an rng');
        input = dropout(tape, input, p, options.rng); // (T, B, directions·H)
      }
    });
    // 'all': (T, B, directions·H); 'last': (B, directions·H)
    const features = this.config.target === 'all' ? input : this.lastFeatures(tape, outs, final, options.mask ?? null);
    return { y: this.readout.apply(tape, features), sequence: input, final, hs }; // y: (T, B, O) or (B, O)
  }

  /**
   * The top layer's answer after reading the whole sequence: the forward direction's final h (h_T; with a
   * mask, h at each sequence's last valid step), concatenated with the backward direction's h after t = 0.
   * For cells with their own per-step output (LRU), the output at each sequence's last valid step (t = 0
   * for the reverse direction), selected with the mask when there is one.
   */
  private lastFeatures(tape: Tape, outs: Tensor[], final: Tensor[][], mask: Tensor | null): Tensor {
    const cells = this.layers[this.layers.length - 1].cells;
    const top = final.slice(final.length - this.directions);
    const parts = cells.map((cell, d) => {
      if (!cell.emit) return top[d][0]; // (B, H)
      const T = outs[d].shape[0];
      if (d === 1) return outs[d].at(0); // (B, O)
      if (!mask) return outs[d].at(T - 1);
      let last = outs[d].at(0);
      for (let t = 1; t < T; t++) last = blend(tape, mask.at(t), outs[d].at(t), last);
      return last;
    });
    return parts.length === 1 ? parts[0] : concat(tape, parts); // (B, directions·H)
  }
}

/** A layer's initial state for a batch of B: zeros, or the learned h0 broadcast over the batch; [B, size] each. */
export function initialState(tape: Tape, cell: Cell, learned: Tensor[] | null, B: number): Tensor[] {
  return cell.stateSizes.map((s, i) => {
    const zeros = tape.tensor([B, s]); // (B, s)
    return learned ? addRow(tape, zeros, learned[i]) : zeros; // (B, s): h0 (s) broadcast over the batch
  });
}
