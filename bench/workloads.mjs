/**
 * The benchmark workloads of issue 6, defined once for every framework in workloads.json (read here and by
 * torch_bench.py, so the definitions cannot drift apart). float32; time-major x [T, B, input]; the model
 * reads the last hidden state through one linear layer into `classes` logits; loss = mean softmax
 * cross-entropy over the batch; a training step = forward + BPTT + Adam (lr 1e-3).
 *
 *   cell     'lstm' | 'gru' | 'rnn' (tanh) | 'deep' (plain deep transition of `depth` layers; PyTorch runs it
 *            as an explicit loop, bench/torch_bench.py; TF.js does not)
 *   train    false: forward pass only, no gradient (inference)
 *   peers    which frameworks can run it (default: all)
 *   targets  speed ratios recur should reach, per peer ('torch-best': PyTorch's fastest configuration), e.g.
 *            { "torch-best": 1.2 } = recur at least 1.2× as fast; decided on the ratio's bootstrap interval
 * W1–W6 are the benchmark's original workloads (issue 6); S1–S4 the shapes the studies train (issue 15).
 */
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync(new URL('./workloads.json', import.meta.url), 'utf8'));

export const WORKLOADS = spec.workloads;

export const PEERS = ['recur', 'tfjs-wasm', 'tfjs-cpu', 'torch'];

/** Adam's learning rate in every framework (PyTorch's other defaults: β = (0.9, 0.999), ε = 1e-8). */
export const LR = spec.lr;

export function workload(id) {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workload '${id}' (expected one of ${WORKLOADS.map((x) => x.id).join(', ')})`);
  return w;
}

export function runsOn(w, peer) {
  return !w.peers || w.peers.includes(peer);
}

/**
 * Multiply-adds of the workload's matrix products per step (what a BLAS or recur's GEMM does; the pointwise
 * work, the readout and Adam are left out). G gates of H units; a deep transition has L H×H products a step.
 * Forward: the input projection T·B·G·H·I and the recurrent products T·B·G·H·H. Training adds, in backward,
 * ∂h (T·B·G·H·H), ∂W_hh (the same) and ∂W_ih (T·B·G·H·I); x needs no gradient.
 */
export function multiplyAdds(w) {
  const G = { lstm: 4, gru: 3, rnn: 1, deep: 1 }[w.cell];
  const L = w.cell === 'deep' ? w.depth : 1;
  const rows = w.T * w.batch,
    proj = rows * G * w.hidden * w.input,
    rec = rows * L * G * w.hidden * w.hidden;
  return w.train ? 2 * proj + 3 * rec : proj + rec;
}

/** Deterministic data: x ~ U(−1, 1) [T, B, input] and labels in [0, classes) (mulberry32, seeded). */
export function makeData(w, seed = 1234) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const x = new Float64Array(w.T * w.batch * w.input);
  for (let i = 0; i < x.length; i++) x[i] = 2 * next() - 1;
  const y = new Float64Array(w.batch);
  for (let i = 0; i < y.length; i++) y[i] = Math.floor(next() * w.classes);
  return { T: w.T, B: w.batch, x, y };
}
