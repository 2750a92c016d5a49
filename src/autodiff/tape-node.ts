/** The tape's record type (one recorded operation) and its options: see tape.ts. */

/** One recorded operation: recompute its outputs, and propagate output gradients to its inputs. */
export interface TapeNode {
  readonly op: string;
  forward(): void;
  backward(): void;
  /**
   * Forward mode (optional): overwrite the tangents of the outputs with ẏ = (∂y/∂x)·ẋ, reading the inputs'
   * `tangent` (null = zero); do nothing when no input has a tangent. Nodes without it cannot lie on the
   * path of a `Tape.jvp`.
   */
  jvp?(): void;
}

export interface TapeOptions {
  /** Record gradients (false: a forward-only tape, e.g. for inference; no gradient buffers). */
  grad?: boolean;
  /** Check every op's outputs and gradients finite and throw an AnomalyError at the first that is not. */
  detectAnomaly?: boolean;
}
