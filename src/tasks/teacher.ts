/**
 * Teacher–student: a fixed random teacher RNN maps random input sequences to targets; the student learns it.
 *
 * Inputs x_t ∈ ℝ^I, every entry N(0, 1) i.i.d. (drawn from the sample rng). Teacher state h_0 = 0 ∈ ℝ^H.
 *   kind 'deep', depth L:  z_1 = tanh(W_1·h_{t−1} + U·x_t + b_1)
 *                          z_l = tanh(W_l·z_{l−1} + b_l),  l = 2..L
 *                          h_t = z_L
 *   kind 'vanilla':        the same with L = 1, i.e. h_t = tanh(W_1·h_{t−1} + U·x_t + b_1) (A = W_1, B = U, v = b_1)
 *   readout (linear):      y_t = C·h_t ∈ ℝ^O
 * Weights, drawn once from Rng(teacherSeed) in the order W_1, U, b_1, (W_l, b_l for l = 2..L), C:
 *   recurrent 'gaussian' (default): W_l entries gain·N(0, 1/H) (spectral radius ≈ gain, largest singular
 *     value ≈ 2·gain);
 *   recurrent 'orthogonal': W_l = gain·Q_l with Q_l the orthogonal factor (QR by Gram–Schmidt, diag R > 0,
 *     i.e. Haar-distributed) of the same Gaussian draw: every singular value and eigenvalue modulus is
 *     exactly gain, the "‖A‖ = a" of the study;
 *   U entries inputScale·N(0, 1/I), b_l entries N(0, biasStd²), C entries outputScale·N(0, 1/H).
 * Memory horizon (measured by `teacherMemory`, teacher-memory.ts: the lag at which the mean ‖∂y_t/∂x_{t−s}‖
 * falls below 1 % of its peak). The defaults (gaussian, gain 1, inputScale 1, biasStd 0.1) saturate tanh:
 * horizon 15 steps, per-step log-decay −0.31. `recurrent: 'orthogonal'` makes `gain` a the knob: the
 * sensitivity decays like (a·E[tanh′])^s, so the horizon grows with a (biasStd 0, inputScale 0.1, H 16:
 * 7, 17, 30, 45, 82 steps at a = 0.5, 0.8, 0.9, 0.95, 0.98). In the near-linear regime (biasStd 0 and a
 * small inputScale, with outputScale ≈ 1/inputScale to keep targets of order 1) the measured decay is
 * ln a per step (within 0.01) and the horizon ≈ ln(0.01)/ln(a) (44 at a = 0.9, 90 at 0.95). Biases and
 * large inputs saturate the units and shorten it: a bias b drives the state towards (1 − aQ)⁻¹b.
 * Targets: y_t at every step ('all', [T, B, O]) or only y_T ('last', [B, O]); loss MSE.
 * Baseline: predicting the per-output mean of the targets; its MSE is the target variance, averaged over the
 * O outputs. It is estimated once at construction from fresh inputs drawn with the fixed internal seed
 * 'teacher-baseline': in 'all' mode max(256, ⌈3·10⁴/T⌉) sequences, pooled over steps (including the
 * transient from h_0 = 0); in 'last' mode 2048 sequences; fewer if that would exceed about 2·10⁸
 * multiply-adds, but never fewer than 64. (Relative standard error a few per cent.)
 * Solved: MSE < 0.01 × baseline (the student explains 99 % of the target variance).
 * The forward pass here is plain float64 loops, independent of recur's cells.
 */
import { z } from 'zod';
import { Rng } from '../tensor/rng.js';
import { parseConfig, positiveInt, prepareBatch } from './common.js';
import type { Batch, Task } from './task.js';

