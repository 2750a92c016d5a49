/**
 * The teacher's memory horizon: how far back the teacher's output depends on its input.
 *
 * Measured quantity (the sensitivity profile): for lags s = 0..S−1,
 *   m(s) = mean over sequences of ‖∂y_t/∂x_{t−s}‖_F      (an O×I Jacobian, t the last step)
 * on `sequences` sequences of N(0, 1) inputs drawn with the fixed seed 'teacher-memory'. Each sequence runs
 * `warmup` steps first (from h = 0) so that the measured window sees the teacher's stationary state, not
 * its start-up transient; the Jacobians are exact, by a backward pass through the teacher's tanh layers:
 *   δ ← Cᵀ e_o;  for each step back and layer l = L..1:  δ ← δ ⊙ (1 − z_l²);  ∂y_o/∂x = Uᵀδ at l = 1;
 *   δ ← W_lᵀ δ (into the layer below, or the previous step's state after l = 1).
 * Horizon: the first lag after the peak of m at which m falls below `fraction` (default 1 %) of the peak;
 * `censored` when it never does within S lags (then horizon = S). Rate: the least-squares slope of ln m(s)
 * from the peak to the horizon (per step; e-folding memory −1/rate), comparable with ln a for a teacher
 * whose recurrent matrix has every singular value a (teacher.ts, `recurrent: 'orthogonal'`).
 */
import { Rng } from '../tensor/rng.js';
import { parseConfig } from './common.js';
import { teacherConfigSchema, teacherWeights, type TeacherConfig } from './teacher.js';

export interface TeacherMemoryOptions {
  /** Number of lags S measured (default 200). */
  lags?: number;
  /** Sequences averaged (default 64). */
  sequences?: number;
  /** Steps run before the measured window (default 100). */
  warmup?: number;
  /** The horizon is where m(s) falls below fraction × peak (default 0.01). */
  fraction?: number;
}

export interface TeacherMemory {
  /** m(s), s = 0..S−1: mean ‖∂y_t/∂x_{t−s}‖_F. */
  profile: Float64Array;
  /** The lag of the peak of m. */
  peakLag: number;
  /** The first lag after the peak with m < fraction × peak (S when censored). */
  horizon: number;
  /** True when m never fell below the fraction within S lags. */
  censored: boolean;
  /** Least-squares slope of ln m(s) per lag, from the peak to the horizon. */
  rate: number;
  fraction: number;
}

/** Measure the memory horizon of the teacher a config describes (see the file header). */
export function teacherMemory(config: Partial<TeacherConfig> = {}, options: TeacherMemoryOptions = {}): TeacherMemory {
  const c = parseConfig('teacher', teacherConfigSchema, config);
  const { lags: S = 200, sequences = 64, warmup = 100, fraction = 0.01 } = options;
  if (!Number.isInteger(S) || S < 2) throw new Error(`teacherMemory: lags must be an integer >= 2, got ${S}`);
  if (!(fraction > 0 && fraction < 1)) throw new Error(`teacherMemory: fraction must lie in (0, 1), got ${fraction}`);
  const w = teacherWeights(c);
  const { inputSize: I, hiddenSize: H, outputSize: O } = c;
  const L = w.W.length;
  const T = warmup + S;
  const z = new Float64Array(T * L * H); // z[t][l]: the layer outputs, kept for the backward pass
  const x = new Float64Array(I);
  const delta = new Float64Array(H);
  const next = new Float64Array(H);
  const squares = new Float64Array(S); // Σ_o ‖∂y_o/∂x_{t−s}‖² for one sequence
  const profile = new Float64Array(S);
  const rng = new Rng('teacher-memory');
  for (let n = 0; n < sequences; n++) {
    for (let t = 0; t < T; t++) {
      rng.fillNormal(x);
      for (let l = 0; l < L; l++) {
        const below = l > 0 ? (t * L + l - 1) * H : t > 0 ? ((t - 1) * L + L - 1) * H : -1;
        for (let i = 0; i < H; i++) {
          let s = w.b[l][i];
          if (below >= 0) for (let j = 0; j < H; j++) s += w.W[l][i * H + j] * z[below + j];
          if (l === 0) for (let j = 0; j < I; j++) s += w.U[i * I + j] * x[j];
          z[(t * L + l) * H + i] = Math.tanh(s);
        }
      }
    }
    squares.fill(0);
    for (let o = 0; o < O; o++) {
      for (let i = 0; i < H; i++) delta[i] = w.C[o * H + i];
      for (let s = 0; s < S; s++) {
        const t = T - 1 - s;
        for (let l = L - 1; l >= 0; l--) {
          const zo = (t * L + l) * H;
          for (let i = 0; i < H; i++) delta[i] *= 1 - z[zo + i] ** 2; // through tanh
          if (l === 0) {
            for (let j = 0; j < I; j++) {
              let g = 0;
              for (let i = 0; i < H; i++) g += w.U[i * I + j] * delta[i];
              squares[s] += g * g;
            }
          }
          for (let j = 0; j < H; j++) {
            let g = 0;
            for (let i = 0; i < H; i++) g += w.W[l][i * H + j] * delta[i];
            next[j] = g;
          }
          delta.set(next);
        }
      }
    }
    for (let s = 0; s < S; s++) profile[s] += Math.sqrt(squares[s]) / sequences;
  }
  return summarize(profile, fraction);
}

function summarize(profile: Float64Array, fraction: number): TeacherMemory {
  const S = profile.length;
  let peakLag = 0;
  for (let s = 1; s < S; s++) if (profile[s] > profile[peakLag]) peakLag = s;
  let horizon = S;
  for (let s = peakLag + 1; s < S; s++) {
    if (profile[s] < fraction * profile[peakLag]) {
      horizon = s;
      break;
    }
  }
  // least squares of ln m(s) on s over [peakLag, horizon) (at least two points)
  const end = Math.max(Math.min(horizon, S), peakLag + 2);
  let [n, sx, sy, sxx, sxy] = [0, 0, 0, 0, 0];
  for (let s = peakLag; s < Math.min(end, S); s++) {
    const v = Math.log(Math.max(profile[s], Number.MIN_VALUE));
    n++;
    sx += s;
    sy += v;
    sxx += s * s;
    sxy += s * v;
  }
  const rate = n >= 2 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : Number.NaN;
  return { profile, peakLag, horizon, censored: horizon === S, rate, fraction };
}
