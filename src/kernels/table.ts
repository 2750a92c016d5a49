/**
 * The kernel table: every kernel's signature (with its documentation), how its arguments cross into
 * WebAssembly, and how the threaded wasm backend splits it — declared once. From it derive:
 * - the `Backend` interface's kernel methods (backend.ts: `Backend extends KernelMethods`), which the
 *   reference backend implements with its float64 twins (reference/*.ts, spread into reference/index.ts);
 * - the wasm backend's single-threaded wrappers (wasm/backend.ts), its threaded wrappers (wasm/parallel.ts)
 *   and the thread worker's dispatch list (wasm/threads.ts: THREAD_KERNELS).
 * Adding a kernel = its AssemblyScript function (exported by wasm/assembly/index.ts), its reference twin,
 * one entry here (docs/adding-a-kernel.md). The argument kinds are type-checked against the signature.
 * Special cases written by hand: gemm and gemmPacked (packing scratch, split by blocks of C) and adam (a
 * struct of scalars).
 *
 * Argument kinds: 'n' a number as is, 'z' an optional number (default 0), 'b' a boolean (0/1), 'u' a
 * UnaryKind (its UnaryCode), 'p' a Ref (a byte address in wasm), 'o' a Ref or null (0).
 *
 * Splits (threads): `count` is the argument that counts the units split (elements or rows), `perUnit` the
 * argument giving the elements per unit (−1: 1), `cost` single-thread ns per element (measured, AVX-512,
 * Node 20; per UnaryCode for unary kernels), `grain` units per part boundary, and `ptrs` triples
 * (argument, stride argument or −1, stride factor): pointer += unit·stride·factor·4 bytes.
 */
import type { Ref, UnaryKind } from './backend.js';
import { elems, type Kernel, kernel, rows, type Split } from './table-kit.js';
import { STEP_KERNELS } from './table-steps.js';

export type { ArgKind, Kernel, Split } from './table-kit.js';

// ns per element by UnaryCode: identity tanh sigmoid relu exp neg square sqrt sin cos oneMinus
const UNARY_COST = [0.1, 0.53, 0.55, 0.1, 0.45, 0.1, 0.1, 0.35, 3, 3, 0.1];
const UNARY_BACKWARD_COST = [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.25, 3.2, 3.2, 0.2];

/** adam (n, 9 scalars, param, grad, m, v): split by elements like the table's kernels, wrapped by hand. */
export const ADAM_SPLIT: Split = elems(0, 0.65, 10, 11, 12, 13);

