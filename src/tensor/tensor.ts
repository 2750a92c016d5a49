/**
 * Tensor: a dense row-major block of floats with a shape, living in one backend's memory.
 * A tensor may be a view (same storage, an offset) of another; the gradient of a view is the matching
 * view of its base's gradient, so backpropagating into a view (one time step of a [T, B, I] input, say)
 * accumulates straight into the base's gradient without copies.
 */
import type { Backend, Ref, Storage } from '../kernels/backend.js';
import { checkShape, formatShape, shapeSize, type Shape } from './shape.js';

export class Tensor implements Ref {
  /** Number of elements. */
  readonly size: number;
  /** Whether gradients flow to this tensor (parameters, marked inputs, and everything computed from them). */
  requiresGrad = false;
  /** ∂L/∂this after a backward pass (null until a gradient buffer exists). */
  grad: Tensor | null = null;
  /** Optional name used in error messages and serialisation. */
  name = '';
  /** Forward mode: whether this (root) tensor's tangent holds a value in the current `Tape.jvp` pass. */
  tangentActive = false;
  private tangentBuffer: Tensor | null = null;

  constructor(
    readonly backend: Backend,
    readonly shape: Shape,
    readonly storage: Storage,
    readonly offset = 0,
    /** The tensor this one views (its root; never a view itself). */
    readonly viewOf: Tensor | null = null,
  ) {
    checkShape(shape, 'Tensor');
    this.size = shapeSize(shape);
    if (offset < 0 || offset + this.size > storage.length) {
      throw new Error(
        `Tensor: view ${formatShape(shape)} at offset ${offset} exceeds its storage of ${storage.length}`,
      );
    }
  }

  /** A new zero-filled tensor. */
  static zeros(backend: Backend, shape: Shape): Tensor {
    checkShape(shape, 'Tensor.zeros');
    return new Tensor(backend, shape, backend.alloc(shapeSize(shape)));
  }

