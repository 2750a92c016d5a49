/**
 * What the page computes, with nothing of the page in it: the same function runs in the browser (web/main.ts)
 * and in Node (test/web/), so the two can be compared number for number.
 *
 *   model   one layer of the chosen transition, H units, seeded init (‖A‖ sets the recurrent spectral norm),
 *           a linear read-out of h_T (the adding problem's many-to-one MSE loss)
 *   batch   B sequences of the adding problem of length T, drawn with the same seed
 *   g_t     ‖∂L/∂h_t‖, batch mean, t = 1..T (diagnostics.gradientThroughTime), with its fitted per-step
 *           rate λ̂ (slope of log g against the lag T − t) and the theory bound β per step (null for gated cells)
 *   λ₁      the top Lyapunov exponent of the step map along the batch's trajectory (QR method)
 *   σ(J_T)  singular values of the last step's Jacobian (sample 0), when the state has ≤ 256 dimensions
 *   path    the states S_1..S_T of sample 0 projected on their top two principal components (trajectory.ts)
 */
import { type Backend, type CellConfig, Model, Rng, type Task, addingTask, diagnostics } from '../src/index.js';
import { projectStates, type Trajectory } from './trajectory.js';

/** The transitions the page offers. */
export const TRANSITIONS = [
  'vanilla-tanh',
  'vanilla-sigmoid',
  'vanilla-relu',
  'vanilla-identity',
  'deep-plain',
  'deep-shortcut',
  'deep-residual',
  'deep-highway',
  'gru',
  'lstm',
  'lru',
] as const;
export type Transition = (typeof TRANSITIONS)[number];

export interface Settings {
  transition: Transition;
  /** Depth L of a deep transition (ignored by the others). */
  depth: number;
  /** Spectral norm ‖A‖ of every recurrent matrix at initialisation (ignored by the LRU). */
  scale: number;
  hidden: number;
  T: number;
  seed: number;
  /** Sequences in the batch (default 8). */
  batch?: number;
}

export const DEFAULT_SETTINGS: Settings = { transition: 'deep-plain', depth: 2, scale: 1, hidden: 32, T: 50, seed: 1 };

export interface Measurement {
  settings: Settings;
  /** t = 1..T and the batch mean of ‖∂L/∂h_t‖ at each. */
  t: number[];
  norm: number[];
  /** Fitted per-step rate λ̂ (per step of lag; < 0 vanishing) and its 95% interval. */
  rate: number;
  rateCi: [number, number];
  /** The fitted line: log g ≈ intercept + rate·(T − t). */
  intercept: number;
  /** Theory bound per step β (null: none for this cell). */
  boundPerStep: number | null;
  /** Top Lyapunov exponent (nats per step). */
  lyapunov: number;
  /** Singular values of J_T for sample 0 (empty when the state is too large). */
  singular: number[];
  /** Sample 0's state trajectory in the plane of its top two principal components. */
  trajectory: Trajectory;
  /** Wall time of the measurement, ms. */
  ms: number;
}

/** The cell config of `s` (the page's transition names are shorthands for these). */
export function cellConfig(s: Settings): CellConfig {
  const init = { kind: 'orthogonal' as const, spectralNorm: s.scale };
  const [family, detail] = s.transition.split('-') as [string, string | undefined];
  if (family === 'vanilla')
    return { kind: 'vanilla', hidden: s.hidden, activation: detail as 'tanh', recurrentInit: init };
  if (family === 'deep')
    return { kind: 'deep', hidden: s.hidden, depth: s.depth, variant: detail as 'plain', recurrentInit: init };
  if (family === 'gru' || family === 'lstm') return { kind: family, hidden: s.hidden, recurrentInit: init };
  return { kind: 'lru', hidden: s.hidden };
}

/**
 * The model the page measures and trains: one layer of the transition and a linear read-out, sized for
 * `task` (default the adding problem: 2 inputs, 1 output, read from h_T).
 */
export function buildModel(s: Settings, backend: Backend, task?: Task): Model {
  const shape = task
    ? { inputSize: task.inputSize, outputSize: task.outputSize, target: task.target }
    : { inputSize: 2, outputSize: 1, target: 'last' as const };
  return new Model({ ...shape, cell: cellConfig(s) }, backend, s.seed);
}

/** Measure the gradient flow of `s` on `backend` (see the header). */
export function measure(s: Settings, backend: Backend): Measurement {
  const start = performance.now();
  const task = addingTask({ T: s.T });
  const batch = task.sample(new Rng(s.seed), s.batch ?? 8);
  const model = buildModel(s, backend);
  try {
    const g = diagnostics.gradientThroughTime(model, task, batch).cells[0];
    const bound = diagnostics.transitionBound(model.layers[0].cells[0]);
    const probe = diagnostics.createStepProbe(model, batch);
    let lyapunov: number, singular: number[], trajectory: Trajectory;
    try {
      const D = probe.D;
      trajectory = projectStates(Array.from({ length: s.T }, (_, k) => probe.state(k + 1).slice(0, D)));
      lyapunov = diagnostics.lyapunovSpectrum(probe, { k: 1 }).exponents[0];
      singular =
        probe.D <= 256 ? Array.from(diagnostics.denseStepJacobians(probe, { steps: [s.T] })[0].singularValues[0]) : [];
    } finally {
      probe.dispose();
    }
    return {
      settings: { ...s },
      t: Array.from({ length: s.T }, (_, i) => i + 1),
      norm: Array.from(g.mean),
      rate: g.fit.slope,
      rateCi: [g.fit.ci[0], g.fit.ci[1]],
      intercept: g.fit.intercept,
      boundPerStep: bound.perStep,
      lyapunov,
      singular,
      trajectory,
      ms: performance.now() - start,
    };
  } finally {
    model.dispose();
  }
}
