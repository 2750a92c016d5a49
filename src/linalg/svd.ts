/**
 * Singular value decomposition by one-sided (Hestenes) Jacobi rotations.
 *
 * One-sided Jacobi orthogonalises the columns of A in place by plane rotations applied from the right,
 * A·J₁·J₂⋯ → U·Σ, accumulating V = J₁·J₂⋯. It is slower than bidiagonalisation + QR for large matrices
 * but short, convergent, and accurate: every σᵢ is within a few ε·σ₁ (backward stable), and when
 * A = B·D with B well conditioned and D diagonal (badly scaled columns) even the small σᵢ come out to a
 * few ε relative (Demmel & Veselić 1992). 128×128 with vectors takes about 0.1 s.
 *
 * The columns are held as contiguous rows of a work buffer (the transpose of the row-major input), so the
 * inner loops run over contiguous memory.
 *
 * matrix.ts imports `singularValues` from here for `norm2` (a cycle of function declarations only, which
 * ES modules resolve without trouble).
 */
import { checkMatrix, create, scale, type Matrix } from './matrix.js';

/** A = U·diag(s)·Vᵀ with k = min(m, n): U m×k and V n×k with orthonormal columns, s descending, ≥ 0. */
export type SVD = { u: Matrix; s: Float64Array; v: Matrix };

/** Options for the Jacobi sweeps (the defaults suit every use in recur). */
export type SvdOptions = { maxSweeps?: number };

/**
 * Singular values σ₁ ≥ σ₂ ≥ … ≥ σₖ ≥ 0 of an m×n matrix, k = min(m, n): the square roots of the
 * eigenvalues of AᵀA (or AAᵀ), computed without forming either product.
 */
export function singularValues(A: Matrix, opts: SvdOptions = {}): Float64Array {
  return jacobi(A, false, opts).s;
}

/**
 * The thin SVD A = U·diag(s)·Vᵀ of an m×n matrix (k = min(m, n)):
 *
 *   U: m×k, UᵀU = Iₖ;   V: n×k, VᵀV = Iₖ;   s₁ ≥ … ≥ sₖ ≥ 0;   A vᵢ = sᵢ uᵢ,  Aᵀuᵢ = sᵢ vᵢ.
 *
 * Columns of U belonging to zero singular values are completed to an orthonormal set. Singular vectors
 * of repeated singular values are, as always, determined only up to a rotation within their subspace.
 *
 * @example
 *   const { u, s, v } = svd(A);   // matmul(matmul(u, diag(s)), transpose(v)) ≈ A
 */
export function svd(A: Matrix, opts: SvdOptions = {}): SVD {
  const r = jacobi(A, true, opts);
  return { u: r.u as Matrix, s: r.s, v: r.v as Matrix };
}

/** The spectral norm ‖A‖₂ = σ₁(A), the largest singular value (0 for an empty matrix). */
export function spectralNorm(A: Matrix): number {
  const s = singularValues(A);
  return s.length === 0 ? 0 : s[0];
}

/**
 * A rescaled to spectral norm `target`: (target / σ₁(A))·A, so that ‖result‖₂ = target.
 * Throws for a zero matrix, which cannot be rescaled.
 */
export function scaleToSpectralNorm(A: Matrix, target: number): Matrix {
  const s1 = spectralNorm(A);
  if (!(s1 > 0)) throw new Error(`scaleToSpectralNorm: matrix has spectral norm ${s1}, cannot rescale it`);
  return scale(A, target / s1);
}

type JacobiResult = { s: Float64Array; u: Matrix | null; v: Matrix | null };

/**
 * Hestenes' method on the k vectors w₀…w_{k−1} of length L (columns of A if m ≥ n, else rows of A,
 * i.e. columns of Aᵀ). For each pair (p, q) with α = ‖w_p‖², β = ‖w_q‖², γ = w_p·w_q, the rotation
 *
 *   ζ = (β − α) / 2γ,   t = sign(ζ) / (|ζ| + √(1 + ζ²)),   c = 1/√(1 + t²),   s = c·t
 *   w_p ← c·w_p − s·w_q,   w_q ← s·w_p + c·w_q
 *
 * makes w_p ⊥ w_q. Sweeps repeat until every pair has |γ| ≤ tol·√(αβ) with tol = L·ε (the rounding
 * floor of a length-L dot product). Then σᵢ = ‖wᵢ‖, left vectors wᵢ/σᵢ, right vectors the rotated Iₖ.
 */
