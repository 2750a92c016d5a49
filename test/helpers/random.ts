import { referenceBackend } from '../../src/kernels/reference/index.js';
import type { Backend } from '../../src/kernels/backend.js';
import type { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { shapeSize, type Shape } from '../../src/tensor/shape.js';

/** A tensor of U[lo, hi) values on the given backend (reference by default). */
export function randomTensor(rng: Rng, shape: Shape, lo = -1, hi = 1, backend: Backend = referenceBackend): Tensor {
  const v = new Float64Array(shapeSize(shape));
  rng.fillUniform(v, lo, hi);
  return Tensor.from(backend, shape, v);
}

/** Class labels in [0, c) as a float tensor. */
export function randomLabels(rng: Rng, m: number, c: number, backend: Backend = referenceBackend): Tensor {
  return Tensor.from(
    backend,
    [m],
    Array.from({ length: m }, () => rng.int(c)),
  );
}

/** A 0/1 mask with at least one 1. */
export function randomMask(rng: Rng, m: number, backend: Backend = referenceBackend): Tensor {
  const v = Array.from({ length: m }, () => (rng.uniform() < 0.6 ? 1 : 0));
  v[0] = 1;
  return Tensor.from(backend, [m], v);
}
