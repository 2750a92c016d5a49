/**
 * Deep transition of depth L (Pascanu et al. 2014, DT-RNN; Zilly et al. 2017, Recurrent Highway Network):
 * an MLP of L layers between h_{t−1} and h_t, so that one time step is L non-linearities deep.
 *
 *   plain      z_1 = σ(W_1·h + b_1 + U·x + b_ih),  z_l = σ(W_l·z_{l−1} + b_l) (l = 2..L),  h' = z_L
 *              (L = 1 is exactly the vanilla cell: same equations, same parameters renamed)
 *   shortcut   DT(S): as plain, but the last layer also reads h:  h' = σ(W_L·z_{L−1} + S·h + b_L).
 *              For L = 1 a shortcut S·h would only add to W_1·h, so the cell is the plain one (no S).
 *   residual   h' = h + ρ·z_L  (z_L of the plain chain; `residualScale` ρ = 1 by default, 'sqrt-depth' gives
 *              ρ = 1/√L). Unscaled, I + J_z has norm above 1 and the gradient grows backwards in time; the
 *              1/√L scale or `layerNorm` keeps the step Jacobian near the identity.
 *   highway    RHN with coupled carry: s_0 = h, and for l = 1..L
 *                hl = σ(R_H^l·s_{l−1} + [l = 1]·W_H·x + b_H^l)          σ = tanh by default
 *                tl = sigmoid(R_T^l·s_{l−1} + [l = 1]·W_T·x + b_T^l)
 *                s_l = hl⊙tl + s_{l−1}⊙(1 − tl)   (computed as s_{l−1} + tl⊙(hl − s_{l−1}))
 *              h' = s_L. b_T^l starts at `transformBias`: the gate starts mostly closed, so the state is
 *              carried (Zilly et al. initialise the transform bias negative: −2 on Penn Treebank, −4 on
 *              enwik8, both at depth 10). Default 'depth-aware': b_T(L) = logit(1 − (1 − σ(−2))^{1/L}), so
 *              that the carry of a whole time step at initialisation, Π_l (1 − t_l) ≈ (1 − σ(b_T))^L, is that
 *              of one micro-layer with b_T = −2 (0.881) at every depth: −2 at L = 1, −3.43 at L = 4, −4.14 at
 *              L = 8 (a fixed −2 at L = 8 would carry only 0.881⁸ = 0.36 of the state per step).
 *   layerNorm  each layer's whole pre-activation a_l (the argument of σ above, biases and shortcut
 *              included; for highway the joint [H-part; T-part] vector of 2H, as Ba et al. 2016 normalise
 *              an LSTM's gates jointly) becomes LN(a_l)·g_l + β_l, g_l = 1 and β_l = 0 at init. For highway
 *              the transform bias then lives in β_l's T half (after the normalisation, where mean
 *              subtraction cannot remove it) and b_T^l starts at 0.
 *
 * Layout (PyTorch's [out, in] weights; G = 2 for highway, 1 otherwise):
 *   weight_ih      [G·H, I]  U  (highway: [W_H; W_T]); hoisted over all T in `project`, one GEMM
 *   bias_ih        [H]       b_ih of the projection (not for highway, whose biases are per layer)
 *   weight_hh_l<l> [G·H, H]  W_l (highway: [R_H^l; R_T^l]), l = 1..L
 *   bias_hh_l<l>   [G·H]     b_l (highway: [b_H^l; b_T^l])
 *   weight_skip    [H, H]    S (shortcut, L ≥ 2 only)
 *   ln_gain_l<l>, ln_bias_l<l>  [G·H]  (layerNorm only)
 * Layer 1 has two biases (b_ih and b_1), as PyTorch's RNN has: it keeps L = 1 identical to the vanilla cell.
 * Init: PyTorch's U(±1/√H) everywhere, except W_l (`recurrentInit`, applied per H×H block) and S (U(±1/√H)).
 *
 * Steps: `step` records each time step as one node that keeps only what backward reads (z_l; highway: hl,
 * tl, s_l; with LN also a_l and its statistics — ops/deep-step.ts), about a quarter (highway: a sixth) of the
 * tape the composed ops record; `composedStep` is the same step from elementary ops (linear, layerNorm, σ,
 * chunk, sub, mul, add), with forward mode, for the instruments. Both give bit-identical numbers.
 * Theory: γ = sup|σ′|; recurrentMatrices = [W_1, …, W_L] (highway: views of the R_H^l blocks); shortcut
 * 'none' (plain; shortcut with L = 1), 'matrix' (S, read it from params.weight_skip), 'identity'
 * (residual), 'gated' (highway). With layerNorm the step Jacobian also contains LN's Jacobian, which the
 * γ·Π‖W_l‖ bound does not account for.
 */
