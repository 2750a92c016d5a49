/**
 * The kernel backend interface: every numeric loop recur runs goes through one of these methods.
 *
 * Conventions (shared by all backends):
 * - Buffers are passed as `Ref`s: a storage block plus an element offset. Every operand is contiguous,
 *   row-major; matrix sizes are given explicitly (`m` rows, `n` columns).
 * - Outputs are passed in (out-params); nothing is allocated by a kernel.
 * - `accumulate`-style kernels add into their output (`+=`); all others overwrite it.
 * - Kernels may alias an output with an input of the same size and layout (elementwise kernels only).
 *
 * Two implementations: `reference` (float64 TypeScript loops written for clarity, the oracle) and `wasm`
 * (float32 AssemblyScript SIMD kernels). Kernels know nothing about autodiff; see `src/ops/`.
 */
import type { KernelMethods } from './table.js';
import type { UnaryCode } from './wasm/assembly/unary-codes.js';

/** A typed array of the backend's element type. */
export type FloatArray = Float32Array | Float64Array;

/** A block of `length` floats owned by a backend. */
export interface Storage {
  /** Number of elements in the block. */
  readonly length: number;
  /** Index of the block's first element inside `array`. */
  readonly base: number;
  /** A typed array over the memory that holds the block (for wasm: the whole heap; re-read after growth). */
  readonly array: FloatArray;
}

/** A position in backend memory: element `offset` of `storage`. Tensors implement this. */
export interface Ref {
  readonly storage: Storage;
  readonly offset: number;
}

/**
 * Pointwise functions with a derivative, by name: the keys of UnaryCode (wasm/assembly/unary-codes.ts, shared
 * with the AssemblyScript kernels, where each one's y and y′ are listed). The derivative is computed from the
 * saved output y where possible.
 */
export type UnaryKind = keyof typeof UnaryCode;

/** The activation functions a transition may use. */
export type Activation = 'identity' | 'tanh' | 'sigmoid' | 'relu';

/** Hyper-parameters of one Adam(W) update (bias corrections precomputed by the caller). */
export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay (AdamW); 0 for Adam. */
  weightDecay: number;
  /** 1 − beta1^t */
  bias1: number;
  /** 1 − beta2^t */
  bias2: number;
}

/** Floats that packB's packing of op(B) [k, n] takes: k rows of ⌈n/8⌉ panels of 8 columns. */
export const packedLength = (k: number, n: number): number => 8 * Math.ceil(n / 8) * k;
/**
 * The GEMM scratch of a whole recurrent step (rnnStep, lstmStepBackward, …) over B rows, for a product of
 * depth k: `row` floats per batch row (the stride by which each thread's block of rows finds its own part)
 * and `length` floats in all. The wasm GEMM's packing buffers (assembly/gemm.ts, gemmScratchBytes) take
 * 4·⌈r/4⌉·kc + 8·kc + 36 floats for r rows, kc = min(k, 256), plus 4 to align: a block of r ≥ 4 rows (the
 * split's grain) fits in r·(4·kc + 10), and the last block, which may be shorter, in its rows plus a tail of
 * 12·kc + 40 floats.
 */
export function stepScratch(B: number, k: number): { row: number; length: number } {
  const kc = Math.min(k, 256);
  return { row: 4 * kc + 10, length: B * (4 * kc + 10) + 12 * kc + 40 };
}

/** A kernel backend: memory, gemm and adam here, every other kernel from the kernel table (table.ts). */
export interface Backend extends KernelMethods {
  readonly name: 'reference' | 'wasm';
  readonly dtype: 'float64' | 'float32';

  // ---- memory -------------------------------------------------------------------------------------
  /** A new zero-filled block of `length` floats. */
  alloc(length: number): Storage;
  /** Return a block to the backend. Using it afterwards is an error. */
  free(storage: Storage): void;

  // ---- written by hand (every other kernel is declared in table.ts) --------------------------------
  /**
   * C = α·op(A)·op(B) + β·C with op(X) = X or Xᵀ.
   * Shapes: op(A) [m, k], op(B) [k, n], C [m, n]; A is stored [m, k] (or [k, m] when transA),
   * B is stored [k, n] (or [n, k] when transB). β = 0 ignores C's old contents (even NaN).
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Ref,
    b: Ref,
    beta: number,
    c: Ref,
  ): void;

  /**
   * C = α·op(A)·op(B) + β·C with op(B) given packed by packB (`packed`: packedLength(k, n) floats): the same
   * numbers as gemm on the unpacked B, without packing it again on every call.
   */
  gemmPacked(
    transA: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Ref,
    packed: Ref,
    beta: number,
    c: Ref,
  ): void;

  /**
   * One Adam(W) update in place: m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
   * p ← p − lr·( (m/bias1) / (√(v/bias2) + eps) + weightDecay·p ).
   */
  adam(n: number, step: AdamStep, param: Ref, grad: Ref, m: Ref, v: Ref): void;
}
