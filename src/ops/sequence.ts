/**
 * Whole-sequence recurrent layers: one tape node per layer and direction (scan's fast path). For the vanilla
 * (σ = tanh/sigmoid/relu/identity), GRU and LSTM transitions, in PyTorch's equations and layouts (see the cells):
 *
 *   forward, t in processing order (0..T−1, or T−1..0 when reversed), s = the state before step t:
 *     pre_t = xp_t + h_s·W_hhᵀ + b_hh               one GEMM per step (xp = x·W_ihᵀ + b_ih is the input
 *                                                   projection node's output, one GEMM over all T)
 *     state_t = pointwise(pre_t, state_s)            one kernel per step (GRU: gh_t = h_s·W_hhᵀ + b_hh apart)
 *     masked: state_t = m_t·state_t + (1 − m_t)·state_s     finished sequences keep their state
 *   backward, sweeping the other way with ∂h (and ∂c) carried in the state gradients:
 *     ∂pre_t = pointwise backward, kept for all t;   ∂h_s += ∂pre_t·W_hh (one GEMM per step)
 *     after the sweep: ∂W_hh += ∂PREᵀ·H_prev as one GEMM over all T·B rows, ∂b_hh += its column sums,
 *     ∂xp += ∂PRE (GRU: the x-part ∂gi) for the projection node, ∂initial += the gradient of its row.
 *
 * Buffers, planned at record time (nothing is allocated per step or per replay): each carried state in one
 * [T+1, B, H] buffer, the initial state at row 0 and h_t at row t+1 (reversed: h_t at row t, the initial
 * state at row T), so H_prev, the states that feed the steps, are T·B contiguous rows; gate activations
 * [T, B, G·H]. The outputs, the per-step h_t and the final states are views of the state buffers, and their
 * gradients views of its gradient, to which the sweep adds the recurrent term in place: after backward
 * hs[t].grad is the total ∂L/∂h_t, exactly as on the per-step path (test/ops/sequence.test.ts).
 * No forward mode (jvp): the step instruments record cell.composedStep on a tape of their own; for jvp
 * through a whole layer, use scan's per-step path.
 */
import type { Tape, TapeNode } from '../autodiff/tape.js';
import type { Activation, Backend, Ref } from '../kernels/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { noop } from './elementwise.js';

export interface SequenceOptions {
  /** Validity of each step, [T, B] of 0/1. */
  mask?: Tensor | null;
  /** Process t = T−1 down to 0 (the backward half of a bidirectional layer). */
  reverse?: boolean;
}

export interface SequenceOutput {
  /** h_t for t = 0..T−1 in time order, [T, B, H] (a view of the state buffer). */
  outputs: Tensor;
  /** The state after the last processed step, [h] or [h, c], each [B, H]. */
  final: Tensor[];
  /** h_t as [B, H] views, t = 0..T−1 (after backward, .grad = ∂L/∂h_t). */
  hs: Tensor[];
}

/** n refs `stride` elements apart, from r (stride 0: the same block n times). */
const rowsOf = (r: Ref, n: number, stride: number): Ref[] =>
  Array.from({ length: n }, (_, i) => ({ storage: r.storage, offset: r.offset + i * stride }));

/** A carried state in a [T+1, B, H] buffer: rows of values and of gradients, and the initial state. */
interface Carry {
  readonly buf: Tensor;
  readonly rows: Ref[];
  readonly grads: Ref[];
  readonly init: Tensor;
}

/** What the three ops share: sizes, time order, the carried states, the mask, the end of the sweep. */
interface Plan {
  readonly be: Backend;
  readonly T: number; readonly B: number; readonly H: number; readonly GH: number;
  /** Whether the node records gradients. */
  readonly grad: boolean;
  readonly carries: Carry[];
  /** Rows of xp, and of the mask (or null), per t. */
  readonly xpRows: Ref[];
  readonly mask: Ref[] | null;
  /** Time index of processing step k. */
  time(k: number): number;
  /** Row of the state after step t, and of the state before it. */
  out(t: number): number;
  prev(t: number): number;
  /** Whether the sweep must propagate into the initial state of carry i. */
  readonly initGrad: boolean[];
  readonly inputs: Tensor[];
  /** Copy the initial states into their rows (each forward replay). */
  load(): void;
  /** After the sweep: ∂W_hh, ∂b_hh from the per-step hidden gradients dHid [T, B, GH]; ∂initial. */
  finish(dHid: Ref): void;
  result(): SequenceOutput;
}

