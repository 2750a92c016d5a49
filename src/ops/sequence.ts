/**
 * The fused scan: one recurrent layer's whole time loop as one tape node (scan's fast path). It fuses this
 * reference loop (models/scan.ts runs it step by step) for the cells whose step is one GEMM and one
 * pointwise kernel — vanilla, GRU and LSTM are the three `StepKernel` instances in ops/sequence-steps.ts:
 *
 *   state = initial                                       // [h] or [h, c], each [B, H]
 *   for t in (reverse ? T−1..0 : 0..T−1):
 *     pre = xp[t] + state[0]·W_hhᵀ + b_hh                 // [B, G·H]  (GRU: xp[t] apart, see addsInput)
 *     next = kernel.forward(pre, xp[t], state)            // one pointwise kernel
 *     state = mask ? mask[t]·next + (1 − mask[t])·state : next;  h[t] = state[0]
 *
 * Backward sweeps the other way with ∂h (and ∂c) carried in the state gradients: per step the kernel's
 * backward gives ∂pre_t (kept for all t) and ∂h_s += ∂pre_t·W_hh is one GEMM; after the sweep
 * ∂W_hh += ∂PREᵀ·H_prev is one GEMM over all T·B rows, ∂b_hh += its column sums, ∂xp += ∂PRE (GRU: the
 * x-part ∂gi, which its kernel writes apart), ∂initial += the gradient of its row.
 *
 * W_hh is packed for the GEMM once per run (Backend.packB) and read packed by every step (gemmPacked).
 * A step is one kernel call each way (the StepKernel's whole-step kernels, kernels/table-steps.ts: copy,
 * GEMM, bias and pointwise work; pointwise backward and GEMM), which the threaded backend splits by rows.
 * Buffers, planned at record time (nothing is allocated per step or per replay): each carried state in one
 * [T+1, B, H] buffer, the initial state at row 0 and h_t at row t+1 (reversed: h_t at row t, the initial
 * state at row T), so H_prev, the states that feed the steps, are T·B contiguous rows; the kernel's saved
 * values per step [T, B, w·H]. The outputs, the per-step h_t and the final states are views of the state
 * buffers, and their gradients views of its gradient, to which the sweep adds the recurrent term in place:
 * after backward hs[t].grad is the total ∂L/∂h_t, exactly as on the per-step path (test/ops/sequence.test.ts).
 * The shapes are scan's to check (models/scan.ts); this op trusts them. No forward mode (jvp) for the whole
 * sequence: the step instruments record cell.step (the same kernels, each with a jvp); for jvp through a whole
 * layer, use scan's per-step path.
 */
import type { Tape, TapeNode } from '../autodiff/tape.js';
import { type Backend, packedLength, type Ref, stepScratch } from '../kernels/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { noop } from './elementwise.js';
import { gradOf } from './grad.js';

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

/** The rows one step's kernel reads and writes (one object per node, refilled every step: no allocation). */
export interface StepRefs {
  /** [B, G·H]: xp_t + h·W_hhᵀ + b_hh, or h·W_hhᵀ + b_hh when the kernel does not add the input. */
  pre: Ref;
  /** [B, G·H]: the projected input of this step. */
  xp: Ref;
  /** The carried state before the step and after it (before the mask blend), one [B, H] row per component. */
  prev: Ref[];
  out: Ref[];
  /** The per-step buffers of `StepKernel.saved`. */
  saved: Ref[];
}

/** What a whole step reads besides its rows, the same at every step (planned at record time). */
export interface StepWeights {
  /** W_hhᵀ [H, G·H] packed for forward (packB), W_hh [G·H, H] packed for backward. */
  packed: Ref;
  packedT: Ref;
  /** b_hh [G·H]. */
  bias: Ref;
  /** GEMM scratch for the forward and the backward product (stepScratch), and its floats per row for each. */
  scratch: Ref;
  rowF: number;
  rowB: number;
}

