/**
 * The highway transition's time step as one tape node (see deep-step.ts for what it saves and why its numbers
 * are the composed step's). Per layer l = 1..L, s_0 = h:
 *
 *   a_l = [LN](R^l·s_{l−1} + b^l + [l = 1]·xp_t)     [B, 2H] = [a_H | a_T]
 *   hl = σ(a_H),  tl = sigmoid(a_T),  s_l = s_{l−1} + tl⊙(hl − s_{l−1})
 *
 * Backward, with d = hl − s_{l−1} recomputed: ∂s_{l−1} += ∂s_l − tl⊙∂s_l (through the add and the sub),
 * ∂tl = ∂s_l⊙d, ∂hl = ∂s_l⊙tl, ∂a = [σ′(hl)⊙∂hl | tl(1 − tl)⊙∂tl], then the linear layer's three products.
 */
import type { Tape } from '../autodiff/tape.js';
import type { Activation } from '../kernels/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { DEEP_LN_EPS, type DeepLayerParams, layerGrads, layerParams, lnSaves, scratch } from './deep-step.js';
import { noop } from './elementwise.js';
import { gradOf } from './grad.js';

/** One highway step: xpt [B, 2H] (W_H·x_t; W_T·x_t), h [B, H] → s_L [B, H]. */
export function highwayStep(
  tape: Tape,
  act: Activation,
  layers: readonly DeepLayerParams[],
  xpt: Tensor,
  h: Tensor,
): Tensor {
  const be = tape.backend,
    L = layers.length,
    [B, H] = h.shape,
    n = B * H,
    n2 = 2 * n,
    H2 = 2 * H;
  const grad = tape.needsGrad(xpt, h, ...layerParams(layers));
  const out = tape.tensor([B, H], grad);
  // hl, tl and s_l per layer: saved per step when backward will read them, else scratch (s_l in turn)
  const keep = (name: string): Tensor => (grad ? tape.tensor([B, H]) : scratch(tape, `deep.${name}`, n));
  const hs = layers.map(() => keep('hl')),
    ts = layers.map(() => keep('tl'));
  const ss = layers.map((_, l) =>
    l === L - 1 ? out : grad ? tape.tensor([B, H]) : scratch(tape, `deep.s${l % 2}`, n),
  );
  const ln = layers[0].gain !== null;
  const saves = ln ? lnSaves(tape, L, B, H2, grad) : null;
  const a = scratch(tape, 'deep.a', n2),
    u = ln ? scratch(tape, 'deep.u', n2) : a;
  const uT = u.view(H, [n2 - H]); // the T half's columns
  const ph = scratch(tape, 'deep.ph', n),
    pt = scratch(tape, 'deep.pt', n),
    d = scratch(tape, 'deep.d', n),
    m = scratch(tape, 'deep.m', n);

  const forward = (): void => {
    let s = h;
    for (let l = 0; l < L; l++) {
      const { w, b, gain, shift } = layers[l];
      const pre = saves ? saves.pre[l] : a;
      if (l === 0) be.copy(n2, xpt, pre);
      be.gemm(false, true, B, H2, H, 1, s, w, l === 0 ? 1 : 0, pre); // R^l·s_{l−1} (+ xp_t)
      be.addRow(B, H2, pre, b, pre); //                                  + b^l
      if (saves && gain && shift) be.layerNorm(B, H2, DEEP_LN_EPS, pre, gain, shift, u, saves.mean[l], saves.rstd[l]);
      be.copyBlock(B, H, u, H2, ph, H, false); // a_H
      be.copyBlock(B, H, uT, H2, pt, H, false); // a_T
      be.unary(act, n, ph, hs[l]); //               hl = σ(a_H)
      be.unary('sigmoid', n, pt, ts[l]); //         tl = sigmoid(a_T)
      be.sub(n, hs[l], s, d); //                    d = hl − s
      be.mul(n, ts[l], d, m); //                    m = tl⊙d
      be.add(n, s, m, ss[l]); //                    s_l = s + m
      s = ss[l];
    }
  };
  forward();

  let backward = noop;
  if (grad) {
    const gout = out.ensureGrad(),
      gh = gradOf(h),
      gxpt = gradOf(xpt),
      g = layerGrads(layers);
    const gs = [scratch(tape, 'deep.gs0', n), scratch(tape, 'deep.gs1', n)];
    const [gm, gtl, gd, ghl, gph, gpt] = ['gm', 'gtl', 'gd', 'ghl', 'gph', 'gpt'].map((k) =>
      scratch(tape, `deep.${k}`, n),
    );
    const gu = scratch(tape, 'deep.gu', n2),
      ga = ln ? scratch(tape, 'deep.ga', n2) : gu;
    const guT = gu.view(H, [n2 - H]);
    backward = () => {
      let gsOut = gout; // ∂s_L
      for (let l = L - 1; l >= 0; l--) {
        const { w, gain } = layers[l];
        const s = l === 0 ? h : ss[l - 1],
          gsIn = l === 0 ? gh : gs[l % 2]; // ∂s_{l−1}
        if (gsIn && l > 0) be.fill(n, 0, gsIn);
        // s_l = s + m
        if (gsIn) be.axpy(n, 1, gsOut, gsIn);
        be.fill(n, 0, gm);
        be.axpy(n, 1, gsOut, gm);
        // m = tl⊙d
        be.sub(n, hs[l], s, d);
        be.fill(n, 0, gtl);
        be.mulAcc(n, gm, d, gtl);
        be.fill(n, 0, gd);
        be.mulAcc(n, gm, ts[l], gd);
        // d = hl − s
        be.fill(n, 0, ghl);
        be.axpy(n, 1, gd, ghl);
        if (gsIn) be.axpy(n, -1, gd, gsIn);
        // tl = sigmoid(a_T), hl = σ(a_H) (σ′ from the outputs)
        be.fill(n, 0, gpt);
        be.unaryBackward('sigmoid', n, ts[l], ts[l], gtl, gpt);
        be.fill(n, 0, gph);
        be.unaryBackward(act, n, hs[l], hs[l], ghl, gph);
        // the two column halves back into ∂a (T half first, as the composed slices' backward runs)
        be.fill(n2, 0, gu);
        be.copyBlock(B, H, gpt, H, guT, H2, true);
        be.copyBlock(B, H, gph, H, gu, H2, true);
        if (saves && gain) {
          be.fill(n2, 0, ga);
          be.layerNormBackward(B, H2, saves.pre[l], gain, saves.mean[l], saves.rstd[l], gu, ga, g[l].gain, g[l].shift);
        }
        if (l === 0 && gxpt) be.axpy(n2, 1, ga, gxpt); // ∂xp_t += ∂a_1
        if (gsIn) be.gemm(false, false, B, H, H2, 1, ga, w, 1, gsIn); // ∂s_{l−1} += ∂a_l·R^l
        const { w: gw, b: gb } = g[l];
        if (gw) be.gemm(true, false, H2, H, B, 1, ga, s, 1, gw); // ∂R^l += ∂a_lᵀ·s_{l−1}
        if (gb) be.sumRows(B, H2, ga, 1, gb); //                   ∂b^l += Σ_rows ∂a_l
        if (l > 0) gsOut = gsIn as Tensor;
      }
    };
  }
  tape.record({ op: 'highwayStep', forward, backward }, [xpt, h, ...layerParams(layers)]);
  return out;
}
