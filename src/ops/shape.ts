/**
 * Shape ops that move data: concatenation and slicing along the last axis, stacking along a new first axis.
 * Their forward-mode jvp moves the tangents the same way (a missing tangent is zero).
 */
import type { Tape } from '../autodiff/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { noop } from './elementwise.js';
import { gradOf } from './grad.js';

/** Concatenate along the last axis: [..., n1], [..., n2], … → [..., n1 + n2 + …]. */
export function concat(tape: Tape, xs: readonly Tensor[]): Tensor {
  if (xs.length === 0) throw new Error('concat: no tensors');
  const lead = xs[0].shape.slice(0, -1);
  for (const x of xs) {
    if (!sameShape(x.shape.slice(0, -1), lead)) {
      throw new Error(`concat: leading dimensions differ: ${xs.map((t) => formatShape(t.shape)).join(' vs ')}`);
    }
  }
  const widths = xs.map((x) => x.shape[x.rank - 1]);
  const total = widths.reduce((s, w) => s + w, 0);
  const rows = xs[0].size / Math.max(1, widths[0]) || lead.reduce((s, d) => s * d, 1);
  const y = tape.tensor([...lead, total], tape.needsGrad(...xs));
  const be = tape.backend;
  const cols: number[] = [];
  let c = 0;
  for (const w of widths) {
    cols.push(c);
    c += w;
  }
  const dst = cols.map((col) => y.view(col, [y.size - col]));
  const forward = (): void => {
    for (let i = 0; i < xs.length; i++) be.copyBlock(rows, widths[i], xs[i], widths[i], dst[i], total, false);
  };
  forward();
  let backward = noop;
  if (y.grad) {
    const gy = y.grad;
    const gsrc = cols.map((col) => gy.view(col, [gy.size - col]));
    const gx = xs.map((x) => gradOf(x));
    backward = () => {
      for (let i = 0; i < xs.length; i++) {
        const g = gx[i];
        if (g) be.copyBlock(rows, widths[i], gsrc[i], total, g, widths[i], true);
      }
    };
  }
  let tdst: Tensor[] | null = null;
  const jvp = (): void => {
    let active = 0;
    for (const x of xs) if (x.tangent) active++;
    if (active === 0) return;
    const ty = y.ensureTangent();
    tdst ??= cols.map((col) => ty.view(col, [ty.size - col]));
    if (active < xs.length) be.fill(ty.size, 0, ty);
    for (let i = 0; i < xs.length; i++) {
      const tx = xs[i].tangent;
      if (tx) be.copyBlock(rows, widths[i], tx, widths[i], tdst[i], total, false);
    }
  };
  tape.record({ op: 'concat', forward, backward, jvp }, xs);
  return y;
}

/** Columns [start, start + length) of the last axis: [..., n] → [..., length]. */
export function slice(tape: Tape, x: Tensor, start: number, length: number): Tensor {
  const n = x.shape[x.rank - 1];
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 1 || start + length > n) {
    throw new Error(`slice: columns [${start}, ${start + length}) out of range for ${formatShape(x.shape)}`);
  }
  const rows = x.size / n,
    be = tape.backend;
  const y = tape.tensor([...x.shape.slice(0, -1), length], tape.needsGrad(x));
  const src = x.view(start, [x.size - start]);
  const forward = (): void => be.copyBlock(rows, length, src, n, y, length, false);
  forward();
  let backward = noop;
  if (y.grad) {
    const gy = y.grad,
      gx = x.ensureGrad().view(start, [x.size - start]);
    backward = () => be.copyBlock(rows, length, gy, length, gx, n, true);
  }
  let tsrc: Tensor | null = null;
  const jvp = (): void => {
    const tx = x.tangent;
    if (!tx) return;
    tsrc ??= tx.view(start, [tx.size - start]);
    be.copyBlock(rows, length, tsrc, n, y.ensureTangent(), length, false);
  };
  tape.record({ op: 'slice', forward, backward, jvp }, [x]);
  return y;
}

/** Split the last axis into `parts` equal chunks (the gates of a fused weight, e.g. i|f|g|o). */
export function chunk(tape: Tape, x: Tensor, parts: number): Tensor[] {
  const n = x.shape[x.rank - 1];
  if (n % parts !== 0)
    throw new Error(`chunk: last axis of ${formatShape(x.shape)} is not divisible into ${parts} parts`);
  const w = n / parts;
  return Array.from({ length: parts }, (_, i) => slice(tape, x, i * w, w));
}

/** Stack same-shape tensors along a new first axis: k × [...] → [k, ...]. */
export function stack(tape: Tape, xs: readonly Tensor[]): Tensor {
  if (xs.length === 0) throw new Error('stack: no tensors');
  for (const x of xs) {
    if (!sameShape(x.shape, xs[0].shape))
      throw new Error(`stack: shapes differ: ${formatShape(xs[0].shape)} vs ${formatShape(x.shape)}`);
  }
  const y = tape.tensor([xs.length, ...xs[0].shape], tape.needsGrad(...xs));
  const be = tape.backend,
    n = xs[0].size;
  const parts = xs.map((_, i) => y.at(i));
  const forward = (): void => {
    for (let i = 0; i < xs.length; i++) be.copy(n, xs[i], parts[i]);
  };
  forward();
  let backward = noop;
  if (y.grad) {
    const gparts = parts.map((p) => p.ensureGrad());
    const gx = xs.map((x) => gradOf(x));
    backward = () => {
      for (let i = 0; i < xs.length; i++) {
        const g = gx[i];
        if (g) be.axpy(n, 1, gparts[i], g);
      }
    };
  }
  let tparts: Tensor[] | null = null;
  const jvp = (): void => {
    if (!xs.some((x) => x.tangent)) return;
    const ty = y.ensureTangent();
    tparts ??= xs.map((_, i) => ty.at(i));
    for (let i = 0; i < xs.length; i++) {
      const tx = xs[i].tangent;
      if (tx) be.copy(n, tx, tparts[i]);
      else be.fill(n, 0, tparts[i]);
    }
  };
  tape.record({ op: 'stack', forward, backward, jvp }, xs);
  return y;
}
