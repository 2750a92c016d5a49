/** Reference fused kernels (float64): softmax cross-entropy, LSTM/GRU pointwise steps, layer norm, Adam. */
import type { AdamStep, Ref } from '../backend.js';

const at = (r: Ref): number => r.storage.base + r.offset;
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** loss_i = −log softmax(logits_i)[label_i], computed as logsumexp(ℓ − max ℓ) − (ℓ_label − max ℓ). */
export function softmaxXent(m: number, c: number, logits: Ref, labels: Ref, probs: Ref, loss: Ref): void {
  const L = logits.storage.array,
    Y = labels.storage.array,
    P = probs.storage.array,
    O = loss.storage.array;
  const lo = at(logits),
    yo = at(labels),
    po = at(probs),
    oo = at(loss);
  for (let i = 0; i < m; i++) {
    const row = lo + i * c;
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, L[row + j]);
    let z = 0;
    for (let j = 0; j < c; j++) {
      const e = Math.exp(L[row + j] - max);
      P[po + i * c + j] = e;
      z += e;
    }
    for (let j = 0; j < c; j++) P[po + i * c + j] /= z;
    const label = Y[yo + i];
    O[oo + i] = Math.log(z) - (L[row + label] - max);
  }
}

/** dlogits_ij += dloss_i·(p_ij − [j = label_i]) */
export function softmaxXentBackward(m: number, c: number, probs: Ref, labels: Ref, dloss: Ref, dlogits: Ref): void {
  const P = probs.storage.array,
    Y = labels.storage.array,
    G = dloss.storage.array,
    D = dlogits.storage.array;
  const po = at(probs),
    yo = at(labels),
    go = at(dloss),
    dO = at(dlogits);
  for (let i = 0; i < m; i++) {
    const g = G[go + i],
      label = Y[yo + i];
    for (let j = 0; j < c; j++) D[dO + i * c + j] += g * (P[po + i * c + j] - (j === label ? 1 : 0));
  }
}

/** LSTM step, gate order i|f|g|o: c = σ(f)c_prev + σ(i)tanh(g), h = σ(o)tanh(c). */
export function lstmForward(b: number, h: number, pre: Ref, cPrev: Ref, act: Ref, c: Ref, tc: Ref, hOut: Ref): void {
  const PRE = pre.storage.array,
    CP = cPrev.storage.array,
    A = act.storage.array;
  const C = c.storage.array,
    TC = tc.storage.array,
    H = hOut.storage.array;
  const preo = at(pre),
    cpo = at(cPrev),
    ao = at(act),
    co = at(c),
    tco = at(tc),
    ho = at(hOut);
  for (let r = 0; r < b; r++) {
    const g4 = r * 4 * h;
    for (let j = 0; j < h; j++) {
      const ig = sigmoid(PRE[preo + g4 + j]);
      const fg = sigmoid(PRE[preo + g4 + h + j]);
      const gg = Math.tanh(PRE[preo + g4 + 2 * h + j]);
      const og = sigmoid(PRE[preo + g4 + 3 * h + j]);
      A[ao + g4 + j] = ig;
      A[ao + g4 + h + j] = fg;
      A[ao + g4 + 2 * h + j] = gg;
      A[ao + g4 + 3 * h + j] = og;
      const cv = fg * CP[cpo + r * h + j] + ig * gg;
      const t = Math.tanh(cv);
      C[co + r * h + j] = cv;
      TC[tco + r * h + j] = t;
      H[ho + r * h + j] = og * t;
    }
  }
}