import { z } from 'zod';
import type { Tape } from '../autodiff/tape.js';
import type { Backend } from '../kernels/backend.js';
import type { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  activation,
  add,
  chunk,
  deepChainStep,
  type DeepLayerParams,
  highwayStep,
  layerNorm,
  linear,
  mul,
  scale,
  sigmoid,
  sub,
} from '../ops/index.js';
import type { Cell, CellTheory } from './cell.js';
import { createParam } from './params.js';
import { initRecurrentBlocks, initUniform, recurrentInitSchema } from './init.js';
import { activationSchema, checkSize, finite, oneOf, parseConfig, size } from './schema.js';
import { ACTIVATION_GAMMA } from './vanilla.js';

export const deepConfigSchema = z.strictObject({
  kind: z.literal('deep'),
  hidden: size,
  /** Number of layers L of the transition. */
  depth: size.max(64),
  variant: oneOf(['plain', 'shortcut', 'residual', 'highway']).default('plain'),
  /** σ of every layer (highway: of hl; the gate is always a sigmoid). */
  activation: activationSchema.default('tanh'),
  /** Layer-normalise each layer's pre-activation. */
  layerNorm: z.boolean().default(false),
  /** Initialiser of each W_l (highway: each of R_H^l, R_T^l); default PyTorch's U(±1/√H). */
  recurrentInit: recurrentInitSchema.optional(),
  /** Highway: initial transform-gate bias b_T, a number or 'depth-aware' (see the header). */
  transformBias: z.union([finite, z.literal('depth-aware')]).default('depth-aware'),
  /** Residual: the scale ρ of h' = h + ρ·z_L, a number or 'sqrt-depth' (ρ = 1/√L). */
  residualScale: z.union([finite, z.literal('sqrt-depth')]).default(1),
});
export type DeepConfig = z.input<typeof deepConfigSchema>;
export type DeepVariant = z.output<typeof deepConfigSchema>['variant'];

/** The depth-aware transform bias: logit(1 − (1 − σ(−2))^{1/L}) (see the header). */
export function depthAwareTransformBias(depth: number): number {
  const carry = 1 - 1 / (1 + Math.exp(2)); // 1 − σ(−2) ≈ 0.881
  const t = 1 - carry ** (1 / depth);
  return Math.log(t / (1 - t));
}

/** A deep transition: `step` is one fused tape node per time step, `composedStep` the same step from ops. */
export type DeepCell = Cell & { composedStep(tape: Tape, xpt: Tensor, state: readonly Tensor[]): Tensor[] };