/** One fused recurrent step, as whole-step kernels (kernels/table-steps.ts): all that tells vanilla, GRU and LSTM apart. */
export interface StepKernel {
  /** Op name on the tape, e.g. 'lstmSequence'. */
  readonly op: string;
  /** G: W_hh is [G·H, H], xp [T, B, G·H]. */
  readonly gates: number;
  /** Carried state components: 1 (h) or 2 (h, c). */
  readonly states: number;
  /** pre includes xp_t, so ∂xp = ∂pre (vanilla, LSTM); else the kernel reads xp_t and writes ∂xp apart (GRU). */
  readonly addsInput: boolean;
  /** Backward reads pre (kept for every step) / the step's output before the mask blend. */
  readonly keepsPre: boolean;
  readonly keepsOutput: boolean;
  /** Widths, in units of H, of the per-step buffers forward saves for backward. */
  readonly saved: readonly number[];
  /** Backward adds into ∂xp (so its rows are zeroed first) instead of overwriting them. */
  readonly accumulates: boolean;
  /** pre = xp_t + h·W_hhᵀ + b_hh (GRU: without xp_t), then the pointwise step: out and saved. */
  forward(be: Backend, B: number, H: number, s: StepRefs, w: Omit<StepWeights, 'packedT'>): void;
  /**
   * From the state gradients g: ∂xp, ∂pre (the same rows when addsInput) and += the direct paths into ∂prev,
   * then ∂prev[0] += ∂pre·W_hh (when ∂prev[0] is not null).
   */
  backward(
    be: Backend,
    B: number,
    H: number,
    s: StepRefs,
    g: readonly Ref[],
    dXp: Ref,
    dPre: Ref,
    dPrev: readonly (Ref | null)[],
    w: StepWeights,
  ): void;
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

/**
 * Where backward writes ∂L/∂xp, one [B, GH] row block per t: straight into xp's gradient when this node is
 * xp's sole late reader (the usual case: xp is the layer's private projection, so no copy), else into a
 * workspace added to xp's gradient after the sweep (or read only by the sweep when xp needs no gradient).
 * `zero`: the kernel accumulates, so the workspace is cleared first (xp's gradient starts at zero).
 */
function xpSink(tape: Tape, xp: Tensor, T: number, zero: boolean) {
  let decidedAt = -1,
    direct = false,
    work: Tensor | null = null;
  const be = tape.backend,
    stride = xp.size / T;
  const sink = {
    rows: [] as Ref[],
    buf: xp as Ref,
    begin(node: TapeNode): void {
      if (decidedAt !== tape.nodes.length) {
        decidedAt = tape.nodes.length;
        direct = tape.soleLateReader(node, xp);
        if (!direct) work ??= tape.tensor(xp.shape);
        sink.buf = direct ? (xp.grad as Tensor) : (work as Tensor);
        sink.rows = rowsOf(sink.buf, T, stride);
      }
      if (zero && !direct) be.fill(xp.size, 0, sink.buf);
    },
    end(): void {
      if (!direct && xp.grad) be.axpy(xp.size, 1, sink.buf, xp.grad);
    },
  };
  return sink;
}

/**
 * Run one recurrent layer over xp [T, B, G·H] (the cell's projected input) from `initial` (one [B, H] tensor
 * per state component) as one tape node; W_hh [G·H, H], b_hh [G·H]. See the header for what it computes.
 */
export function fusedScan(
  tape: Tape,
  k: StepKernel,
  xp: Tensor,
  wHh: Tensor,
  bHh: Tensor,
  initial: readonly Tensor[],
  opts: SequenceOptions = {},
): SequenceOutput {
  const be = tape.backend,
    rev = opts.reverse ?? false,
    mask = opts.mask ?? null;
  const [T, B] = xp.shape, // xp: (T, B, G·H)
    H = wHh.shape[1],
    GH = k.gates * H,
    BH = B * H;
  const grad = tape.needsGrad(xp, wHh, bHh, ...initial);
  const time = (step: number): number => (rev ? T - 1 - step : step);
  const out = (t: number): number => (rev ? t : t + 1); // row of the state after step t
  const prev = (t: number): number => (rev ? t + 1 : t); // row of the state before it
  const initRow = rev ? T : 0;
  const carries = initial.map((init): Carry => {
    const buf = tape.tensor([T + 1, B, H], grad); // (T+1, B, H): the initial state and h_t (or c_t)
    return { buf, rows: rowsOf(buf, T + 1, BH), grads: buf.grad ? rowsOf(buf.grad, T + 1, BH) : [], init };
  });
  /** Per-step rows: all T when gradients are recorded (and `keep`), else one block reused by every step. */
  const stepRows = (width: number, keep = true): Ref[] => {
    const all = grad && keep;
    return rowsOf(tape.tensor([all ? T : 1, B, width]), T, all ? B * width : 0);
  };
  const xpRows = rowsOf(xp, T, B * GH),
    maskRows = mask ? rowsOf(mask, T, B) : null;
  const pre = stepRows(GH, k.keepsPre); // T rows of (B, G·H)
  const saved = k.saved.map((w) => stepRows(w * H)); // T rows of (B, w·H) each
  const outs = mask && k.keepsOutput ? stepRows(H) : null; // the output before the mask blend
  const rows0 = carries.map((c) => c.rows[0]);
  const refs: StepRefs = {
    pre: pre[0],
    xp: xpRows[0],
    prev: [...rows0],
    out: [...rows0],
    saved: saved.map((r) => r[0]),
  };
  /** Point `refs` at step t's rows. */
  const at = (t: number): StepRefs => {
    refs.pre = pre[t];
    refs.xp = xpRows[t];
    for (let i = 0; i < carries.length; i++) {
      refs.prev[i] = carries[i].rows[prev(t)];
      refs.out[i] = outs && i === 0 ? outs[t] : carries[i].rows[out(t)];
    }
    for (let i = 0; i < saved.length; i++) refs.saved[i] = saved[i][t];
    return refs;
  };

  // W_hh packed once per run for the T per-step products (op(B) = W_hhᵀ (H, G·H) forward, W_hh (G·H, H) in
  // backward): the same numbers as gemm on W_hh, which would pack it again at every step
  const sf = stepScratch(B, H),
    sb = stepScratch(B, GH);
  const w: Omit<StepWeights, 'packedT'> = {
    packed: tape.tensor([packedLength(H, GH)]),
    bias: bHh,
    scratch: tape.tensor([Math.max(sf.length, grad ? sb.length : 0)]),
    rowF: sf.row,
    rowB: sb.row,
  };
  const forward = (): void => {
    be.packB(true, H, GH, wHh, w.packed);
    for (const c of carries) be.copy(BH, c.init, c.rows[initRow]);
    for (let step = 0; step < T; step++) {
      const t = time(step),
        s = at(t);
      // pre = xp_t + h·W_hhᵀ + b_hh in the order of linear(h, W_hh, b_hh, xp_t) (so results match the
      // per-step path bit for bit), then the pointwise step: out (B, H) per state component
      k.forward(be, B, H, s, w);
      if (maskRows) {
        for (let i = 0; i < carries.length; i++)
          be.blend(B, H, maskRows[t], s.out[i], s.prev[i], carries[i].rows[out(t)]);
      }
    }
  };
  forward();
  let backward = noop;
  if (grad) {
    const initGrads = initial.map((s) => gradOf(s));
    const gW = gradOf(wHh);
    const gb = gradOf(bHh);
    const sink = xpSink(tape, xp, T, k.accumulates);
    const dPre = k.addsInput ? null : tape.tensor([T, B, GH]), // (T, B, G·H)
      dPreRows = dPre ? rowsOf(dPre, T, B * GH) : null;
    const cands = maskRows ? carries.map(() => tape.tensor([B, H])) : null;
    const g: Ref[] = [...rows0],
      dPrev: (Ref | null)[] = [...rows0];
    const hPrev = carries[0].rows[rev ? 1 : 0]; // H_prev (T·B, H): contiguous rows
    const wb: StepWeights = { ...w, packedT: tape.tensor([packedLength(GH, H)]) };
    backward = () => {
      be.packB(false, GH, H, wHh, wb.packedT);
      sink.begin(node);
      for (let step = T - 1; step >= 0; step--) {
        const t = time(step),
          s = at(t);
        for (let i = 0; i < carries.length; i++) {
          const into = step > 0 || initGrads[i] !== null,
            gPrev = into ? carries[i].grads[prev(t)] : null;
          g[i] = carries[i].grads[out(t)];
          dPrev[i] = gPrev;
          if (maskRows && cands) {
            // the candidate gets m·∂state, the carried state (1 − m)·∂state
            be.fill(BH, 0, cands[i]);
            be.blendBackward(B, H, maskRows[t], g[i], cands[i], gPrev);
            g[i] = cands[i];
          }
        }
        const dp = dPreRows ? dPreRows[t] : sink.rows[t];
        k.backward(be, B, H, s, g, sink.rows[t], dp, dPrev, wb); // and ∂h_s (B, H) += ∂pre·W_hh
      }
      const dAll = dPre ?? sink.buf;
      if (gW) be.gemm(true, false, GH, H, T * B, 1, dAll, hPrev, 1, gW); // ∂W_hh (G·H, H) += ∂PREᵀ·H_prev
      if (gb) be.sumRows(T * B, GH, dAll, 1, gb); // ∂b_hh (G·H) += Σ_rows ∂PRE
      carries.forEach((c, i) => {
        const gi = initGrads[i];
        if (gi) be.axpy(BH, 1, c.grads[initRow], gi);
      });
      sink.end();
    };
  }
  const node: TapeNode = { op: k.op, forward, backward };
  tape.record(node, [xp, wHh, bHh, ...initial, ...(mask ? [mask] : [])]);
  const view = (c: Carry, row: number, shape: number[]): Tensor => {
    const v = c.buf.view(row * BH, shape);
    if (grad) v.ensureGrad(); // the matching view of the buffer's gradient
    return v;
  };
  const hs = Array.from({ length: T }, (_, t) => view(carries[0], out(t), [B, H]));
  const final = carries.map((c, i) => (i === 0 ? hs[rev ? 0 : T - 1] : view(c, rev ? 0 : T, [B, H])));
  return { outputs: view(carries[0], rev ? 0 : 1, [T, B, H]), final, hs };
}