/** Backward of lstmForward: dc_total = dc + dh·o·(1 − tanh²c); dPre from the gate derivatives. */
export function lstmBackward(
  b: number,
  h: number,
  act: Ref,
  cPrev: Ref,
  tc: Ref,
  dh: Ref,
  dc: Ref | null,
  dPre: Ref,
  dcPrev: Ref | null,
): void {
  const A = act.storage.array,
    CP = cPrev.storage.array,
    TC = tc.storage.array,
    DH = dh.storage.array;
  const DP = dPre.storage.array;
  const ao = at(act),
    cpo = at(cPrev),
    tco = at(tc),
    dho = at(dh),
    dpo = at(dPre);
  for (let r = 0; r < b; r++) {
    const g4 = r * 4 * h;
    for (let j = 0; j < h; j++) {
      const k = r * h + j;
      const ig = A[ao + g4 + j],
        fg = A[ao + g4 + h + j],
        gg = A[ao + g4 + 2 * h + j],
        og = A[ao + g4 + 3 * h + j];
      const t = TC[tco + k],
        g = DH[dho + k];
      const dcv = (dc ? dc.storage.array[at(dc) + k] : 0) + g * og * (1 - t * t);
      DP[dpo + g4 + j] = dcv * gg * ig * (1 - ig);
      DP[dpo + g4 + h + j] = dcv * CP[cpo + k] * fg * (1 - fg);
      DP[dpo + g4 + 2 * h + j] = dcv * ig * (1 - gg * gg);
      DP[dpo + g4 + 3 * h + j] = g * t * og * (1 - og);
      if (dcPrev) dcPrev.storage.array[at(dcPrev) + k] += dcv * fg;
    }
  }
}

/** GRU step, gate order r|z|n: n = tanh(gi_n + r·gh_n), h = (1 − z)·n + z·h_prev. */
export function gruForward(b: number, h: number, gi: Ref, gh: Ref, hPrev: Ref, act: Ref, hOut: Ref): void {
  const GI = gi.storage.array,
    GH = gh.storage.array,
    HP = hPrev.storage.array,
    A = act.storage.array;
  const H = hOut.storage.array;
  const gio = at(gi),
    gho = at(gh),
    hpo = at(hPrev),
    ao = at(act),
    ho = at(hOut);
  for (let row = 0; row < b; row++) {
    const g3 = row * 3 * h;
    for (let j = 0; j < h; j++) {
      const r = sigmoid(GI[gio + g3 + j] + GH[gho + g3 + j]);
      const z = sigmoid(GI[gio + g3 + h + j] + GH[gho + g3 + h + j]);
      const n = Math.tanh(GI[gio + g3 + 2 * h + j] + r * GH[gho + g3 + 2 * h + j]);
      A[ao + g3 + j] = r;
      A[ao + g3 + h + j] = z;
      A[ao + g3 + 2 * h + j] = n;
      H[ho + row * h + j] = (1 - z) * n + z * HP[hpo + row * h + j];
    }
  }
}

/** Backward of gruForward. */
export function gruBackward(
  b: number,
  h: number,
  gh: Ref,
  act: Ref,
  hPrev: Ref,
  dh: Ref,
  dGi: Ref,
  dGh: Ref,
  dhPrev: Ref | null,
): void {
  const GH = gh.storage.array,
    A = act.storage.array,
    HP = hPrev.storage.array,
    DH = dh.storage.array;
  const DGI = dGi.storage.array,
    DGH = dGh.storage.array;
  const gho = at(gh),
    ao = at(act),
    hpo = at(hPrev),
    dho = at(dh),
    dgio = at(dGi),
    dgho = at(dGh);
  for (let row = 0; row < b; row++) {
    const g3 = row * 3 * h;
    for (let j = 0; j < h; j++) {
      const k = row * h + j;
      const r = A[ao + g3 + j],
        z = A[ao + g3 + h + j],
        n = A[ao + g3 + 2 * h + j];
      const g = DH[dho + k];
      const dn = g * (1 - z) * (1 - n * n); // d(pre-activation of n)
      const dz = g * (HP[hpo + k] - n) * z * (1 - z);
      const dr = dn * GH[gho + g3 + 2 * h + j] * r * (1 - r);
      DGI[dgio + g3 + j] = dr;
      DGI[dgio + g3 + h + j] = dz;
      DGI[dgio + g3 + 2 * h + j] = dn;
      DGH[dgho + g3 + j] = dr;
      DGH[dgho + g3 + h + j] = dz;
      DGH[dgho + g3 + 2 * h + j] = dn * r;
      if (dhPrev) dhPrev.storage.array[at(dhPrev) + k] += g * z;
    }
  }
}

