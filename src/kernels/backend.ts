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

/** Pointwise functions with a derivative. The derivative is computed from the saved output y where possible. */
export type UnaryKind =
  | 'identity' // y = x,            y' = 1
  | 'tanh' //     y = tanh x,       y' = 1 − y²
  | 'sigmoid' //  y = 1/(1+e^−x),   y' = y(1 − y)
  | 'relu' //     y = max(0, x),    y' = [y > 0]
  | 'exp' //      y = eˣ,           y' = y
  | 'neg' //      y = −x,           y' = −1
  | 'square' //   y = x²,           y' = 2x
  | 'sqrt' //     y = √x,           y' = 1/(2y)
  | 'sin' //      y = sin x,        y' = cos x
  | 'cos' //      y = cos x,        y' = −sin x
  | 'oneMinus'; // y = 1 − x,        y' = −1

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

export interface Backend {
  readonly name: 'reference' | 'wasm';
  readonly dtype: 'float64' | 'float32';

  // ---- memory -------------------------------------------------------------------------------------
  /** A new zero-filled block of `length` floats. */
  alloc(length: number): Storage;
  /** Return a block to the backend. Using it afterwards is an error. */
  free(storage: Storage): void;

  // ---- linear algebra -----------------------------------------------------------------------------
  /**
   * C = α·op(A)·op(B) + β·C with op(X) = X or Xᵀ.
   * Shapes: op(A) [m, k], op(B) [k, n], C [m, n]; A is stored [m, k] (or [k, m] when transA),
   * B is stored [k, n] (or [n, k] when transB). β = 0 ignores C's old contents (even NaN).
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: Ref, b: Ref, beta: number, c: Ref): void;
  /** out[i, j] = x[i, j] + row[j]; x, out [m, n]; row [n]. */
  addRow(m: number, n: number, x: Ref, row: Ref, out: Ref): void;
  /** out[i, j] = x[i, j] · row[j]; x, out [m, n]; row [n]. */
  mulRow(m: number, n: number, x: Ref, row: Ref, out: Ref): void;
  /** out[j] = β·out[j] + Σ_i x[i, j]; x [m, n]; out [n] (column sums). β = 0 ignores old contents. */
  sumRows(m: number, n: number, x: Ref, beta: number, out: Ref): void;
  /**
   * Copy a block of `rows`×`cols` between row-major matrices with leading dimensions srcLd/dstLd
   * (element strides between rows); `accumulate` adds instead of overwriting. Used for concat/slice.
   */
  copyBlock(rows: number, cols: number, src: Ref, srcLd: number, dst: Ref, dstLd: number, accumulate: boolean): void;

  // ---- elementwise --------------------------------------------------------------------------------
  /** out[i] = value */
  fill(n: number, value: number, out: Ref): void;
  /** out[i] = x[i] */
  copy(n: number, x: Ref, out: Ref): void;
  /** y[i] += α·x[i] */
  axpy(n: number, alpha: number, x: Ref, y: Ref): void;
  /** out[i] = α·x[i] + β (β default 0) */
  scale(n: number, alpha: number, x: Ref, out: Ref, beta?: number): void;
  /** out[i] = a[i] + b[i] */
  add(n: number, a: Ref, b: Ref, out: Ref): void;
  /** out[i] = a[i] − b[i] */
  sub(n: number, a: Ref, b: Ref, out: Ref): void;
  /** out[i] = a[i] · b[i] */
  mul(n: number, a: Ref, b: Ref, out: Ref): void;
  /** out[i] += a[i] · b[i] */
  mulAcc(n: number, a: Ref, b: Ref, out: Ref): void;
  /** out[i] = f(x[i]) */
  unary(kind: UnaryKind, n: number, x: Ref, out: Ref): void;
  /** dx[i] += dy[i] · f′ evaluated from the saved input x[i] and output y[i]. */
  unaryBackward(kind: UnaryKind, n: number, x: Ref, y: Ref, dy: Ref, dx: Ref): void;
  /** out[i] = min(hi, max(lo, x[i])) */
  clamp(n: number, lo: number, hi: number, x: Ref, out: Ref): void;
  /**
   * Row blend for masks: out[i, j] = mask[i]·a[i, j] + (1 − mask[i])·b[i, j]; mask [m], a, b, out [m, n].
   */
  blend(m: number, n: number, mask: Ref, a: Ref, b: Ref, out: Ref): void;
  /** da[i, j] += mask[i]·dy[i, j]; db[i, j] += (1 − mask[i])·dy[i, j]. Either of da, db may be null. */
  blendBackward(m: number, n: number, mask: Ref, dy: Ref, da: Ref | null, db: Ref | null): void;