/** Every kernel but gemm and adam. Argument positions are those of the wasm exports (assembly/*.ts). */
export const KERNELS = {
  // ---- linear algebra -----------------------------------------------------------------------------
  /**
   * Pack op(B) [k, n] (B stored [k, n], or [n, k] when transB) for gemmPacked into out (packedLength(k, n)
   * floats, backend.ts): panels of 8 columns, panel q holding op(B)[p, 8q..8q+7] at out[(q·k + p)·8 …]
   * (zero past n). A matrix read by many products (W_hh, every time step) is packed once.
   */
  packB: kernel<(transB: boolean, k: number, n: number, b: Ref, out: Ref) => void>(['b', 'n', 'n', 'p', 'p']),
  /** out[i, j] = x[i, j] + row[j]; x, out [m, n]; row [n]. */
  addRow: kernel<(m: number, n: number, x: Ref, row: Ref, out: Ref) => void>(['n', 'n', 'p', 'p', 'p'], {
    split: rows(0, 1, 0.14, 2, 1, 4, 1),
  }),
  /** out[i, j] = x[i, j] · row[j]; x, out [m, n]; row [n]. */
  mulRow: kernel<(m: number, n: number, x: Ref, row: Ref, out: Ref) => void>(['n', 'n', 'p', 'p', 'p'], {
    split: rows(0, 1, 0.14, 2, 1, 4, 1),
  }),
  /** out[j] = β·out[j] + Σ_i x[i, j]; x [m, n]; out [n] (column sums). β = 0 ignores old contents. */
  sumRows: kernel<(m: number, n: number, x: Ref, beta: number, out: Ref) => void>(['n', 'n', 'p', 'n', 'p']),
  /**
   * Copy a block of `rows`×`cols` between row-major matrices with leading dimensions srcLd/dstLd
   * (element strides between rows); `accumulate` adds instead of overwriting. Used for concat/slice.
   */
  copyBlock: kernel<
    (rows: number, cols: number, src: Ref, srcLd: number, dst: Ref, dstLd: number, accumulate: boolean) => void
  >(['n', 'n', 'p', 'n', 'p', 'n', 'b'], {
    split: { count: 0, perUnit: 1, cost: 0.14, grain: 1, ptrs: [2, 3, 1, 4, 5, 1] },
  }),
  // ---- elementwise --------------------------------------------------------------------------------
  /** out[i] = value */
  fill: kernel<(n: number, value: number, out: Ref) => void>(['n', 'n', 'p'], { split: elems(0, 0.08, 2) }),
  /** out[i] = x[i] */
  copy: kernel<(n: number, x: Ref, out: Ref) => void>(['n', 'p', 'p'], { split: elems(0, 0.08, 1, 2) }),
  /** y[i] += α·x[i] */
  axpy: kernel<(n: number, alpha: number, x: Ref, y: Ref) => void>(['n', 'n', 'p', 'p'], {
    split: elems(0, 0.12, 2, 3),
  }),
  /** out[i] = α·x[i] + β (β default 0) */
  scale: kernel<(n: number, alpha: number, x: Ref, out: Ref, beta?: number) => void>(['n', 'n', 'p', 'p', 'z'], {
    split: elems(0, 0.12, 2, 3),
  }),
  /** out[i] = a[i] + b[i] */
  add: kernel<(n: number, a: Ref, b: Ref, out: Ref) => void>(['n', 'p', 'p', 'p'], { split: elems(0, 0.12, 1, 2, 3) }),
  /** out[i] = a[i] − b[i] */
  sub: kernel<(n: number, a: Ref, b: Ref, out: Ref) => void>(['n', 'p', 'p', 'p'], { split: elems(0, 0.12, 1, 2, 3) }),
  /** out[i] = a[i] · b[i] */
  mul: kernel<(n: number, a: Ref, b: Ref, out: Ref) => void>(['n', 'p', 'p', 'p'], { split: elems(0, 0.12, 1, 2, 3) }),
  /** out[i] += a[i] · b[i] */
  mulAcc: kernel<(n: number, a: Ref, b: Ref, out: Ref) => void>(['n', 'p', 'p', 'p'], {
    split: elems(0, 0.15, 1, 2, 3),
  }),
  /** out[i] = f(x[i]) */
  unary: kernel<(kind: UnaryKind, n: number, x: Ref, out: Ref) => void>(['u', 'n', 'p', 'p'], {
    split: elems(1, UNARY_COST, 2, 3),
  }),
  /** dx[i] += dy[i] · f′ evaluated from the saved input x[i] and output y[i]. */
  unaryBackward: kernel<(kind: UnaryKind, n: number, x: Ref, y: Ref, dy: Ref, dx: Ref) => void>(
    ['u', 'n', 'p', 'p', 'p', 'p'],
    { split: elems(1, UNARY_BACKWARD_COST, 2, 3, 4, 5) },
  ),
  /** out[i] = min(hi, max(lo, x[i])) */
  clamp: kernel<(n: number, lo: number, hi: number, x: Ref, out: Ref) => void>(['n', 'n', 'n', 'p', 'p'], {
    split: elems(0, 0.4, 3, 4),
  }),
  /**
   * Row blend for masks: out[i, j] = mask[i]·a[i, j] + (1 − mask[i])·b[i, j]; mask [m], a, b, out [m, n].
   */
  blend: kernel<(m: number, n: number, mask: Ref, a: Ref, b: Ref, out: Ref) => void>(['n', 'n', 'p', 'p', 'p', 'p'], {
    split: rows(0, 1, 0.18, 2, -1, 3, 1, 4, 1, 5, 1),
  }),
  /** da[i, j] += mask[i]·dy[i, j]; db[i, j] += (1 − mask[i])·dy[i, j]. Either of da, db may be null. */
  blendBackward: kernel<(m: number, n: number, mask: Ref, dy: Ref, da: Ref | null, db: Ref | null) => void>(
    ['n', 'n', 'p', 'p', 'o', 'o'],
    { split: rows(0, 1, 0.26, 2, -1, 3, 1, 4, 1, 5, 1) },
  ),
  // ---- reductions (return a JS number) ---------------------------------------------------------------
  /** Σ x[i] */
  sum: kernel<(n: number, x: Ref) => number>(['n', 'p']),
  /** Σ x[i]² */
  sumSquares: kernel<(n: number, x: Ref) => number>(['n', 'p']),
  /** Σ a[i]·b[i] */
  dot: kernel<(n: number, a: Ref, b: Ref) => number>(['n', 'p', 'p']),
  /** true when every x[i] is finite */
  allFinite: kernel<(n: number, x: Ref) => boolean>(['n', 'p'], { bool: true }),
  // ---- losses ---------------------------------------------------------------------------------------
  /**
   * Fused, numerically stable softmax cross-entropy per row (log-sum-exp with the row max subtracted).
   * logits, probs [m, c]; labels [m] holds class indices as floats; loss [m] gets −log softmax(logits)[label].
   * probs receives softmax(logits), saved for the backward pass.
   */
  softmaxXent: kernel<(m: number, c: number, logits: Ref, labels: Ref, probs: Ref, loss: Ref) => void>([
    'n',
    'n',
    'p',
    'p',
    'p',
    'p',
  ]),
  /** dlogits[i, j] += dloss[i]·(probs[i, j] − [j = label_i]) */
  softmaxXentBackward: kernel<(m: number, c: number, probs: Ref, labels: Ref, dloss: Ref, dlogits: Ref) => void>([
    'n',
    'n',
    'p',
    'p',
    'p',
    'p',
  ]),
  // ---- fused cell pointwise work ---------------------------------------------------------------------
  /**
   * LSTM pointwise step (PyTorch gate order i|f|g|o), for a batch of b rows and h units.
   * pre [b, 4h] = x·W_ihᵀ + b_ih + h_prev·W_hhᵀ + b_hh. Writes act [b, 4h] = (σ(i), σ(f), tanh(g), σ(o)),
   * c [b, h] = σ(f)⊙c_prev + σ(i)⊙tanh(g), tc [b, h] = tanh(c), hOut [b, h] = σ(o)⊙tanh(c).
   */
  lstmForward: kernel<(b: number, h: number, pre: Ref, cPrev: Ref, act: Ref, c: Ref, tc: Ref, hOut: Ref) => void>(
    ['n', 'n', 'p', 'p', 'p', 'p', 'p', 'p'],
    { split: rows(0, 1, 3.5, 2, 4, 3, 1, 4, 4, 5, 1, 6, 1, 7, 1) },
  ),
  /**
   * Backward of lstmForward. dh, dc [b, h] are the incoming gradients of h and c (dc may be null = 0).
   * Writes dPre [b, 4h] (overwrite) and accumulates dcPrev [b, h] (+=) when not null.
   */
  lstmBackward: kernel<
    (
      b: number,
      h: number,
      act: Ref,
      cPrev: Ref,
      tc: Ref,
      dh: Ref,
      dc: Ref | null,
      dPre: Ref,
      dcPrev: Ref | null,
    ) => void
  >(['n', 'n', 'p', 'p', 'p', 'p', 'o', 'p', 'o'], {
    split: rows(0, 1, 0.93, 2, 4, 3, 1, 4, 1, 5, 1, 6, 1, 7, 4, 8, 1),
  }),
  /**
   * GRU pointwise step (PyTorch gate order r|z|n). gi [b, 3h] = x·W_ihᵀ + b_ih, gh [b, 3h] = h_prev·W_hhᵀ + b_hh.
   * r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r⊙gh_n), hOut = (1 − z)⊙n + z⊙h_prev.
   * Writes act [b, 3h] = (r, z, n) and hOut [b, h].
   */
  gruForward: kernel<(b: number, h: number, gi: Ref, gh: Ref, hPrev: Ref, act: Ref, hOut: Ref) => void>(
    ['n', 'n', 'p', 'p', 'p', 'p', 'p'],
    { split: rows(0, 1, 2.7, 2, 3, 3, 3, 4, 1, 5, 3, 6, 1) },
  ),
  /**
   * Backward of gruForward: from dh [b, h] writes dGi, dGh [b, 3h] (overwrite) and accumulates dhPrev (+=,
   * the direct z⊙h_prev path only; the path through gh is the caller's GEMM).
   */
  gruBackward: kernel<
    (b: number, h: number, gh: Ref, act: Ref, hPrev: Ref, dh: Ref, dGi: Ref, dGh: Ref, dhPrev: Ref | null) => void
  >(['n', 'n', 'p', 'p', 'p', 'p', 'p', 'p', 'o'], {
    split: rows(0, 1, 0.88, 2, 3, 3, 3, 4, 1, 5, 1, 6, 3, 7, 3, 8, 1),
  }),
  /**
   * Layer normalisation of each row: out = (x − μ)/√(σ² + eps)·gain + bias; x, out [m, n]; gain, bias [n].
   * Saves mean [m] and rstd [m] = 1/√(σ² + eps) for the backward pass.
   */
  layerNorm: kernel<
    (m: number, n: number, eps: number, x: Ref, gain: Ref, bias: Ref, out: Ref, mean: Ref, rstd: Ref) => void
  >(['n', 'n', 'n', 'p', 'p', 'p', 'p', 'p', 'p'], { split: rows(0, 1, 0.74, 3, 1, 6, 1, 7, -1, 8, -1) }),
  /** Backward of layerNorm: dx += …, dgain += Σ_i dy·x̂, dbias += Σ_i dy (any of the three may be null). */
  layerNormBackward: kernel<
    (
      m: number,
      n: number,
      x: Ref,
      gain: Ref,
      mean: Ref,
      rstd: Ref,
      dy: Ref,
      dx: Ref | null,
      dgain: Ref | null,
      dbias: Ref | null,
    ) => void
  >(['n', 'n', 'p', 'p', 'p', 'p', 'p', 'o', 'o', 'o']),
  ...STEP_KERNELS,
};

export type KernelName = keyof typeof KERNELS;
/** The Backend methods the table declares (their documentation is the table's). */
export type KernelMethods = { [K in KernelName]: (typeof KERNELS)[K] extends Kernel<infer F> ? F : never };