function plan(tape: Tape, op: string, G: number, xp: Tensor, wHh: Tensor, bHh: Tensor, initial: Tensor[],
  opts: SequenceOptions): Plan {
  if (xp.rank !== 3) throw new Error(`${op}: projected input must be [T, B, ${G}H], got ${formatShape(xp.shape)}`);
  const [T, B, GH] = xp.shape, H = GH / G;
  if (!Number.isInteger(H) || wHh.rank !== 2 || wHh.shape[0] !== GH || wHh.shape[1] !== H) {
    throw new Error(`${op}: weight_hh ${formatShape(wHh.shape)} does not match projected input ${formatShape(xp.shape)} (${G} gates)`);
  }
  if (bHh.rank !== 1 || bHh.shape[0] !== GH) throw new Error(`${op}: bias_hh ${formatShape(bHh.shape)} must be [${GH}]`);
  initial.forEach((s, i) => {
    if (s.rank !== 2 || s.shape[0] !== B || s.shape[1] !== H) throw new Error(`${op}: initial state ${i} must be [${B},${H}], got ${formatShape(s.shape)}`);
  });
  const mask = opts.mask ?? null;
  if (mask && (mask.rank !== 2 || mask.shape[0] !== T || mask.shape[1] !== B)) {
    throw new Error(`${op}: mask must be [T, B] = [${T},${B}], got ${formatShape(mask.shape)}`);
  }
  const be = tape.backend, rev = opts.reverse ?? false, BH = B * H, grad = tape.needsGrad(xp, wHh, bHh, ...initial);
  const initRow = rev ? T : 0;
  const carries = initial.map((init): Carry => {
    const buf = tape.tensor([T + 1, B, H], grad);
    return { buf, rows: rowsOf(buf, T + 1, BH), grads: buf.grad ? rowsOf(buf.grad, T + 1, BH) : [], init };
  });
  const initGrad = initial.map((s) => grad && s.requiresGrad);
  const initGrads = initial.map((s, i) => (initGrad[i] ? s.ensureGrad() : null));
  const gW = grad && wHh.requiresGrad ? wHh.ensureGrad() : null;
  const gb = grad && bHh.requiresGrad ? bHh.ensureGrad() : null;
  const hPrev = carries[0].rows[rev ? 1 : 0]; // H_prev: T·B contiguous rows
  return {
    be, T, B, H, GH, grad, carries, initGrad,
    xpRows: rowsOf(xp, T, B * GH),
    mask: mask ? rowsOf(mask, T, B) : null,
    time: (k) => (rev ? T - 1 - k : k),
    out: (t) => (rev ? t : t + 1),
    prev: (t) => (rev ? t + 1 : t),
    inputs: [xp, wHh, bHh, ...initial, ...(mask ? [mask] : [])],
    load() { for (const c of carries) be.copy(BH, c.init, c.rows[initRow]); },
    finish(dHid) {
      if (gW) be.gemm(true, false, GH, H, T * B, 1, dHid, hPrev, 1, gW); // ∂W_hh += ∂PREᵀ·H_prev
      if (gb) be.sumRows(T * B, GH, dHid, 1, gb); //                        ∂b_hh += Σ_rows ∂PRE
      carries.forEach((c, i) => { const g = initGrads[i]; if (g) be.axpy(BH, 1, c.grads[initRow], g); });
    },
    result() {
      const view = (c: Carry, row: number, shape: number[]): Tensor => {
        const v = c.buf.view(row * BH, shape);
        if (grad) v.ensureGrad(); // the matching view of the buffer's gradient
        return v;
      };
      const hs = Array.from({ length: T }, (_, t) => view(carries[0], rev ? t : t + 1, [B, H]));
      const final = carries.map((c, i) => (i === 0 ? hs[rev ? 0 : T - 1] : view(c, rev ? 0 : T, [B, H])));
      return { outputs: view(carries[0], rev ? 0 : 1, [T, B, H]), final, hs };
    },
  };
}

/**
 * Where backward writes ∂L/∂xp, one [B, GH] row block per t: straight into xp's gradient when this node is
 * xp's sole late reader (the usual case: xp is the layer's private projection, so no copy), else into a
 * workspace added to xp's gradient after the sweep (or read only by the sweep when xp needs no gradient).
 * `zero`: the kernel accumulates, so the workspace is cleared first (xp's gradient starts at zero).
 */
