/**
 * Anomaly mode's checks (Tape `detectAnomaly: true`): after a node's forward, every buffer it allocated
 * must be finite; after its backward, every gradient it added into. The first non-finite value throws an
 * AnomalyError naming the op, its place on the tape and the pass — and, in the forward pass, an input that
 * was already non-finite (then the op only passed the problem on: look at where that input came from).
 */
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';

/** The first non-finite value anomaly mode met: which op made it, in which pass. */
export class AnomalyError extends Error {
  constructor(
    /** The op's name (e.g. 'matmul', 'lstmScan'). */
    readonly op: string,
    /** Its position on the tape (recording order). */
    readonly node: number,
    readonly pass: 'forward' | 'backward',
    detail: string,
  ) {
    super(`anomaly: the ${pass} pass of op '${op}' (node ${node}) produced a non-finite value: ${detail}`);
    this.name = 'AnomalyError';
  }
}

/** The first non-finite element of t, as "NaN at index 3 of [32, 16]", or null when all are finite. */
function firstNonFinite(t: Tensor, label: string): string | null {
  if (t.backend.allFinite(t.size, t)) return null;
  for (let i = 0; i < t.size; i++) {
    const v = t.get(i);
    if (!Number.isFinite(v)) return `${v} at index ${i} of ${label} ${formatShape(t.shape)}`;
  }
  return null;
}

const label = (t: Tensor, what: string): string => (t.name ? `${what} "${t.name}"` : what);

/** Throw unless the tensors node i allocated (its outputs) are finite. */
export function checkForward(op: string, i: number, owned: readonly Tensor[], inputs: readonly Tensor[]): void {
  for (const t of owned) {
    const bad = firstNonFinite(t, label(t, 'its output'));
    if (!bad) continue;
    let cause = '';
    for (const x of inputs) {
      const xb = firstNonFinite(x, label(x, 'input'));
      if (xb) {
        cause = ` (${xb} was already non-finite)`;
        break;
      }
    }
    throw new AnomalyError(op, i, 'forward', bad + cause);
  }
}

/** Throw unless the gradients node i wrote into (those of its inputs) are finite. */
export function checkBackward(op: string, i: number, inputs: readonly Tensor[]): void {
  for (const x of inputs) {
    const bad = x.grad && firstNonFinite(x.grad, `the gradient of ${label(x, 'an input')}`);
    if (bad) throw new AnomalyError(op, i, 'backward', bad);
  }
}

/** Throw unless the seed of a backward pass (∂root) is finite. */
export function checkSeed(g: Tensor, nodes: number): void {
  const bad = firstNonFinite(g, 'the seed ∂root');
  if (bad) throw new AnomalyError('backward', nodes, 'backward', bad);
}