  /** A new tensor holding `values` (checked finite unless allowNonFinite). */
  static from(
    backend: Backend,
    shape: Shape,
    values: ArrayLike<number>,
    opts: { allowNonFinite?: boolean } = {},
  ): Tensor {
    const t = Tensor.zeros(backend, shape);
    t.set(values, opts);
    return t;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Copy of the values as float64. */
  toArray(): Float64Array {
    const a = this.storage.array,
      o = this.storage.base + this.offset;
    return Float64Array.from(a.subarray(o, o + this.size));
  }

  /** Copy of the values as float32. */
  toFloat32(): Float32Array {
    const a = this.storage.array,
      o = this.storage.base + this.offset;
    return Float32Array.from(a.subarray(o, o + this.size));
  }

  /** Values as nested arrays (for printing and tests). */
  toNested(): unknown {
    const flat = Array.from(this.toArray());
    const build = (dim: number, start: number): unknown => {
      if (dim === this.shape.length) return flat[start];
      const stride = shapeSize(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, start + i * stride));
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor ${formatShape(this.shape)} has ${this.size} elements, not 1`);
    return this.storage.array[this.storage.base + this.offset];
  }

  /** Element `i` of the flattened tensor. */
  get(i: number): number {
    return this.storage.array[this.storage.base + this.offset + i];
  }

  /** Overwrite all values. Non-finite values are refused unless allowNonFinite (the error names the index). */
  set(values: ArrayLike<number>, opts: { allowNonFinite?: boolean } = {}): this {
    const where = (): string => (this.name ? `tensor "${this.name}"` : `tensor ${formatShape(this.shape)}`);
    if (values.length !== this.size) {
      throw new Error(`set: ${where()} has ${this.size} elements, got ${values.length} values`);
    }
    const a = this.storage.array,
      o = this.storage.base + this.offset;
    if (ArrayBuffer.isView(values)) {
      // a typed array (a batch, every training step): one native copy, one check
      a.set(values as unknown as ArrayLike<number>, o);
      if (opts.allowNonFinite || this.backend.allFinite(this.size, this)) return this;
    }
    for (let i = 0; i < this.size; i++) {
      const v = values[i];
      if (!opts.allowNonFinite && !Number.isFinite(v))
        throw new Error(`set: ${where()}: value ${v} at index ${i} is not finite`);
      a[o + i] = v;
      // a finite float64 past ±3.4e38 becomes ±Infinity in a float32 backend's memory
      if (!opts.allowNonFinite && !Number.isFinite(a[o + i]))
        throw new Error(
          `set: ${where()}: value ${v} at index ${i} is beyond the float32 range of the ${this.backend.name} backend (±3.4e38)`,
        );
    }
    return this;
  }

  /**
   * Overwrite all values with a 0/1 mask: any other value is refused, the error naming the tensor and the
   * index (a mask of 2 would silently scale a step instead of switching it on or off).
   */
  setMask(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== 0 && v !== 1)
        throw new Error(
          `set: ${this.name ? `tensor "${this.name}"` : `mask ${formatShape(this.shape)}`}: value ${v} at index ${i} is not 0 or 1 (a mask holds 0/1)`,
        );
    }
    return this.set(values);
  }

  /** Copy values from a tensor of the same size (possibly on another backend). */
  copyFrom(src: Tensor): this {
    if (src.size !== this.size) {
      throw new Error(`copyFrom: sizes differ: ${formatShape(src.shape)} into ${formatShape(this.shape)}`);
    }
    if (src.backend === this.backend) this.backend.copy(this.size, src, this);
    else {
      const a = this.storage.array,
        o = this.storage.base + this.offset;
      const s = src.storage.array,
        so = src.storage.base + src.offset;
      for (let i = 0; i < this.size; i++) a[o + i] = s[so + i];
    }
    return this;
  }

  /** A view of `shape` starting `offset` elements into this tensor (shares memory and gradient). */
  view(offset: number, shape: Shape): Tensor {
    const root = this.viewOf ?? this;
    const v = new Tensor(this.backend, shape, this.storage, this.offset + offset, root);
    if (offset < 0 || offset + v.size > this.size) {
      throw new Error(`view: ${formatShape(shape)} at ${offset} exceeds tensor ${formatShape(this.shape)}`);
    }
    v.requiresGrad = root.requiresGrad;
    v.name = this.name;
    return v;
  }

  /** The i-th slice along the first axis, as a view ([T, B, I] → [B, I] for time step i). */
  at(i: number): Tensor {
    if (!Number.isInteger(i) || i < 0 || i >= this.shape[0]) {
      throw new Error(`at: index ${i} out of range for tensor ${formatShape(this.shape)}`);
    }
    const inner = this.shape.slice(1);
    return this.view(i * shapeSize(inner), inner);
  }

  /** The same data with another shape of the same size (a view). */
  reshape(shape: Shape): Tensor {
    if (shapeSize(shape) !== this.size) {
      throw new Error(`reshape: cannot view ${formatShape(this.shape)} as ${formatShape(shape)}`);
    }
    return this.view(0, shape);
  }

  /** The gradient buffer, allocated (zero) on first use. For a view: the view of the base's gradient. */
  ensureGrad(): Tensor {
    this.grad ??= this.companion((root) => root.ensureGrad());
    return this.grad;
  }

  /** A buffer shaped like this tensor: for a view, the matching view of its root's buffer; else new zeros. */
  private companion(rootBuffer: (root: Tensor) => Tensor): Tensor {
    if (!this.viewOf) return Tensor.zeros(this.backend, this.shape);
    const base = rootBuffer(this.viewOf);
    return new Tensor(this.backend, this.shape, base.storage, base.offset + (this.offset - this.viewOf.offset));
  }

  /**
   * Forward mode: the tangent ẋ = (∂x/∂inputs)·v after `Tape.jvp`, or null when x does not depend on the
   * tangent inputs of the last jvp pass (a zero tangent). For a view: the matching view of its root's tangent.
   */
  get tangent(): Tensor | null {
    return (this.viewOf ?? this).tangentActive ? this.ensureTangent() : null;
  }

  /**
   * The tangent buffer, allocated (zero) on first use and kept for later passes, and marked active (for a
   * view: its root's). Ops' jvp overwrite the whole buffer of their outputs.
   */
  ensureTangent(): Tensor {
    const root = this.viewOf ?? this;
    root.tangentActive = true;
    this.tangentBuffer ??= this.companion((r) => r.ensureTangent());
    return this.tangentBuffer;
  }

  /** Mark this tensor as one whose gradient is wanted (allocates its gradient buffer). */
  markGrad(): this {
    this.requiresGrad = true;
    this.ensureGrad();
    return this;
  }

  /** Fill with one value. */
  fill(value: number): this {
    this.backend.fill(this.size, value, this);
    return this;
  }

  /** Release backend memory (root tensors only; views share their root's memory). */
  dispose(): void {
    if (this.viewOf) return;
    this.backend.free(this.storage);
    if (this.grad) this.backend.free(this.grad.storage);
    if (this.tangentBuffer) this.backend.free(this.tangentBuffer.storage);
    this.grad = null;
    this.tangentBuffer = null;
    this.tangentActive = false;
  }

  toString(): string {
    return `Tensor${formatShape(this.shape)}(${this.backend.name})`;
  }
}
