/**
 * A deep transition's whole time step as one tape node (cells/deep.ts), recording only what backward needs.
 * The composed step (linear → [layer norm] → σ per layer, then slices, sub, mul, add for highway) keeps every
 * intermediate on the tape with a gradient buffer beside it; these nodes keep, per step and layer:
 *
 *   plain / shortcut / residual   z_l = σ(u_l)                      (σ′ is read from z_l: 1 − z², z(1 − z), [z > 0], 1)
 *   highway (highway-step.ts)     hl, tl and s_l                    (d = hl − s_{l−1} is recomputed in backward)
 *   with layerNorm, also          a_l (the linear output LN reads), mean_l, rstd_l
 *
 * and the output's gradient once per step. Pre-activations, LN outputs, S·h and every intermediate gradient
 * live in a few scratch buffers shared by all steps of a tape (`scratch`): a node uses them only inside one
 * forward or one backward call. Forward and backward call the same kernels, with the same arguments, in the
 * same order as the composed ops do (each intermediate gradient zeroed and then accumulated, as the tape's
 * zeroed gradient buffers are), so values and gradients are bit-identical to the composed step
 * (test/cells/deep-fused.test.ts). No forward mode: the instruments record the cell's composedStep.
 */
import type { Tape } from '../autodiff/tape.js';
import type { Activation } from '../kernels/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { noop } from './elementwise.js';
import { gradOf } from './grad.js';

/** ε of the deep cell's layer norm (ops/fused.ts layerNorm's default). */
export const DEEP_LN_EPS = 1e-5;

/** One layer's parameters: W_l [G·H, H], b_l [G·H], and with layer norm its gain and shift [G·H]. */
export interface DeepLayerParams {
  readonly w: Tensor;
  readonly b: Tensor;
  readonly gain: Tensor | null;
  readonly shift: Tensor | null;
}

/** Gradient buffers (null = not needed) of one layer's parameters, taken at record time. */
export interface DeepLayerGrads {
  w: Tensor | null;
  b: Tensor | null;
  gain: Tensor | null;
  shift: Tensor | null;
}

const scratchByTape = new WeakMap<Tape, Map<string, Tensor>>();

/**
 * A buffer of `size` floats owned by `tape` and shared by every node that asks for the same name and size
 * (freed with the tape). Only for values that do not outlive one forward or one backward call of a node.
 */
export function scratch(tape: Tape, name: string, size: number): Tensor {
  let byName = scratchByTape.get(tape);
  if (!byName) scratchByTape.set(tape, (byName = new Map()));
  const key = `${name}:${size}`;
  let t = byName.get(key);
  if (!t) byName.set(key, (t = tape.tensor([size])));
  return t;
}

/** Every parameter tensor of the layers (the node's inputs besides the step's). */
export const layerParams = (layers: readonly DeepLayerParams[]): Tensor[] =>
  layers.flatMap(({ w, b, gain, shift }) => (gain && shift ? [w, b, gain, shift] : [w, b]));

export const layerGrads = (layers: readonly DeepLayerParams[]): DeepLayerGrads[] =>
  layers.map(({ w, b, gain, shift }) => ({ w: gradOf(w), b: gradOf(b), gain: gradOf(gain), shift: gradOf(shift) }));

/** Per-layer layer-norm saves (a_l [B, W], mean_l, rstd_l [B]); per step when `keep`, else scratch. */
export function lnSaves(tape: Tape, L: number, B: number, width: number, keep: boolean) {
  const at = (name: string, l: number, size: number): Tensor =>
    keep ? tape.tensor([size]) : scratch(tape, `deep.${name}${l % 2}`, size);
  return {
    pre: Array.from({ length: L }, (_, l) => at('pre', l, B * width)),
    mean: Array.from({ length: L }, (_, l) => at('mean', l, B)),
    rstd: Array.from({ length: L }, (_, l) => at('rstd', l, B)),
  };
}

/**
 * Plain, shortcut (skip = S) and residual (residual = ρ; null otherwise) transitions, one step:
 * z_0 = h; u_l = [LN](W_l·z_{l−1} + b_l + [l = 1]·xp_t + [l = L]·S·h); z_l = σ(u_l); h' = z_L or h + ρ·z_L.
 * xpt, h [B, H] → h' [B, H].
 */
