/**
 * Fused cell ops: the whole pointwise part of an LSTM or GRU step (and layer normalisation) as one kernel
 * forward and one backward, instead of a dozen small ops. They compute exactly what the composed ops compute
 * (tested against them) and save only what the backward pass needs. Each has a forward mode (jvp) as well:
 * layerNorm's through its kernels, the LSTM's and GRU's from their saved gate values (ops/fused-jvp.ts), so
 * the instruments linearise the very step the model trains with.
 */
import type { Tape } from '../autodiff/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { noop } from './elementwise.js';
import { gradOf } from './grad.js';
import { gruPointwiseJvp, lstmPointwiseJvp } from './fused-jvp.js';

function expectMatrix(op: string, name: string, t: Tensor, rows: number, cols: number): void {
  if (t.rank !== 2 || t.shape[0] !== rows || t.shape[1] !== cols) {
    throw new Error(`${op}: ${name} must be [${rows},${cols}], got ${formatShape(t.shape)}`);
  }
}

/**
 * LSTM pointwise step, PyTorch gate order i|f|g|o. pre [B, 4H] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh,
 * cPrev [B, H] → h = σ(o)⊙tanh(c), c = σ(f)⊙c_prev + σ(i)⊙tanh(g), both [B, H].
 */
export function lstmPointwise(tape: Tape, pre: Tensor, cPrev: Tensor): { h: Tensor; c: Tensor } {
  const [b, h4] = pre.shape,
    h = h4 / 4;
  if (pre.rank !== 2 || h4 % 4 !== 0)
    throw new Error(`lstmPointwise: gates must be [B, 4H], got ${formatShape(pre.shape)}`);
  expectMatrix('lstmPointwise', 'c_prev', cPrev, b, h);
  const be = tape.backend,
    grad = tape.needsGrad(pre, cPrev);
  const hOut = tape.tensor([b, h], grad),
    c = tape.tensor([b, h], grad);
  const act = tape.tensor([b, h4]),
    tc = tape.tensor([b, h]);
  const forward = (): void => be.lstmForward(b, h, pre, cPrev, act, c, tc, hOut);
  forward();
  let backward = noop;
  if (grad) {
    const dh = hOut.ensureGrad(),
      dc = c.ensureGrad();
    const dPre = tape.tensor([b, h4]);
    const gPre = gradOf(pre);
    const gcPrev = gradOf(cPrev);
    backward = () => {
      be.lstmBackward(b, h, act, cPrev, tc, dh, dc, dPre, gcPrev);
      if (gPre) be.axpy(b * h4, 1, dPre, gPre);
    };
  }
  const jvp = (): void => {
    const tp = pre.tangent,
      tcp = cPrev.tangent;
    if (tp || tcp) lstmPointwiseJvp(b, h, act, cPrev, tc, tp, tcp, hOut.ensureTangent(), c.ensureTangent());
  };
  tape.record({ op: 'lstmPointwise', forward, backward, jvp }, [pre, cPrev]);
  return { h: hOut, c };
}

/**
 * GRU pointwise step, PyTorch gate order r|z|n. gi [B, 3H] = x·W_ihᵀ + b_ih, gh [B, 3H] = h·W_hhᵀ + b_hh,
 * hPrev [B, H] → h = (1 − z)⊙n + z⊙h_prev with r = σ(gi_r + gh_r), z = σ(gi_z + gh_z),
 * n = tanh(gi_n + r⊙gh_n).
 */
