/**
 * The two preparatory steps of the nonsymmetric eigenvalue problem (eig.ts), on a row-major n×n buffer in
 * place: balancing, and Householder reduction to upper Hessenberg form. Both are similarity transforms, so
 * the eigenvalues are unchanged. Internal to linalg (not re-exported).
 */

/**
 * Balancing by diagonal similarity (Parlett & Reinsch; EISPACK balanc without permutations): repeatedly
 * pick for each i a power of two f with c·f ≈ r/f (c, r the off-diagonal column and row 1-norms) and set
 * row i ← row i / f, column i ← column i · f whenever that cuts c + r by more than 5%.
 */
export function balance(a: Float64Array, n: number): void {
  const RADIX = 2,
    SQRDX = RADIX * RADIX;
  for (let done = false, pass = 0; !done && pass < 100; pass++) {
    done = true;
    for (let i = 0; i < n; i++) {
      let c = 0,
        r = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        c += Math.abs(a[j * n + i]);
        r += Math.abs(a[i * n + j]);
      }
      if (c === 0 || r === 0) continue;
      const s = c + r;
      let f = 1,
        g = r / RADIX;
      while (c < g) {
        f *= RADIX;
        c *= SQRDX;
      }
      g = r * RADIX;
      while (c > g) {
        f /= RADIX;
        c /= SQRDX;
      }
      if ((c + r) / f < 0.95 * s) {
        done = false;
        const gi = 1 / f;
        for (let j = 0; j < n; j++) a[i * n + j] *= gi;
        for (let j = 0; j < n; j++) a[j * n + i] *= f;
      }
    }
  }
}

/**
 * Householder reduction to upper Hessenberg form (EISPACK orthes): for m = 1…n−2, with u the scaled
 * column A[m:n, m−1] minus g·e₁, apply the similarity (I − uuᵀ/h)·A·(I − uuᵀ/h). Entries below the
 * subdiagonal are set to zero at the end.
 */
export function hessenberg(a: Float64Array, n: number): void {
  const ort = new Float64Array(n);
  for (let m = 1; m < n - 1; m++) {
    let sc = 0;
    for (let i = m; i < n; i++) sc += Math.abs(a[i * n + m - 1]);
    if (sc === 0) continue;
    let h = 0;
    for (let i = n - 1; i >= m; i--) {
      ort[i] = a[i * n + m - 1] / sc;
      h += ort[i] * ort[i];
    }
    const g = ort[m] > 0 ? -Math.sqrt(h) : Math.sqrt(h);
    h -= ort[m] * g;
    ort[m] -= g;
    // H ← (I − uuᵀ/h) H: rows m..n−1
    for (let j = m; j < n; j++) {
      let f = 0;
      for (let i = n - 1; i >= m; i--) f += ort[i] * a[i * n + j];
      f /= h;
      for (let i = m; i < n; i++) a[i * n + j] -= f * ort[i];
    }
    // H ← H (I − uuᵀ/h): columns m..n−1
    for (let i = 0; i < n; i++) {
      let f = 0;
      for (let j = n - 1; j >= m; j--) f += ort[j] * a[i * n + j];
      f /= h;
      for (let j = m; j < n; j++) a[i * n + j] -= f * ort[j];
    }
    a[m * n + m - 1] = sc * g;
  }
  for (let i = 2; i < n; i++) for (let j = 0; j < i - 1; j++) a[i * n + j] = 0;
}