function jacobi(A: Matrix, wantVectors: boolean, opts: SvdOptions): JacobiResult {
  checkMatrix(A, 'svd');
  const m = A.rows,
    n = A.cols,
    a = A.data;
  const tall = m >= n;
  const k = Math.min(m, n),
    L = Math.max(m, n);
  // Scale into [−1, 1] so that squared norms can neither overflow nor underflow.
  let amax = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (!Number.isFinite(v)) throw new Error(`svd: entry (${Math.floor(i / n)}, ${i % n}) is ${a[i]}`);
    if (v > amax) amax = v;
  }
  const w = new Float64Array(k * L);
  const inv = amax > 0 ? 1 / amax : 1;
  if (tall) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[j * L + i] = a[i * n + j] * inv;
  else for (let i = 0; i < a.length; i++) w[i] = a[i] * inv;
  const vt = wantVectors ? new Float64Array(k * k) : null; // rows are the right vectors (of the tall problem)
  if (vt) for (let i = 0; i < k; i++) vt[i * k + i] = 1;

  const tol = L * 2.220446049250313e-16;
  const maxSweeps = opts.maxSweeps ?? 80;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < k - 1; p++) {
      const op = p * L;
      for (let q = p + 1; q < k; q++) {
        const oq = q * L;
        let alpha = 0,
          beta = 0,
          gamma = 0;
        for (let i = 0; i < L; i++) {
          const x = w[op + i],
            y = w[oq + i];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        // for huge ζ, √(1 + ζ²) would overflow; t ≈ 1/(2ζ) there
        const t =
          Math.abs(zeta) > 1e150
            ? 1 / (2 * zeta)
            : (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t),
          s = c * t;
        for (let i = 0; i < L; i++) {
          const x = w[op + i],
            y = w[oq + i];
          w[op + i] = c * x - s * y;
          w[oq + i] = s * x + c * y;
        }
        if (vt) {
          const vp = p * k,
            vq = q * k;
          for (let i = 0; i < k; i++) {
            const x = vt[vp + i],
              y = vt[vq + i];
            vt[vp + i] = c * x - s * y;
            vt[vq + i] = s * x + c * y;
          }
        }
      }
    }
    if (!rotated) break;
  }

  // σᵢ = ‖wᵢ‖ (scaled back), sorted descending.
  const sig = new Float64Array(k);
  for (let j = 0; j < k; j++) sig[j] = norm(w, j * L, L);
  const order = Array.from({ length: k }, (_, j) => j).sort((x, y) => sig[y] - sig[x] || x - y);
  const s = new Float64Array(k);
  for (let j = 0; j < k; j++) s[j] = sig[order[j]] * amax;
  if (!vt) return { s, u: null, v: null };

  // Left vectors (of the tall problem) wᵢ/σᵢ, in sorted order. Columns that are zero, or so small (in the
  // problem scaled to max|aᵢⱼ| = 1) that they hold subnormal numbers and no direction, are completed instead.
  const TINY = 1e-280;
  const left = new Float64Array(k * L);
  const have: boolean[] = [];
  for (let j = 0; j < k; j++) {
    const src = order[j],
      sj = sig[src];
    have.push(sj > TINY);
    if (sj > TINY) for (let i = 0; i < L; i++) left[j * L + i] = w[src * L + i] / sj;
  }
  completeOrthonormal(left, have, k, L);
  const big = create(L, k),
    small = create(k, k); // vectors as columns
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < L; i++) big.data[i * k + j] = left[j * L + i];
    for (let i = 0; i < k; i++) small.data[i * k + j] = vt[order[j] * k + i];
  }
  // Tall: A = (left)Σ(right)ᵀ. Wide: Aᵀ = (left)Σ(right)ᵀ, so A = (right)Σ(left)ᵀ.
  return tall ? { s, u: big, v: small } : { s, u: small, v: big };
}

/** Euclidean norm of buf[off : off+len], scaled against overflow. */
function norm(buf: Float64Array, off: number, len: number): number {
  let mx = 0;
  for (let i = 0; i < len; i++) mx = Math.max(mx, Math.abs(buf[off + i]));
  if (mx === 0) return 0;
  let ss = 0;
  for (let i = 0; i < len; i++) {
    const t = buf[off + i] / mx;
    ss += t * t;
  }
  return mx * Math.sqrt(ss);
}

/**
 * Fill the vectors j with have[j] = false (k vectors of length L, stored as rows of `vecs`) so that all k
 * are orthonormal: Gram–Schmidt (applied twice, "twice is enough") of standard basis vectors e₀, e₁, …
 * against the vectors already present, keeping the first candidate whose residual has norm ≥ 1/(2√L).
 * Such a candidate always remains: with r vectors present, Σₜ ‖P eₜ‖² = L − r ≥ 1 over the complement
 * projector P, so some untried eₜ has ‖P eₜ‖ ≥ 1/√L (residuals only shrink as vectors are added).
 */
function completeOrthonormal(vecs: Float64Array, have: boolean[], k: number, L: number): void {
  let next = 0; // next standard basis vector to try
  for (let j = 0; j < k; j++) {
    if (have[j]) continue;
    const o = j * L;
    for (;;) {
      if (next >= L) throw new Error('svd: could not complete the singular vectors (internal error)');
      vecs.fill(0, o, o + L);
      vecs[o + next++] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let r = 0; r < k; r++) {
          if (!have[r]) continue;
          let d = 0;
          for (let i = 0; i < L; i++) d += vecs[r * L + i] * vecs[o + i];
          for (let i = 0; i < L; i++) vecs[o + i] -= d * vecs[r * L + i];
        }
      }
      const nv = norm(vecs, o, L);
      if (nv >= 0.5 / Math.sqrt(L)) {
        for (let i = 0; i < L; i++) vecs[o + i] /= nv;
        break;
      }
    }
    have[j] = true;
  }
}
