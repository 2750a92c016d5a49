/**
 * Initialisers. Each takes a seeded Rng and writes into a parameter tensor:
 * - uniform(±k): PyTorch's default for RNN/GRU/LSTM, k = 1/√H;
 * - glorot (Xavier) uniform: U(±√(6/(fan_in + fan_out)));
 * - orthogonal: a Haar-random orthogonal matrix (times a gain);
 * - identity (IRNN, Le et al. 2015): A = gain·I;
 * - spectral: any of the above, then rescaled so that ‖A‖₂ (spectral norm) or ρ(A) (spectral radius)
 *   equals a chosen value — the ‖A‖ of the seed's analysis, set directly.
 */
import { z } from 'zod';
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { randomOrthogonal, spectralNorm, spectralRadius } from '../linalg/index.js';
import { finite, oneOf } from './schema.js';

/** How a recurrent (square) matrix is initialised. */
export const recurrentInitSchema = z
  .strictObject({
    kind: oneOf(['uniform', 'glorot', 'orthogonal', 'identity', 'normal']),
    /** Multiplies the matrix (default 1). For 'normal': entries N(0, gain²/H). */
    gain: finite.optional(),
    /** Rescale afterwards to this spectral norm ‖A‖₂. */
    spectralNorm: finite.min(0).optional(),
    /** Rescale afterwards to this spectral radius ρ(A). */
    spectralRadius: finite.min(0).optional(),
  })
  .refine((v) => v.spectralNorm === undefined || v.spectralRadius === undefined, {
    message: 'give spectralNorm or spectralRadius, not both',
  });
export type RecurrentInit = z.input<typeof recurrentInitSchema>;

/** Write values into a tensor (any backend). */
function write(t: Tensor, values: Float64Array): void {
  t.set(values);
}

/** U(−k, k) entries (PyTorch's RNN default with k = 1/√hidden). */
export function initUniform(t: Tensor, k: number, rng: Rng): void {
  const v = new Float64Array(t.size);
  rng.fillUniform(v, -k, k);
  write(t, v);
}

/** Glorot/Xavier uniform for a matrix [out, in]: U(±gain·√(6/(in + out))). */
export function initGlorot(t: Tensor, rng: Rng, gain = 1): void {
  if (t.rank !== 2) throw new Error(`initGlorot: expected a matrix, got ${formatShape(t.shape)}`);
  const [out, inp] = t.shape;
  initUniform(t, gain * Math.sqrt(6 / (inp + out)), rng);
}

/** Normal entries N(0, std²). */
export function initNormal(t: Tensor, std: number, rng: Rng): void {
  const v = new Float64Array(t.size);
  rng.fillNormal(v, 0, std);
  write(t, v);
}

/** Fill with one constant (biases; LSTM forget-gate bias; highway transform bias). */
export function initConstant(t: Tensor, value: number): void {
  t.fill(value);
}

/** Square matrix check shared by the recurrent initialisers. */
function square(t: Tensor, op: string): number {
  if (t.rank !== 2 || t.shape[0] !== t.shape[1])
    throw new Error(`${op}: expected a square matrix, got ${formatShape(t.shape)}`);
  return t.shape[0];
}

/** A recurrent matrix initialised as `init` says (see RecurrentInit). */
export function initRecurrent(t: Tensor, init: RecurrentInit, rng: Rng): void {
  const n = square(t, 'initRecurrent');
  const gain = init.gain ?? 1;
  const v = new Float64Array(n * n);
  switch (init.kind) {
    case 'uniform':
      rng.fillUniform(v, -gain / Math.sqrt(n), gain / Math.sqrt(n));
      break;
    case 'glorot':
      rng.fillUniform(v, -gain * Math.sqrt(3 / n), gain * Math.sqrt(3 / n));
      break;
    case 'normal':
      rng.fillNormal(v, 0, gain / Math.sqrt(n));
      break;
    case 'identity':
      for (let i = 0; i < n; i++) v[i * n + i] = gain;
      break;
    case 'orthogonal': {
      const q = randomOrthogonal(n, rng);
      for (let i = 0; i < n * n; i++) v[i] = gain * q.data[i];
      break;
    }
  }
  if (init.spectralNorm !== undefined && init.spectralRadius !== undefined) {
    throw new Error('initRecurrent: give spectralNorm or spectralRadius, not both');
  }
  const target = init.spectralNorm ?? init.spectralRadius;
  if (target !== undefined) {
    if (!(target >= 0) || !Number.isFinite(target))
      throw new Error(`initRecurrent: spectral target must be a finite number ≥ 0, got ${target}`);
    const m = { rows: n, cols: n, data: v };
    const current = init.spectralNorm !== undefined ? spectralNorm(m) : spectralRadius(m);
    if (current === 0)
      throw new Error(`initRecurrent: cannot rescale a '${init.kind}' matrix with zero spectrum to ${target}`);
    const s = target / current;
    for (let i = 0; i < v.length; i++) v[i] *= s;
  }
  write(t, v);
}

/**
 * Initialise a stacked [gates·H, H] recurrent weight block by block (so 'orthogonal', 'identity' or a
 * spectral target apply to each gate's H×H matrix); default PyTorch's U(±1/√H).
 */
export function initRecurrentBlocks(
  w: Tensor,
  gates: number,
  H: number,
  init: RecurrentInit | undefined,
  rng: Rng,
): void {
  if (!init) {
    initUniform(w, 1 / Math.sqrt(H), rng);
    return;
  }
  for (let g = 0; g < gates; g++) initRecurrent(w.view(g * H * H, [H, H]), init, rng);
}
