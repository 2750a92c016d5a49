/**
 * Eigenvalues of a general real square matrix: balancing, Householder reduction to upper Hessenberg
 * form, then Francis double-shift QR iterations (the EISPACK balanc/orthes/hqr path, eigenvalues only).
 *
 * Eigenvalues of a nonsymmetric matrix can be ill-conditioned: a simple eigenvalue moves by about
 * ε‖A‖·κ(λ), and a k-fold defective one (a Jordan block) by about (ε‖A‖)^{1/k}. The algorithm is backward
 * stable, so errors beyond ε‖A‖ reflect the matrix, not the method. For symmetric matrices use
 * `symmetricEigen` (symeig.ts), which also returns eigenvectors.
 */
import { balance, hessenberg } from './hessenberg.js';
import { checkSquare, scale, type Matrix } from './matrix.js';

/** Eigenvalues λⱼ = re[j] + i·im[j]; a complex conjugate pair is adjacent with im > 0 first (unless repeated). */
export type Eigenvalues = { re: Float64Array; im: Float64Array };

const EPS = 2.220446049250313e-16;

/**
 * All n eigenvalues of a real n×n matrix A, the roots of det(A − λI) = 0, with multiplicity.
 *
 *   1. balance:    A ← D⁻¹AD, D a diagonal of powers of 2 equalising row and column norms (exact, no
 *                  rounding; improves accuracy for badly scaled matrices such as companion matrices);
 *   2. Hessenberg: A ← QᵀAQ with Hᵢⱼ = 0 for i > j + 1, by n − 2 Householder similarities;
 *   3. Francis:    implicit double-shift QR steps on the active block, shifts the eigenvalues of its
 *                  trailing 2×2 block (with exceptional shifts after 10 and 30 stalled steps), deflating
 *                  when a subdiagonal entry falls below ε(|Hₗ₋₁,ₗ₋₁| + |Hₗₗ|); 1×1 blocks give real
 *                  eigenvalues, 2×2 blocks a real pair or a complex conjugate pair.
 *
 * Sorted by decreasing modulus |λ|, ties by decreasing real part, then decreasing imaginary part.
 * Cost ≈ 10n³ flops. Throws on non-finite entries or (never seen in practice) non-convergence.
 *
 * @example
 *   eigenvalues(fromRows([[0, -1], [1, 0]]));   // re [0, 0], im [1, −1]
 */
export function eigenvalues(A: Matrix): Eigenvalues {
  checkSquare(A, 'eigenvalues');
  const n = A.rows;
  for (let i = 0; i < A.data.length; i++) {
    if (!Number.isFinite(A.data[i]))
      throw new Error(`eigenvalues: entry (${Math.floor(i / n)}, ${i % n}) is ${A.data[i]}`);
  }
  const h = A.data.slice();
  balance(h, n);
  hessenberg(h, n);
  const re = new Float64Array(n),
    im = new Float64Array(n);
  hqr(h, n, re, im);
  const idx = Array.from({ length: n }, (_, i) => i);
  const mod = idx.map((i) => Math.hypot(re[i], im[i]));
  idx.sort((a, b) => mod[b] - mod[a] || re[b] - re[a] || im[b] - im[a]);
  return { re: Float64Array.from(idx, (i) => re[i]), im: Float64Array.from(idx, (i) => im[i]) };
}

/** The spectral radius ρ(A) = maxⱼ |λⱼ(A)|, the largest eigenvalue modulus (0 for a 0×0 matrix). */
export function spectralRadius(A: Matrix): number {
  const { re, im } = eigenvalues(A);
  let r = 0;
  for (let i = 0; i < re.length; i++) r = Math.max(r, Math.hypot(re[i], im[i]));
  return r;
}

/**
 * A rescaled to spectral radius `target`: (target / ρ(A))·A, so that ρ(result) = target (eigenvalues
 * scale linearly). Throws when ρ(A) = 0 (e.g. a nilpotent matrix), which cannot be rescaled.
 */
export function scaleToSpectralRadius(A: Matrix, target: number): Matrix {
  const rho = spectralRadius(A);
  if (!(rho > 0)) throw new Error(`scaleToSpectralRadius: matrix has spectral radius ${rho}, cannot rescale it`);
  return scale(A, target / rho);
}

/**
 * Francis double-shift QR on an upper Hessenberg matrix (EISPACK hqr / JAMA hqr2 without vectors).
 * Writes the eigenvalues into re/im; H is destroyed.
 */
