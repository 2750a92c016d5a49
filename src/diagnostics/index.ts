/**
 * The gradient-flow instruments (issue 4): per-step gradient norms ‖∂L/∂h_t‖ with their decay rate and
 * horizon, step-Jacobian norms and spectra (matrix-free, by JVP/VJP power iteration, or dense for small
 * states), norms of Jacobian products over spans, the Pascanu et al. (2013) bounds and how tight they are,
 * Lyapunov exponents by the QR method, and recorders to use during training.
 *
 * @example
 *   const probe = createStepProbe(model, batch);            // one cell's trajectory on a batch
 *   const sigma = stepJacobianNorms(probe);                 // σ₁(J_t) per step and sample
 *   const spans = jacobianProductNorms(probe);              // ‖J_T⋯J_{t+1}‖ for t = T−1, T−2, T−4, …
 *   const cmp = compareWithBound(transitionBound(probe.cell), spans.spans, spans.estimates.map((e) => Math.max(...e.norm)));
 *   const lyap = lyapunovSpectrum(probe, { k: 4 });
 *   probe.dispose();
 *   const flow = gradientThroughTime(model, task, batch);   // ‖∂L/∂h_t‖, decay rate, horizon
 *   const decay = gradientDecay(probe);                     // per-step log-rate of backpropagation, any T
 */
export { createStepProbe, type CellSelector, type StepProbe } from './probe.js';
export {
  gradientThroughTime,
  analyse as analyseGradients,
  type CellGradientFlow,
  type GradientThroughTime,
  type GradientThroughTimeOptions,
} from './gradient-through-time.js';
export {
  defaultSpans,
  denseStepJacobians,
  jacobianProductNorms,
  normalizeRows,
  powerIteration,
  productMap,
  spectralNormEstimate,
  stepJacobianNorms,
  type BatchedLinearMap,
  type DenseStepJacobian,
  type PowerIterationOptions,
  type ProductNorms,
  type SpectralNormEstimate,
  type StepJacobianNorms,
} from './jacobian.js';
export { gradientDecay, type GradientDecay, type GradientDecayOptions } from './gradient-decay.js';
export { lanczos, tridiagonalMaxEigenvalue } from './lanczos.js';
export {
  compareWithBound,
  transitionBound,
  type BoundComparison,
  type BoundComparisonSummary,
  type TransitionBound,
} from './bounds.js';
export {
  lyapunovOfMap,
  lyapunovSpectrum,
  orthonormalize,
  type DynamicalMap,
  type LyapunovOptions,
  type LyapunovResult,
} from './lyapunov.js';
export {
  byCell,
  byParameter,
  createTrainingRecorder,
  type TrainingHistory,
  type TrainingRecorder,
  type TrainingRecorderOptions,
} from './training.js';
export {
  fitLine,
  incompleteBeta,
  lnGamma,
  quantileSorted,
  studentTCdf,
  studentTQuantile,
  summarize,
  type LineFit,
  type Summary,
} from './stats.js';