export const teacherConfigSchema = z.strictObject({
  T: positiveInt().default(50).describe('sequence length'),
  teacher: z
    .enum(['vanilla', 'deep'])
    .default('vanilla')
    .describe("teacher transition: 'vanilla' tanh RNN or 'deep' transition of depth L"),
  depth: positiveInt().default(2).describe("L, the transition depth of the 'deep' teacher (ignored for 'vanilla')"),
  inputSize: positiveInt().default(4).describe('I, input channels'),
  hiddenSize: positiveInt().default(16).describe('H, teacher state size'),
  outputSize: positiveInt().default(1).describe('O, outputs'),
  gain: z.number().min(0).default(1).describe('scale of W_l: entries gain·N(0, 1/H), or gain·orthogonal'),
  recurrent: z
    .enum(['gaussian', 'orthogonal'])
    .default('gaussian')
    .describe("W_l: 'gaussian' entries, or 'orthogonal' scaled so every singular value is gain"),
  inputScale: z.number().min(0).default(1).describe('scale of the input weights: U entries inputScale·N(0, 1/I)'),
  outputScale: z.number().min(0).default(1).describe('scale of the readout: C entries outputScale·N(0, 1/H)'),
  biasStd: z.number().min(0).default(0.1).describe('standard deviation of the biases'),
  target: z.enum(['all', 'last']).default('all').describe("targets at every step ('all') or the last one"),
  teacherSeed: z.number().int().default(1).describe('seed of the teacher weights (fixed per task instance)'),
});
export type TeacherConfig = z.output<typeof teacherConfigSchema>;

export const teacherDefinition =
  'Teacher–student: a fixed random tanh RNN (vanilla, or a deep transition of depth L) with linear readout ' +
  'maps N(0,1) input sequences to targets y_t = C·h_t; the student must reproduce them (MSE at every step, ' +
  'or the last). Baseline: the target variance (predicting the mean); solved below 0.01 × baseline.';

/** The teacher's weights, row-major: W[l] is H×H, U is H×I, b[l] is H, C is O×H. */
export interface TeacherWeights {
  W: Float64Array[];
  U: Float64Array;
  b: Float64Array[];
  C: Float64Array;
}

/** Draw the teacher's weights from Rng(teacherSeed) (see the file header for the distributions). */
export function teacherWeights(config: Partial<TeacherConfig> = {}): TeacherWeights {
  const c = parseConfig('teacher', teacherConfigSchema, config);
  const { hiddenSize: H, inputSize: I, outputSize: O } = c;
  const L = c.teacher === 'vanilla' ? 1 : c.depth;
  const rng = new Rng(c.teacherSeed);
  const normal = (n: number, std: number): Float64Array => {
    const a = new Float64Array(n);
    rng.fillNormal(a, 0, std);
    return a;
  };
  const recurrent = (): Float64Array => {
    if (c.recurrent === 'gaussian') return normal(H * H, c.gain / Math.sqrt(H));
    return orthogonalize(normal(H * H, 1), H, c.gain); // the draw's scale is immaterial to Q (and gain may be 0)
  };
  const W: Float64Array[] = [recurrent()];
  const U = normal(H * I, c.inputScale / Math.sqrt(I));
  const b: Float64Array[] = [normal(H, c.biasStd)];
  for (let l = 1; l < L; l++) {
    W.push(recurrent());
    b.push(normal(H, c.biasStd));
  }
  const C = normal(O * H, c.outputScale / Math.sqrt(H));
  return { W, U, b, C };
}

/**
 * gain·Q in place, Q the orthogonal factor of the H×H row-major matrix a (modified Gram–Schmidt on its
 * columns; each column keeps its positive projection, so diag R > 0 and Q is Haar for a Gaussian a).
 */
function orthogonalize(a: Float64Array, H: number, gain: number): Float64Array {
  for (let j = 0; j < H; j++) {
    // two projection passes ("twice is enough"): orthogonal to rounding even for ill-conditioned draws
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        let dot = 0;
        for (let r = 0; r < H; r++) dot += a[r * H + i] * a[r * H + j];
        for (let r = 0; r < H; r++) a[r * H + j] -= dot * a[r * H + i];
      }
    }
    let norm = 0;
    for (let r = 0; r < H; r++) norm += a[r * H + j] ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < H; r++) a[r * H + j] /= norm;
  }
  for (let k = 0; k < H * H; k++) a[k] *= gain;
  return a;
}