export function deepChainStep(
  tape: Tape,
  act: Activation,
  layers: readonly DeepLayerParams[],
  xpt: Tensor,
  h: Tensor,
  skip: Tensor | null,
  residual: number | null,
): Tensor {
  const be = tape.backend,
    L = layers.length,
    [B, H] = h.shape,
    n = B * H;
  const grad = tape.needsGrad(xpt, h, skip, ...layerParams(layers));
  const out = tape.tensor([B, H], grad);
  // z_l per layer: saved per step when backward will read it, else two scratch buffers in turn
  const z = layers.map((_, l) =>
    l === L - 1 && residual === null ? out : grad ? tape.tensor([B, H]) : scratch(tape, `deep.z${l % 2}`, n),
  );
  const ln = layers[0].gain !== null;
  const saves = ln ? lnSaves(tape, L, B, H, grad) : null;
  const a = scratch(tape, 'deep.a', n),
    u = ln ? scratch(tape, 'deep.u', n) : a;
  const sh = skip && L >= 2 ? scratch(tape, 'deep.sh', n) : null;
  const sz = residual !== null && residual !== 1 ? scratch(tape, 'deep.sz', n) : null;

  const forward = (): void => {
    let zin = h;
    for (let l = 0; l < L; l++) {
      const { w, b, gain, shift } = layers[l];
      const addend = l === 0 ? xpt : l === L - 1 ? sh : null;
      if (sh && addend === sh) be.gemm(false, true, B, H, H, 1, h, skip as Tensor, 0, sh); // S·h
      const pre = saves ? saves.pre[l] : a;
      if (addend) be.copy(n, addend, pre);
      be.gemm(false, true, B, H, H, 1, zin, w, addend ? 1 : 0, pre); // W_l·z_{l−1} (+ addend)
      be.addRow(B, H, pre, b, pre); //                                   + b_l
      if (saves && gain && shift) be.layerNorm(B, H, DEEP_LN_EPS, pre, gain, shift, u, saves.mean[l], saves.rstd[l]);
      be.unary(act, n, u, z[l]); //                                      z_l = σ(u_l)
      zin = z[l];
    }
    if (residual === null) return;
    if (sz) be.scale(n, residual, zin, sz, 0);
    be.add(n, h, sz ?? zin, out); // h' = h + ρ·z_L
  };
  forward();

  let backward = noop;
  if (grad) {
    const gout = out.ensureGrad(),
      gh = gradOf(h),
      gxpt = gradOf(xpt),
      gskip = gradOf(skip),
      g = layerGrads(layers);
    const gz = [scratch(tape, 'deep.gz0', n), scratch(tape, 'deep.gz1', n)];
    const gu = scratch(tape, 'deep.gu', n),
      ga = ln ? scratch(tape, 'deep.ga', n) : gu;
    const gsh = sh ? scratch(tape, 'deep.gsh', n) : null;
    const gsz = sz ? scratch(tape, 'deep.gsz', n) : null,
      gzL = residual !== null ? scratch(tape, 'deep.gzL', n) : null;
    backward = () => {
      let gzOut = gout; // ∂z_L
      if (gzL) {
        if (gh) be.axpy(n, 1, gout, gh); // h' = h + r: ∂h += ∂h', ∂r = ∂h'
        const gr = gsz ?? gzL;
        be.fill(n, 0, gr);
        be.axpy(n, 1, gout, gr);
        if (gsz) {
          be.fill(n, 0, gzL);
          be.axpy(n, residual as number, gsz, gzL); // r = ρ·z_L: ∂z_L = ρ·∂r
        }
        gzOut = gzL;
      }
      for (let l = L - 1; l >= 0; l--) {
        const { w, gain } = layers[l];
        const zin = l === 0 ? h : z[l - 1],
          gzIn = l === 0 ? gh : gz[l % 2];
        be.fill(n, 0, gu);
        be.unaryBackward(act, n, z[l], z[l], gzOut, gu); // ∂u_l = σ′(z_l)⊙∂z_l
        if (saves && gain) {
          be.fill(n, 0, ga);
          be.layerNormBackward(B, H, saves.pre[l], gain, saves.mean[l], saves.rstd[l], gu, ga, g[l].gain, g[l].shift);
        }
        if (l === 0 && gxpt) be.axpy(n, 1, ga, gxpt); // ∂xp_t += ∂a_1
        const gshHere = l === L - 1 ? gsh : null;
        if (gshHere) {
          be.fill(n, 0, gshHere);
          be.axpy(n, 1, ga, gshHere); //                   ∂(S·h) = ∂a_L
        }
        if (gzIn) {
          if (l > 0) be.fill(n, 0, gzIn);
          be.gemm(false, false, B, H, H, 1, ga, w, 1, gzIn); // ∂z_{l−1} += ∂a_l·W_l
        }
        const { w: gw, b: gb } = g[l];
        if (gw) be.gemm(true, false, H, H, B, 1, ga, zin, 1, gw); // ∂W_l += ∂a_lᵀ·z_{l−1}
        if (gb) be.sumRows(B, H, ga, 1, gb); //                       ∂b_l += Σ_rows ∂a_l
        if (gshHere) {
          if (gh) be.gemm(false, false, B, H, H, 1, gshHere, skip as Tensor, 1, gh); // ∂h += ∂(S·h)·S
          if (gskip) be.gemm(true, false, H, H, B, 1, gshHere, h, 1, gskip); //        ∂S += ∂(S·h)ᵀ·h
        }
        if (l > 0) gzOut = gzIn as Tensor;
      }
    };
  }
  const inputs = [xpt, h, ...layerParams(layers)];
  if (skip) inputs.push(skip);
  tape.record({ op: 'deepStep', forward, backward }, inputs);
  return out;
}