function xpSink(tape: Tape, xp: Tensor, p: Plan, zero: boolean) {
  let decidedAt = -1, direct = false, work: Tensor | null = null;
  const sink = {
    rows: [] as Ref[],
    buf: xp as Ref,
    begin(node: TapeNode): void {
      if (decidedAt !== tape.nodes.length) {
        decidedAt = tape.nodes.length;
        direct = tape.soleLateReader(node, xp);
        if (!direct) work ??= tape.tensor(xp.shape);
        sink.buf = direct ? (xp.grad as Tensor) : (work as Tensor);
        sink.rows = rowsOf(sink.buf, p.T, p.B * p.GH);
      }
      if (zero && !direct) p.be.fill(xp.size, 0, sink.buf);
    },
    end(): void {
      if (!direct && xp.grad) p.be.axpy(xp.size, 1, sink.buf, xp.grad);
    },
  };
  return sink;
}

/** Per-step buffer rows: all T when gradients are recorded, else one block reused by every step. */
function stepRows(tape: Tape, p: Plan, width: number): Ref[] {
  const t = tape.tensor([p.grad ? p.T : 1, p.B, width]);
  return rowsOf(t, p.T, p.grad ? p.B * width : 0);
}

/**
 * Masked step, backward: the candidate's gradient m·∂state (into `cand`), and the carried part
 * (1 − m)·∂state added to the previous state's gradient (unless `prev` is null).
 */
function splitMasked(be: Backend, B: number, H: number, m: Ref, g: Ref, cand: Ref, prev: Ref | null): void {
  be.fill(B * H, 0, cand);
  be.blendBackward(B, H, m, g, cand, prev);
}

/**
 * Vanilla RNN layer: h_t = σ(xp_t + h_{t−1}·W_hhᵀ + b_hh). xp [T, B, H], W_hh [H, H], b_hh [H], h0 [B, H].
 */
export function rnnSequence(tape: Tape, kind: Activation, xp: Tensor, wHh: Tensor, bHh: Tensor, h0: Tensor,
  opts: SequenceOptions = {}): SequenceOutput {
  const p = plan(tape, `rnnSequence(${kind})`, 1, xp, wHh, bHh, [h0], opts);
  const { be, T, B, H, mask } = p, [h] = p.carries, BH = B * H;
  const pre = stepRows(tape, p, H); // σ's input, kept for its derivative
  const ys = mask ? stepRows(tape, p, H) : null; // σ's output before the mask blend
  const y = (t: number): Ref => (ys ? ys[t] : h.rows[p.out(t)]);
  const forward = (): void => {
    p.load();
    for (let k = 0; k < T; k++) {
      const t = p.time(k), o = p.out(t), s = p.prev(t);
      be.copy(BH, p.xpRows[t], pre[t]); // the order of linear(h, W_hh, b_hh, xp_t), so results match bit for bit
      be.gemm(false, true, B, H, H, 1, h.rows[s], wHh, 1, pre[t]);
      be.addRow(B, H, pre[t], bHh, pre[t]);
      be.unary(kind, BH, pre[t], y(t));
      if (mask) be.blend(B, H, mask[t], y(t), h.rows[s], h.rows[o]);
    }
  };
  forward();
  let backward = noop;
  if (p.grad) {
    const sink = xpSink(tape, xp, p, true), cand = mask ? tape.tensor([B, H]) : null;
    backward = () => {
      sink.begin(node);
      for (let k = T - 1; k >= 0; k--) {
        const t = p.time(k), o = p.out(t), s = p.prev(t), into = k > 0 || p.initGrad[0];
        let g = h.grads[o];
        if (mask && cand) { splitMasked(be, B, H, mask[t], g, cand, into ? h.grads[s] : null); g = cand; }
        be.unaryBackward(kind, BH, pre[t], y(t), g, sink.rows[t]);
        if (into) be.gemm(false, false, B, H, H, 1, sink.rows[t], wHh, 1, h.grads[s]); // ∂h_s += ∂pre·W_hh
      }
      p.finish(sink.buf);
      sink.end();
    };
  }
  const node: TapeNode = { op: 'rnnSequence', forward, backward };
  tape.record(node, p.inputs);
  return p.result();
}