/** Run the teacher on x [T, B, I], writing y ([T, B, O] when `all`, else [B, O]). Scratch: 2 arrays of H. */
function runTeacher(
  w: TeacherWeights,
  T: number,
  B: number,
  I: number,
  H: number,
  O: number,
  all: boolean,
  x: Float64Array,
  y: Float64Array,
  h: Float64Array,
  z: Float64Array,
): void {
  const L = w.W.length;
  const U = w.U;
  const C = w.C;
  for (let bi = 0; bi < B; bi++) {
    h.fill(0);
    for (let t = 0; t < T; t++) {
      const xo = (t * B + bi) * I;
      for (let l = 0; l < L; l++) {
        const Wl = w.W[l];
        const bl = w.b[l];
        for (let i = 0; i < H; i++) {
          let s = bl[i];
          const row = i * H;
          for (let j = 0; j < H; j++) s += Wl[row + j] * h[j];
          if (l === 0) {
            const ui = i * I;
            for (let j = 0; j < I; j++) s += U[ui + j] * x[xo + j];
          }
          z[i] = Math.tanh(s);
        }
        h.set(z); // h now holds z_l; after the last layer it is h_t
      }
      if (all || t === T - 1) {
        const yo = all ? (t * B + bi) * O : bi * O;
        for (let o = 0; o < O; o++) {
          let s = 0;
          for (let j = 0; j < H; j++) s += C[o * H + j] * h[j];
          y[yo + o] = s;
        }
      }
    }
  }
}

export function teacherTask(config: Partial<TeacherConfig> = {}): Task {
  const c = parseConfig('teacher', teacherConfigSchema, config);
  const { T, inputSize: I, hiddenSize: H, outputSize: O } = c;
  const all = c.target === 'all';
  const w = teacherWeights(c);
  const h = new Float64Array(H);
  const z = new Float64Array(H);
  const yLength = (B: number): number => (all ? T * B * O : B * O);
  const generate = (rng: Rng, B: number, out?: Batch): Batch => {
    const batch = prepareBatch(out, T, B, T * B * I, yLength(B));
    rng.fillNormal(batch.x);
    runTeacher(w, T, B, I, H, O, all, batch.x, batch.y, h, z);
    return batch;
  };
  const baseline = estimateVariance(c, generate);
  const L = w.W.length;
  return {
    name: 'teacher',
    definition:
      `${teacherDefinition} (${c.teacher}${c.teacher === 'deep' ? `, L = ${L}` : ''}, T = ${T}, I = ${I}, H = ${H}, ` +
      `O = ${O}, gain ${c.gain}${c.recurrent === 'orthogonal' ? ' (orthogonal W)' : ''}` +
      `${c.inputScale !== 1 ? `, input scale ${c.inputScale}` : ''}${c.outputScale !== 1 ? `, output scale ${c.outputScale}` : ''}` +
      `, seed ${c.teacherSeed}, target ${c.target})`,
    inputSize: I,
    outputSize: O,
    T,
    loss: 'mse',
    target: c.target,
    metric: 'mse',
    baseline,
    baselineDescription:
      `predicting the mean target: MSE = target variance ≈ ${baseline.toPrecision(4)} ` +
      `(estimated with the fixed seed 'teacher-baseline')`,
    solvedBelow: 0.01 * baseline,
    sample: generate,
    evaluationSet: () => null,
  };
}

/** Target variance per output (pooled over steps and sequences), averaged over outputs; fixed seed. */
function estimateVariance(c: TeacherConfig, generate: (rng: Rng, B: number, out?: Batch) => Batch): number {
  const { T, inputSize: I, hiddenSize: H, outputSize: O } = c;
  const L = c.teacher === 'vanilla' ? 1 : c.depth;
  const perSequence = T * (H * (H + I) + (L - 1) * H * H + (c.target === 'all' ? O * H : 0));
  const wanted = c.target === 'all' ? Math.max(256, Math.ceil(3e4 / T)) : 2048;
  const nSeq = Math.max(64, Math.min(wanted, Math.floor(2e8 / perSequence)));
  const rng = new Rng('teacher-baseline');
  const chunk = Math.min(256, nSeq);
  const sum = new Float64Array(O);
  const sumSq = new Float64Array(O);
  const shift = new Float64Array(O); // the first chunk's mean, subtracted for a stable one-pass variance
  let n = 0;
  let batch: Batch | undefined;
  for (let done = 0; done < nSeq; done += chunk) {
    batch = generate(rng, Math.min(chunk, nSeq - done), batch);
    const rows = batch.y.length / O;
    if (done === 0) {
      for (let r = 0; r < rows; r++) for (let o = 0; o < O; o++) shift[o] += batch.y[r * O + o] / rows;
    }
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < O; o++) {
        const d = batch.y[r * O + o] - shift[o];
        sum[o] += d;
        sumSq[o] += d * d;
      }
    }
    n += rows;
  }
  let v = 0;
  for (let o = 0; o < O; o++) v += sumSq[o] / n - (sum[o] / n) ** 2;
  return v / O;
}