export function createDeepCell(cfg: DeepConfig, inputSize: number, backend: Backend, rng: Rng): DeepCell {
  const c = parseConfig(deepConfigSchema, cfg, 'deep cell');
  const { hidden: H, depth: L, variant, activation: act } = c;
  checkSize('deep cell', 'input size', inputSize);
  const transformBias = c.transformBias === 'depth-aware' ? depthAwareTransformBias(L) : c.transformBias;
  const residualScale = c.residualScale === 'sqrt-depth' ? 1 / Math.sqrt(L) : c.residualScale;
  const highway = variant === 'highway',
    ln = c.layerNorm;
  const G = highway ? 2 : 1;
  const k = 1 / Math.sqrt(H);

  const params: Record<string, Tensor> = {};
  const param = (name: string, shape: number[]): Tensor => (params[name] = createParam(backend, name, shape));
  const weightIh = param('weight_ih', [G * H, inputSize]);
  initUniform(weightIh, k, rng);
  const biasIh = highway ? null : param('bias_ih', [H]);
  if (biasIh) initUniform(biasIh, k, rng);
  const layers: DeepLayerParams[] = [];
  for (let l = 1; l <= L; l++) {
    const w = param(`weight_hh_l${l}`, [G * H, H]);
    initRecurrentBlocks(w, G, H, c.recurrentInit, rng);
    const b = param(`bias_hh_l${l}`, [G * H]);
    initUniform(b, k, rng);
    let gain: Tensor | null = null,
      shift: Tensor | null = null;
    if (ln) {
      gain = param(`ln_gain_l${l}`, [G * H]).fill(1);
      shift = param(`ln_bias_l${l}`, [G * H]);
    }
    // Highway: the transform half of the bias, b_T^l, starts at transformBias (under LN: β_l's T half).
    if (highway) (shift ?? b).view(H, [H]).fill(transformBias);
    if (highway && shift) b.view(H, [H]).fill(0);
    layers.push({ w, b, gain, shift });
  }
  const skip = variant === 'shortcut' && L >= 2 ? param('weight_skip', [H, H]) : null;
  if (skip) initUniform(skip, k, rng);

  const theory: CellTheory = {
    gamma: ACTIVATION_GAMMA[act],
    recurrentMatrices: layers.map(({ w }) => (highway ? w.view(0, [H, H]) : w)),
    shortcut: highway ? 'gated' : variant === 'residual' ? 'identity' : skip ? 'matrix' : 'none',
  };

  /** Pre-activation of layer l (0-based): W_l·z + b_l (+ addend), layer-normalised if configured. */
  const pre = (tape: Tape, l: number, z: Tensor, addend: Tensor | null): Tensor => {
    const { w, b, gain, shift } = layers[l];
    const a = linear(tape, z, w, b, addend); // [B, G·H]
    return gain && shift ? layerNorm(tape, a, gain, shift) : a;
  };

  const composedChain = (tape: Tape, xpt: Tensor, h: Tensor): Tensor => {
    let z = activation(tape, act, pre(tape, 0, h, xpt)); // z_1 [B, H]
    for (let l = 1; l < L; l++) {
      const addend = skip && l === L - 1 ? linear(tape, h, skip) : null; // S·h into the last layer
      z = activation(tape, act, pre(tape, l, z, addend));
    }
    if (variant !== 'residual') return z;
    return add(tape, h, residualScale === 1 ? z : scale(tape, z, residualScale)); // h + ρ·z_L
  };

  const composedHighway = (tape: Tape, xpt: Tensor, h: Tensor): Tensor => {
    let s = h; // s_0 [B, H]
    for (let l = 0; l < L; l++) {
      const [ph, pt] = chunk(tape, pre(tape, l, s, l === 0 ? xpt : null), 2); // [B, H] each
      const hl = activation(tape, act, ph),
        tl = sigmoid(tape, pt);
      s = add(tape, s, mul(tape, tl, sub(tape, hl, s))); // = hl⊙tl + s⊙(1 − tl)
    }
    return s;
  };

  const composedStep = (tape: Tape, xpt: Tensor, [h]: readonly Tensor[]): Tensor[] => [
    highway ? composedHighway(tape, xpt, h) : composedChain(tape, xpt, h),
  ];
  return {
    kind: 'deep',
    inputSize,
    outputSize: H,
    stateSizes: [H],
    params,
    theory,
    // x [T, B, I] → U·x_t + b_ih for every t: [T, B, G·H]
    project: (tape: Tape, x: Tensor) => linear(tape, x, weightIh, biasIh),
    // one node per step that records only what backward needs (ops/deep-step.ts); same numbers as composedStep
    step: (tape: Tape, xpt: Tensor, [h]: readonly Tensor[]) => [
      highway
        ? highwayStep(tape, act, layers, xpt, h)
        : deepChainStep(tape, act, layers, xpt, h, skip, variant === 'residual' ? residualScale : null),
    ],
    // the readable step from elementary ops (what the instruments' forward mode records)
    composedStep,
    forwardModeStep: composedStep,
  };
}
