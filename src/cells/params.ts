/** Parameter tensors: named, requiring gradients, gradient buffer allocated up front. */
import type { Backend } from '../kernels/backend.js';
import { Tensor } from '../tensor/tensor.js';
import type { Shape } from '../tensor/shape.js';

/** A new zero parameter tensor named `name` (initialise it with one of `cells/init.ts`). */
export function createParam(backend: Backend, name: string, shape: Shape): Tensor {
  const t = Tensor.zeros(backend, shape);
  t.name = name;
  return t.markGrad();
}

/** Throw a clear error unless `value` is a positive integer (sizes in cell configs). */
export function expectPositiveInt(where: string, field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${where}: ${field} must be a positive integer, got ${value}`);
}