  // ---- reductions (return a JS number) ---------------------------------------------------------------
  /** Σ x[i] */
  sum(n: number, x: Ref): number;
  /** Σ x[i]² */
  sumSquares(n: number, x: Ref): number;
  /** Σ a[i]·b[i] */
  dot(n: number, a: Ref, b: Ref): number;
  /** true when every x[i] is finite */
  allFinite(n: number, x: Ref): boolean;

  // ---- losses ---------------------------------------------------------------------------------------
  /**
   * Fused, numerically stable softmax cross-entropy per row (log-sum-exp with the row max subtracted).
   * logits, probs [m, c]; labels [m] holds class indices as floats; loss [m] gets −log softmax(logits)[label].
   * probs receives softmax(logits), saved for the backward pass.
   */
  softmaxXent(m: number, c: number, logits: Ref, labels: Ref, probs: Ref, loss: Ref): void;
  /** dlogits[i, j] += dloss[i]·(probs[i, j] − [j = label_i]) */
  softmaxXentBackward(m: number, c: number, probs: Ref, labels: Ref, dloss: Ref, dlogits: Ref): void;

  // ---- fused cell pointwise work ---------------------------------------------------------------------
  /**
   * LSTM pointwise step (PyTorch gate order i|f|g|o), for a batch of b rows and h units.
   * pre [b, 4h] = x·W_ihᵀ + b_ih + h_prev·W_hhᵀ + b_hh. Writes act [b, 4h] = (σ(i), σ(f), tanh(g), σ(o)),
   * c [b, h] = σ(f)⊙c_prev + σ(i)⊙tanh(g), tc [b, h] = tanh(c), hOut [b, h] = σ(o)⊙tanh(c).
   */
  lstmForward(b: number, h: number, pre: Ref, cPrev: Ref, act: Ref, c: Ref, tc: Ref, hOut: Ref): void;
  /**
   * Backward of lstmForward. dh, dc [b, h] are the incoming gradients of h and c (dc may be null = 0).
   * Writes dPre [b, 4h] (overwrite) and accumulates dcPrev [b, h] (+=) when not null.
   */
  lstmBackward(b: number, h: number, act: Ref, cPrev: Ref, tc: Ref, dh: Ref, dc: Ref | null,
    dPre: Ref, dcPrev: Ref | null): void;
  /**
   * GRU pointwise step (PyTorch gate order r|z|n). gi [b, 3h] = x·W_ihᵀ + b_ih, gh [b, 3h] = h_prev·W_hhᵀ + b_hh.
   * r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r⊙gh_n), hOut = (1 − z)⊙n + z⊙h_prev.
   * Writes act [b, 3h] = (r, z, n) and hOut [b, h].
   */
  gruForward(b: number, h: number, gi: Ref, gh: Ref, hPrev: Ref, act: Ref, hOut: Ref): void;
  /**
   * Backward of gruForward: from dh [b, h] writes dGi, dGh [b, 3h] (overwrite) and accumulates dhPrev (+=,
   * the direct z⊙h_prev path only; the path through gh is the caller's GEMM).
   */
  gruBackward(b: number, h: number, gh: Ref, act: Ref, hPrev: Ref, dh: Ref,
    dGi: Ref, dGh: Ref, dhPrev: Ref | null): void;
  /**
   * Layer normalisation of each row: out = (x − μ)/√(σ² + eps)·gain + bias; x, out [m, n]; gain, bias [n].
   * Saves mean [m] and rstd [m] = 1/√(σ² + eps) for the backward pass.
   */
  layerNorm(m: number, n: number, eps: number, x: Ref, gain: Ref, bias: Ref, out: Ref, mean: Ref, rstd: Ref): void;
  /** Backward of layerNorm: dx += …, dgain += Σ_i dy·x̂, dbias += Σ_i dy (any of the three may be null). */
  layerNormBackward(m: number, n: number, x: Ref, gain: Ref, mean: Ref, rstd: Ref, dy: Ref,
    dx: Ref | null, dgain: Ref | null, dbias: Ref | null): void;

  // ---- optimizers ------------------------------------------------------------------------------------
  /**
   * One Adam(W) update in place: m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
   * p ← p − lr·( (m/bias1) / (√(v/bias2) + eps) + weightDecay·p ).
   */
  adam(n: number, step: AdamStep, param: Ref, grad: Ref, m: Ref, v: Ref): void;
}
