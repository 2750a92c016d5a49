/**
 * The state trajectory of one sequence in two dimensions: the carried states S_1..S_T of sample 0 (h, and
 * c for the LSTM), centred, projected on their top two principal components.
 *
 *   X = [S_t − S̄]_{t=1..T} (T×D),  C = XᵀX / T,  C v_j = λ_j v_j (λ_1 ≥ λ_2 the largest),
 *   point t = (⟨S_t − S̄, v_1⟩, ⟨S_t − S̄, v_2⟩),  explained = (λ_1 + λ_2) / tr C.
 * Eigenvectors from linalg.symmetricEigen (signs fixed: largest-|·| entry positive), so the picture is
 * deterministic for the same settings.
 */
import { linalg } from '../src/index.js';

export interface Trajectory {
  /** One point per step t = 1..T. */
  points: { t: number; pc1: number; pc2: number }[];
  /** Share of the states' variance the two components carry (0..1; 1 when the states do not move). */
  explained: number;
}

/** Project `states` (T rows of D values each) on their top two principal components. */
export function projectStates(states: readonly Float64Array[]): Trajectory {
  const T = states.length,
    D = states[0]?.length ?? 0;
  const mean = new Float64Array(D);
  for (const s of states) for (let j = 0; j < D; j++) mean[j] += s[j] / T;
  const C = linalg.create(D, D);
  for (const s of states)
    for (let i = 0; i < D; i++) {
      const di = s[i] - mean[i];
      for (let j = 0; j < D; j++) C.data[i * D + j] += (di * (s[j] - mean[j])) / T;
    }
  let trace = 0;
  for (let i = 0; i < D; i++) trace += C.data[i * D + i];
  const { values, vectors } = linalg.symmetricEigen(C);
  const col = (j: number): Float64Array => {
    const v = new Float64Array(D);
    for (let i = 0; i < D; i++) v[i] = vectors.data[i * D + j];
    return v;
  };
  const v1 = col(D - 1),
    v2 = D > 1 ? col(D - 2) : new Float64Array(D);
  const points = states.map((s, k) => {
    let a = 0,
      b = 0;
    for (let j = 0; j < D; j++) {
      a += (s[j] - mean[j]) * v1[j];
      b += (s[j] - mean[j]) * v2[j];
    }
    return { t: k + 1, pc1: a, pc2: b };
  });
  const top = values[D - 1] + (D > 1 ? values[D - 2] : 0);
  return { points, explained: trace > 0 ? Math.min(1, top / trace) : 1 };
}