function hqr(H: Float64Array, nn: number, re: Float64Array, im: Float64Array): void {
  const at = (i: number, j: number): number => H[i * nn + j];
  let norm = 0;
  for (let i = 0; i < nn; i++) for (let j = Math.max(i - 1, 0); j < nn; j++) norm += Math.abs(at(i, j));
  let n = nn - 1,
    exshift = 0,
    iter = 0,
    total = 0;
  const maxTotal = 30 * Math.max(nn, 10);
  let p = 0,
    q = 0,
    r = 0,
    s = 0,
    z = 0,
    w = 0,
    x = 0,
    y = 0;
  while (n >= 0) {
    // Find l: the start of the active unreduced block (a negligible subdiagonal H[l][l−1]).
    let l = n;
    while (l > 0) {
      s = Math.abs(at(l - 1, l - 1)) + Math.abs(at(l, l));
      if (s === 0) s = norm;
      if (Math.abs(at(l, l - 1)) <= EPS * s) break; // ≤: exact zeros deflate even when norm = 0
      l--;
    }
    if (l === n) {
      // one real root
      re[n] = at(n, n) + exshift;
      im[n] = 0;
      n--;
      iter = 0;
    } else if (l === n - 1) {
      // two roots from the trailing 2×2 block
      w = at(n, n - 1) * at(n - 1, n);
      p = (at(n - 1, n - 1) - at(n, n)) / 2;
      q = p * p + w;
      z = Math.sqrt(Math.abs(q));
      x = at(n, n) + exshift;
      if (q >= 0) {
        // real pair; the larger root via p ± z without cancellation, the other as product/it
        z = p >= 0 ? p + z : p - z;
        re[n - 1] = x + z;
        re[n] = z !== 0 ? x - w / z : x + z;
        im[n - 1] = 0;
        im[n] = 0;
      } else {
        // complex conjugate pair
        re[n - 1] = x + p;
        re[n] = x + p;
        im[n - 1] = z;
        im[n] = -z;
      }
      n -= 2;
      iter = 0;
    } else {
      // no convergence yet: a double-shift step on rows/columns l..n
      x = at(n, n);
      y = at(n - 1, n - 1);
      w = at(n, n - 1) * at(n - 1, n);
      if (iter === 10) {
        // Wilkinson's exceptional shift
        exshift += x;
        for (let i = 0; i <= n; i++) H[i * nn + i] -= x;
        s = Math.abs(at(n, n - 1)) + Math.abs(at(n - 1, n - 2));
        x = y = 0.75 * s;
        w = -0.4375 * s * s;
      }
      if (iter === 30) {
        // MATLAB's exceptional shift
        s = (y - x) / 2;
        s = s * s + w;
        if (s > 0) {
          s = Math.sqrt(s);
          if (y < x) s = -s;
          s = x - w / ((y - x) / 2 + s);
          for (let i = 0; i <= n; i++) H[i * nn + i] -= s;
          exshift += s;
          x = y = w = 0.964;
        }
      }
      iter++;
      if (++total > maxTotal) throw new Error(`eigenvalues: QR iterations did not converge (${nn}×${nn} matrix)`);
      // Look for two consecutive small subdiagonal elements (start the bulge at m).
      let m = n - 2;
      for (; m >= l; m--) {
        z = at(m, m);
        r = x - z;
        s = y - z;
        p = (r * s - w) / at(m + 1, m) + at(m, m + 1);
        q = at(m + 1, m + 1) - z - r - s;
        r = at(m + 2, m + 1);
        s = Math.abs(p) + Math.abs(q) + Math.abs(r);
        p /= s;
        q /= s;
        r /= s;
        if (m === l) break;
        const lhs = Math.abs(at(m, m - 1)) * (Math.abs(q) + Math.abs(r));
        const rhs = EPS * (Math.abs(p) * (Math.abs(at(m - 1, m - 1)) + Math.abs(z) + Math.abs(at(m + 1, m + 1))));
        if (lhs < rhs) break;
      }
      for (let i = m + 2; i <= n; i++) {
        H[i * nn + i - 2] = 0;
        if (i > m + 2) H[i * nn + i - 3] = 0;
      }
      // Chase the bulge: 3×3 Householder reflections on rows k..k+2, columns k..k+2.
      for (let k = m; k <= n - 1; k++) {
        const notlast = k !== n - 1;
        if (k !== m) {
          p = at(k, k - 1);
          q = at(k + 1, k - 1);
          r = notlast ? at(k + 2, k - 1) : 0;
          x = Math.abs(p) + Math.abs(q) + Math.abs(r);
          if (x === 0) continue;
          p /= x;
          q /= x;
          r /= x;
        }
        s = Math.sqrt(p * p + q * q + r * r);
        if (p < 0) s = -s;
        if (s === 0) continue;
        if (k !== m) H[k * nn + k - 1] = -s * x;
        else if (l !== m) H[k * nn + k - 1] = -at(k, k - 1);
        p += s;
        x = p / s;
        y = q / s;
        z = r / s;
        q /= p;
        r /= p;
        for (let j = k; j <= n; j++) {
          // row modification (active block only: eigenvalues need no more)
          p = at(k, j) + q * at(k + 1, j);
          if (notlast) {
            p += r * at(k + 2, j);
            H[(k + 2) * nn + j] -= p * z;
          }
          H[k * nn + j] -= p * x;
          H[(k + 1) * nn + j] -= p * y;
        }
        const iEnd = Math.min(n, k + 3);
        for (let i = l; i <= iEnd; i++) {
          // column modification
          p = x * at(i, k) + y * at(i, k + 1);
          if (notlast) {
            p += z * at(i, k + 2);
            H[i * nn + k + 2] -= p * r;
          }
          H[i * nn + k] -= p;
          H[i * nn + k + 1] -= p * q;
        }
      }
    }
  }
}