/** GRU layer (gates r|z|n, see cells/gru.ts): gi = xp [T, B, 3H], W_hh [3H, H], b_hh [3H], h0 [B, H]. */
export function gruSequence(tape: Tape, xp: Tensor, wHh: Tensor, bHh: Tensor, h0: Tensor,
  opts: SequenceOptions = {}): SequenceOutput {
  const p = plan(tape, 'gruSequence', 3, xp, wHh, bHh, [h0], opts);
  const { be, T, B, H, GH, mask } = p, [h] = p.carries;
  const gh = stepRows(tape, p, GH), act = stepRows(tape, p, GH);
  const forward = (): void => {
    p.load();
    for (let k = 0; k < T; k++) {
      const t = p.time(k), o = p.out(t), s = p.prev(t);
      be.gemm(false, true, B, GH, H, 1, h.rows[s], wHh, 0, gh[t]); // gh = h_s·W_hhᵀ + b_hh
      be.addRow(B, GH, gh[t], bHh, gh[t]);
      be.gruForward(B, H, p.xpRows[t], gh[t], h.rows[s], act[t], h.rows[o]);
      if (mask) be.blend(B, H, mask[t], h.rows[o], h.rows[s], h.rows[o]);
    }
  };
  forward();
  let backward = noop;
  if (p.grad) {
    const sink = xpSink(tape, xp, p, false), cand = mask ? tape.tensor([B, H]) : null;
    const dGh = tape.tensor([T, B, GH]), dGhRows = rowsOf(dGh, T, B * GH);
    backward = () => {
      sink.begin(node);
      for (let k = T - 1; k >= 0; k--) {
        const t = p.time(k), o = p.out(t), s = p.prev(t), into = k > 0 || p.initGrad[0];
        let g = h.grads[o];
        if (mask && cand) { splitMasked(be, B, H, mask[t], g, cand, into ? h.grads[s] : null); g = cand; }
        be.gruBackward(B, H, gh[t], act[t], h.rows[s], g, sink.rows[t], dGhRows[t], into ? h.grads[s] : null);
        if (into) be.gemm(false, false, B, H, GH, 1, dGhRows[t], wHh, 1, h.grads[s]); // ∂h_s += ∂gh·W_hh
      }
      p.finish(dGh);
      sink.end();
    };
  }
  const node: TapeNode = { op: 'gruSequence', forward, backward };
  tape.record(node, p.inputs);
  return p.result();
}

/** LSTM layer (gates i|f|g|o, see cells/lstm.ts): xp [T, B, 4H], W_hh [4H, H], b_hh [4H], h0, c0 [B, H]. */
export function lstmSequence(tape: Tape, xp: Tensor, wHh: Tensor, bHh: Tensor, h0: Tensor, c0: Tensor,
  opts: SequenceOptions = {}): SequenceOutput {
  const p = plan(tape, 'lstmSequence', 4, xp, wHh, bHh, [h0, c0], opts);
  const { be, T, B, H, GH, mask } = p, [h, c] = p.carries;
  const pre = tape.tensor([B, GH]); // one step's pre-activation (the backward pass reads act and tanh c)
  const act = stepRows(tape, p, GH), tc = stepRows(tape, p, H);
  const forward = (): void => {
    p.load();
    for (let k = 0; k < T; k++) {
      const t = p.time(k), o = p.out(t), s = p.prev(t);
      be.copy(B * GH, p.xpRows[t], pre); // the order of linear(h, W_hh, b_hh, xp_t): results match bit for bit
      be.gemm(false, true, B, GH, H, 1, h.rows[s], wHh, 1, pre);
      be.addRow(B, GH, pre, bHh, pre);
      be.lstmForward(B, H, pre, c.rows[s], act[t], c.rows[o], tc[t], h.rows[o]);
      if (mask) {
        be.blend(B, H, mask[t], h.rows[o], h.rows[s], h.rows[o]);
        be.blend(B, H, mask[t], c.rows[o], c.rows[s], c.rows[o]);
      }
    }
  };
  forward();
  let backward = noop;
  if (p.grad) {
    const sink = xpSink(tape, xp, p, false);
    const dh = mask ? tape.tensor([B, H]) : null, dc = mask ? tape.tensor([B, H]) : null;
    backward = () => {
      sink.begin(node);
      for (let k = T - 1; k >= 0; k--) {
        const t = p.time(k), o = p.out(t), s = p.prev(t);
        const intoH = k > 0 || p.initGrad[0], intoC = k > 0 || p.initGrad[1];
        let gh = h.grads[o], gc = c.grads[o];
        if (mask && dh && dc) {
          splitMasked(be, B, H, mask[t], gh, dh, intoH ? h.grads[s] : null);
          splitMasked(be, B, H, mask[t], gc, dc, intoC ? c.grads[s] : null);
          gh = dh; gc = dc;
        }
        be.lstmBackward(B, H, act[t], c.rows[s], tc[t], gh, gc, sink.rows[t], intoC ? c.grads[s] : null);
        if (intoH) be.gemm(false, false, B, H, GH, 1, sink.rows[t], wHh, 1, h.grads[s]); // ∂h_s += ∂pre·W_hh
      }
      p.finish(sink.buf);
      sink.end();
    };
  }
  const node: TapeNode = { op: 'lstmSequence', forward, backward };
  tape.record(node, p.inputs);
  return p.result();
}
