/**
 * Small dense float64 linear algebra for initialisers and gradient-flow diagnostics:
 * matrices, Householder QR, one-sided Jacobi SVD, general eigenvalues (Hessenberg + Francis QR),
 * symmetric eigen-decomposition (Jacobi), LU solves, random orthogonal matrices.
 */
export {
  type Matrix,
  add,
  checkMatrix,
  checkSquare,
  copy,
  create,
  diag,
  frobeniusNorm,
  fromRows,
  identity,
  matmul,
  matvec,
  maxAbs,
  norm2,
  scale,
  sub,
  toRows,
  transpose,
} from './matrix.js';
export { type QR, qr } from './qr.js';
export { type SVD, type SvdOptions, scaleToSpectralNorm, singularValues, spectralNorm, svd } from './svd.js';
export { type Eigenvalues, eigenvalues, scaleToSpectralRadius, spectralRadius } from './eig.js';
export { type SymmetricEigen, symmetricEigen } from './symeig.js';
export { type LU, determinant, inverse, lu, solve } from './lu.js';
export { gaussianMatrix, randomOrthogonal, randomSemiOrthogonal } from './random.js';
