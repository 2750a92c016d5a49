/**
 * Gradient check: compare the tape's gradients with central finite differences,
 * ∂f/∂x_i ≈ (f(x + ε·e_i) − f(x − ε·e_i)) / 2ε, in float64 on the reference backend.
 *
 * The function is recorded once; every perturbed evaluation is a replay of that tape (so a model's
 * whole BPTT can be checked quickly). A non-scalar output is reduced to Σ w⊙y with fixed random w, so
 * that every output element is exercised with a different weight.
 */
import { Tape } from './tape.js';
import { referenceBackend } from '../kernels/reference/index.js';
import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/rng.js';
import { mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';

export interface GradcheckOptions {
  /** Finite-difference step ε (default 1e-5). */
  eps?: number;
  /** Denominator floor of the relative error (default 1e-4): rel = |a − n| / max(|a|, |n|, floor). */
  floor?: number;
  /** Indices of the inputs to check (default: all). */
  wrt?: number[];
  /** Check at most this many elements per input, chosen at random (default: all). */
  maxPerInput?: number;
}

export interface GradcheckWorst {
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradcheckResult {
  /** Largest relative error over all checked elements. */
  maxRelError: number;
  /** Largest absolute error |analytic − numeric|. */
  maxAbsError: number;
  /** Per checked input: its largest relative error. */
  perInput: number[];
  /** The element with the largest relative error. */
  worst: GradcheckWorst | null;
  /** Number of elements compared. */
  checked: number;
}

/**
 * Check the gradients of `fn(tape, ...inputs)` with respect to `inputs`.
 * Inputs are copied to float64 reference tensors first, so the caller's tensors are never changed.
 * @example
 *   const r = gradcheck((tp, x, w) => sum(tp, tanh(tp, matmul(tp, x, w))), [x, w]);
 *   r.maxRelError < 1e-6
 */
export function gradcheck(
  fn: (tape: Tape, ...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckResult {
  const xs = inputs.map((t) => {
    const c = Tensor.zeros(referenceBackend, t.shape).copyFrom(t);
    c.name = t.name;
    return c;
  });
  const wrt = options.wrt ?? inputs.map((_, i) => i);
  for (const i of wrt) xs[i].markGrad();
  try {
    return gradcheckInPlace(
      (tape) => fn(tape, ...xs),
      wrt.map((i) => xs[i]),
      options,
    );
  } finally {
    for (const x of xs) x.dispose();
  }
}

/**
 * Check the gradients of `fn(tape)` with respect to tensors it reads (a model's parameters, say), which
 * must live on the reference backend and require gradients. They are perturbed in place and restored.
 * `perInput` and `worst.input` index into `tensors`.
 */
export function gradcheckInPlace(
  fn: (tape: Tape) => Tensor,
  tensors: readonly Tensor[],
  options: Omit<GradcheckOptions, 'wrt'> = {},
): GradcheckResult {
  const eps = options.eps ?? 1e-5,
    floor = options.floor ?? 1e-4;
  for (const t of tensors) {
    if (t.backend !== referenceBackend)
      throw new Error(`gradcheck: tensor "${t.name}" must be on the reference backend (float64)`);
    if (!t.requiresGrad) throw new Error(`gradcheck: tensor "${t.name}" does not require a gradient`);
  }
  const tape = new Tape(referenceBackend);
  try {
    const out = fn(tape);
    const loss = out.size === 1 ? out : weightedSum(tape, out);
    tape.backward(loss);
    const rng = new Rng(99);
    const result: GradcheckResult = { maxRelError: 0, maxAbsError: 0, perInput: [], worst: null, checked: 0 };
    tensors.forEach((x, i) => {
      const analytic = x.grad ? x.grad.toArray() : new Float64Array(x.size);
      const data = x.storage.array;
      let worstHere = 0;
      for (const j of pickIndices(x.size, options.maxPerInput, rng)) {
        const k = x.storage.base + x.offset + j;
        const saved = data[k];
        data[k] = saved + eps;
        tape.forward();
        const fPlus = loss.item();
        data[k] = saved - eps;
        tape.forward();
        const fMinus = loss.item();
        data[k] = saved;
        const numeric = (fPlus - fMinus) / (2 * eps);
        const a = analytic[j];
        const abs = Math.abs(a - numeric);
        const rel = abs / Math.max(Math.abs(a), Math.abs(numeric), floor);
        result.checked++;
        result.maxAbsError = Math.max(result.maxAbsError, abs);
        worstHere = Math.max(worstHere, rel);
        if (rel > result.maxRelError || Number.isNaN(rel)) {
          result.maxRelError = Number.isNaN(rel) ? Infinity : rel;
          result.worst = { input: i, index: j, analytic: a, numeric };
        }
      }
      result.perInput.push(worstHere);
    });
    tape.forward(); // leave the tape's values consistent with the unperturbed inputs
    return result;
  } finally {
    tape.dispose();
  }
}

function weightedSum(tape: Tape, y: Tensor): Tensor {
  const w = tape.tensor(y.shape);
  new Rng(7).fillUniform(
    w.storage.array.subarray(w.storage.base + w.offset, w.storage.base + w.offset + w.size),
    -1,
    1,
  );
  return sum(tape, mul(tape, y, w));
}

function pickIndices(n: number, max: number | undefined, rng: Rng): number[] {
  if (max === undefined || max >= n) return Array.from({ length: n }, (_, i) => i);
  return Array.from(rng.permutation(n).subarray(0, max));
}