export function gruPointwise(tape: Tape, gi: Tensor, gh: Tensor, hPrev: Tensor): Tensor {
  const [b, h3] = gi.shape,
    h = h3 / 3;
  if (gi.rank !== 2 || h3 % 3 !== 0)
    throw new Error(`gruPointwise: input gates must be [B, 3H], got ${formatShape(gi.shape)}`);
  expectMatrix('gruPointwise', 'hidden gates', gh, b, h3);
  expectMatrix('gruPointwise', 'h_prev', hPrev, b, h);
  const be = tape.backend,
    grad = tape.needsGrad(gi, gh, hPrev);
  const hOut = tape.tensor([b, h], grad),
    act = tape.tensor([b, h3]);
  const forward = (): void => be.gruForward(b, h, gi, gh, hPrev, act, hOut);
  forward();
  let backward = noop;
  if (grad) {
    const dh = hOut.ensureGrad();
    const dGi = tape.tensor([b, h3]),
      dGh = tape.tensor([b, h3]);
    const ggi = gradOf(gi);
    const ggh = gradOf(gh);
    const ghPrev = gradOf(hPrev);
    backward = () => {
      be.gruBackward(b, h, gh, act, hPrev, dh, dGi, dGh, ghPrev);
      if (ggi) be.axpy(b * h3, 1, dGi, ggi);
      if (ggh) be.axpy(b * h3, 1, dGh, ggh);
    };
  }
  const jvp = (): void => {
    const tgi = gi.tangent,
      tgh = gh.tangent,
      thp = hPrev.tangent;
    if (tgi || tgh || thp) gruPointwiseJvp(b, h, gh, act, hPrev, tgi, tgh, thp, hOut.ensureTangent());
  };
  tape.record({ op: 'gruPointwise', forward, backward, jvp }, [gi, gh, hPrev]);
  return hOut;
}

/**
 * Layer normalisation over the last axis: y = (x − μ)/√(σ² + eps)·gain + bias (biased variance, as
 * PyTorch's nn.LayerNorm). x [..., n]; gain, bias [n].
 */
export function layerNorm(tape: Tape, x: Tensor, gain: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  const n = x.shape[x.rank - 1],
    m = x.size / n;
  if (gain.size !== n || bias.size !== n) {
    throw new Error(
      `layerNorm: gain ${formatShape(gain.shape)} and bias ${formatShape(bias.shape)} must have the last axis of ${formatShape(x.shape)}`,
    );
  }
  const be = tape.backend;
  const y = tape.tensor(x.shape, tape.needsGrad(x, gain, bias));
  const mean = tape.tensor([m]),
    rstd = tape.tensor([m]);
  const forward = (): void => be.layerNorm(m, n, eps, x, gain, bias, y, mean, rstd);
  forward();
  let backward = noop;
  if (y.grad) {
    const gy = y.grad;
    const gx = gradOf(x);
    const gg = gradOf(gain);
    const gb = gradOf(bias);
    backward = () => be.layerNormBackward(m, n, x, gain, mean, rstd, gy, gx, gg, gb);
  }
  // Forward mode: with x̂ = (x − μ)·rstd and P = rstd·(I − 11ᵀ/n − x̂x̂ᵀ/n) (symmetric),
  // ẏ = gain⊙(P·ẋ) + ġain⊙x̂ + ḃias; P·ẋ = rstd·(ẋ − mean ẋ − x̂·mean(ẋ⊙x̂)) is layerNormBackward with unit gain.
  let scratch: { ones: Tensor; zero: Tensor; out: Tensor; mean: Tensor; rstd: Tensor } | null = null;
  const jvp = (): void => {
    const tx = x.tangent,
      tg = gain.tangent,
      tb = bias.tangent;
    if (!tx && !tg && !tb) return;
    const ty = y.ensureTangent();
    scratch ??= {
      ones: tape.tensor([n]).fill(1),
      zero: tape.tensor([n]),
      out: tape.tensor(x.shape),
      mean: tape.tensor([m]),
      rstd: tape.tensor([m]),
    };
    be.fill(m * n, 0, ty);
    if (tx) {
      be.layerNormBackward(m, n, x, scratch.ones, mean, rstd, tx, ty, null, null);
      be.mulRow(m, n, ty, gain, ty);
    }
    if (tg || tb) {
      // ġain⊙x̂ + ḃias is a layer norm of x with gain ġ and bias ḃ
      be.layerNorm(m, n, eps, x, tg ?? scratch.zero, tb ?? scratch.zero, scratch.out, scratch.mean, scratch.rstd);
      be.axpy(m * n, 1, scratch.out, ty);
    }
  };
  tape.record({ op: 'layerNorm', forward, backward, jvp }, [x, gain, bias]);
  return y;
}