/** out = (x − μ)·rstd·gain + bias per row, rstd = 1/√(var + eps) (biased variance, as PyTorch). */
export function layerNorm(
  m: number,
  n: number,
  eps: number,
  x: Ref,
  gain: Ref,
  bias: Ref,
  out: Ref,
  mean: Ref,
  rstd: Ref,
): void {
  const X = x.storage.array,
    G = gain.storage.array,
    B = bias.storage.array,
    O = out.storage.array;
  const xo = at(x),
    go = at(gain),
    bo = at(bias),
    oo = at(out);
  for (let i = 0; i < m; i++) {
    let mu = 0;
    for (let j = 0; j < n; j++) mu += X[xo + i * n + j];
    mu /= n;
    let v = 0;
    for (let j = 0; j < n; j++) v += (X[xo + i * n + j] - mu) ** 2;
    const rs = 1 / Math.sqrt(v / n + eps);
    mean.storage.array[at(mean) + i] = mu;
    rstd.storage.array[at(rstd) + i] = rs;
    for (let j = 0; j < n; j++) O[oo + i * n + j] = (X[xo + i * n + j] - mu) * rs * G[go + j] + B[bo + j];
  }
}

/** dx_i = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = dy·gain; dgain += Σ dy·x̂; dbias += Σ dy. */
export function layerNormBackward(
  m: number,
  n: number,
  x: Ref,
  gain: Ref,
  mean: Ref,
  rstd: Ref,
  dy: Ref,
  dx: Ref | null,
  dgain: Ref | null,
  dbias: Ref | null,
): void {
  const X = x.storage.array,
    G = gain.storage.array,
    DY = dy.storage.array;
  const xo = at(x),
    go = at(gain),
    dyo = at(dy);
  for (let i = 0; i < m; i++) {
    const mu = mean.storage.array[at(mean) + i],
      rs = rstd.storage.array[at(rstd) + i];
    let sg = 0,
      sgx = 0;
    for (let j = 0; j < n; j++) {
      const xh = (X[xo + i * n + j] - mu) * rs;
      const g = DY[dyo + i * n + j] * G[go + j];
      sg += g;
      sgx += g * xh;
      if (dgain) dgain.storage.array[at(dgain) + j] += DY[dyo + i * n + j] * xh;
      if (dbias) dbias.storage.array[at(dbias) + j] += DY[dyo + i * n + j];
    }
    if (!dx) continue;
    sg /= n;
    sgx /= n;
    for (let j = 0; j < n; j++) {
      const xh = (X[xo + i * n + j] - mu) * rs;
      const g = DY[dyo + i * n + j] * G[go + j];
      dx.storage.array[at(dx) + i * n + j] += rs * (g - sg - xh * sgx);
    }
  }
}

/** Adam(W): m ← β1m + (1−β1)g; v ← β2v + (1−β2)g²; p ← p − lr·(m̂/(√v̂ + eps) + wd·p). */
export function adam(n: number, s: AdamStep, param: Ref, grad: Ref, m: Ref, v: Ref): void {
  const P = param.storage.array,
    G = grad.storage.array,
    M = m.storage.array,
    V = v.storage.array;
  const po = at(param),
    go = at(grad),
    mo = at(m),
    vo = at(v);
  for (let i = 0; i < n; i++) {
    const g = G[go + i];
    const mi = s.beta1 * M[mo + i] + (1 - s.beta1) * g;
    const vi = s.beta2 * V[vo + i] + (1 - s.beta2) * g * g;
    M[mo + i] = mi;
    V[vo + i] = vi;
    const p = P[po + i];
    P[po + i] = p - s.lr * (mi / s.bias1 / (Math.sqrt(vi / s.bias2) + s.eps) + s.weightDecay * p);
  }
}
