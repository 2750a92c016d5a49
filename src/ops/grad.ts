/** The gradient prelude every op's recording starts with. */
import type { Tensor } from '../tensor/tensor.js';

/**
 * The gradient buffer of input x that the op's backward adds into (allocated now, at record time), or null
 * when x needs no gradient, or when the output has none (`gy` null; omit gy when the caller knows it has).
 */
export function gradOf(x: Tensor | null | undefined, gy?: Tensor | null): Tensor | null {
  return gy !== null && x?.requiresGrad ? x.ensureGrad() : null;
}
