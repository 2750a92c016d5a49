/**
 * Forward mode (jvp) of the fused LSTM and GRU pointwise steps (ops/fused.ts), from the values their forward
 * kernels save. Forward mode serves the instruments (the step probe's J_k·v), never a training step, so these
 * run on the host, straight on the backend's storage — both backends expose it as a typed array (wasm: a view
 * of its heap, re-read at every call) — instead of adding kernels to the table; the arithmetic is float64,
 * rounded once when stored. A null tangent is zero.
 */
import type { FloatArray, Ref } from '../kernels/backend.js';

/** A Ref as its storage's array and the index of its first element (a missing tangent: none, 0). */
const view = (r: Ref): readonly [FloatArray, number] => [r.storage.array, r.storage.base + r.offset];
const maybe = (r: Ref | null): readonly [FloatArray | undefined, number] => (r ? view(r) : [undefined, 0]);
/** Element i of a tangent, or 0 when there is none. */
const val = (a: FloatArray | undefined, i: number): number => (a ? a[i] : 0);

/**
 * LSTM, gates i|f|g|o with act = (σi, σf, tanh g, σo) [b, 4h] and tc = tanh(c) [b, h]; σ′ = σ(1 − σ):
 *   ċ = σf′·ṗ_f⊙c_prev + σf⊙ċ_prev + σi′·ṗ_i⊙g + σi⊙(1 − g²)·ṗ_g
 *   ḣ = σo′·ṗ_o⊙tanh c + σo⊙(1 − tanh² c)⊙ċ
 */
export function lstmPointwiseJvp(
  b: number,
  h: number,
  act: Ref,
  cPrev: Ref,
  tc: Ref,
  dPre: Ref | null,
  dcPrev: Ref | null,
  dh: Ref,
  dc: Ref,
): void {
  const [A, ao] = view(act),
    [CP, cpo] = view(cPrev),
    [TC, tco] = view(tc);
  const [DP, dpo] = maybe(dPre),
    [DCP, dcpo] = maybe(dcPrev);
  const [DH, dho] = view(dh),
    [DC, dco] = view(dc);
  for (let r = 0; r < b; r++) {
    const g4 = r * 4 * h;
    for (let j = 0; j < h; j++) {
      const k = r * h + j,
        a = ao + g4 + j;
      const i = A[a],
        f = A[a + h],
        g = A[a + 2 * h],
        o = A[a + 3 * h],
        t = TC[tco + k];
      let cDot = DCP ? f * DCP[dcpo + k] : 0,
        oDot = 0;
      if (DP) {
        const p = dpo + g4 + j;
        cDot += f * (1 - f) * DP[p + h] * CP[cpo + k] + i * (1 - i) * DP[p] * g + i * (1 - g * g) * DP[p + 2 * h];
        oDot = o * (1 - o) * DP[p + 3 * h];
      }
      DC[dco + k] = cDot;
      DH[dho + k] = oDot * t + o * (1 - t * t) * cDot;
    }
  }
}

/**
 * GRU, gates r|z|n with act = (r, z, n) [b, 3h], gh = h_prev·W_hhᵀ + b_hh [b, 3h]:
 *   ṙ = r(1 − r)·(ġi_r + ġh_r)    ż = z(1 − z)·(ġi_z + ġh_z)    ṅ = (1 − n²)·(ġi_n + ṙ⊙gh_n + r⊙ġh_n)
 *   ḣ = (1 − z)⊙ṅ + ż⊙(h_prev − n) + z⊙ḣ_prev
 */
export function gruPointwiseJvp(
  b: number,
  h: number,
  gh: Ref,
  act: Ref,
  hPrev: Ref,
  dGi: Ref | null,
  dGh: Ref | null,
  dhPrev: Ref | null,
  dh: Ref,
): void {
  const [GH, gho] = view(gh),
    [A, ao] = view(act),
    [HP, hpo] = view(hPrev);
  const [DGI, dgio] = maybe(dGi),
    [DGH, dgho] = maybe(dGh),
    [DHP, dhpo] = maybe(dhPrev);
  const [DH, dho] = view(dh);
  for (let row = 0; row < b; row++) {
    const g3 = row * 3 * h;
    for (let j = 0; j < h; j++) {
      const k = row * h + j,
        a = ao + g3 + j;
      const r = A[a],
        z = A[a + h],
        n = A[a + 2 * h];
      const x = g3 + j; // the tangents of the pre-activations: ġi + ġh for r and z; ġi_n and ġh_n apart for n
      const rDot = r * (1 - r) * (val(DGI, dgio + x) + val(DGH, dgho + x)),
        zDot = z * (1 - z) * (val(DGI, dgio + x + h) + val(DGH, dgho + x + h));
      const nIn = val(DGI, dgio + x + 2 * h) + rDot * GH[gho + x + 2 * h] + r * val(DGH, dgho + x + 2 * h);
      const nDot = (1 - n * n) * nIn;
      DH[dho + k] = (1 - z) * nDot + zDot * (HP[hpo + k] - n) + z * val(DHP, dhpo + k);
    }
  }
}
