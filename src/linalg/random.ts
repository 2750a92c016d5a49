/**
 * Random matrices for initialisers: Gaussian, Haar-orthogonal and semi-orthogonal.
 * All draw from an explicit seeded `Rng`, so the same seed gives the same matrix everywhere.
 */
import type { Rng } from '../tensor/rng.js';
import { create, transpose, type Matrix } from './matrix.js';
import { qr } from './qr.js';

/** A rows×cols matrix with independent entries Gᵢⱼ ~ N(0, std²), drawn row by row. */
export function gaussianMatrix(rows: number, cols: number, rng: Rng, std = 1): Matrix {
  const G = create(rows, cols);
  rng.fillNormal(G.data, 0, std);
  return G;
}

/**
 * A Haar-distributed (uniformly random) n×n orthogonal matrix: QᵀQ = QQᵀ = I, det Q = ±1 each with
 * probability ½.
 *
 * Q is the orthogonal factor of G = QR for a Gaussian G (Gᵢⱼ ~ N(0, 1)) under the convention
 * diag(R) > 0 (Mezzadri 2007, "How to generate random matrices from the classical compact groups").
 * The convention matters: the distribution of G is invariant under G ↦ UG for orthogonal U, and with
 * diag(R) > 0 the factorisation is unique, so UG = (UQ)R and Q inherits the invariance. Without it
 * (raw Householder signs) Q is biased. `qr` applies exactly that convention.
 *
 * @example
 *   const W = randomOrthogonal(64, new Rng(7));   // e.g. an orthogonal recurrent init
 */
export function randomOrthogonal(n: number, rng: Rng): Matrix {
  if (!Number.isInteger(n) || n < 0) throw new Error(`randomOrthogonal: n must be a non-negative integer, got ${n}`);
  return qr(gaussianMatrix(n, n, rng)).q;
}

/**
 * A random rows×cols matrix with orthonormal columns (rows ≥ cols: WᵀW = I) or orthonormal rows
 * (rows < cols: WWᵀ = I), uniformly distributed on that Stiefel manifold: the first min(rows, cols)
 * columns (rows) of a Haar-orthogonal matrix, obtained as the thin Q of a Gaussian matrix. This is the
 * "orthogonal" initialiser of PyTorch and Keras for non-square weight matrices; multiply by a gain as needed.
 */
export function randomSemiOrthogonal(rows: number, cols: number, rng: Rng): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`randomSemiOrthogonal: sizes must be non-negative integers, got ${rows}×${cols}`);
  }
  if (rows >= cols) return qr(gaussianMatrix(rows, cols, rng)).q;
  return transpose(qr(gaussianMatrix(cols, rows, rng)).q);
}
