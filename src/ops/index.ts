/** Differentiable ops: each records {forward, backward} on a Tape. */
export * from './elementwise.js';
export * from './linear.js';
export * from './shape.js';
export * from './reduce.js';
export * from './loss.js';
export * from './fused.js';
export * from './dropout.js';
export * from './sequence.js';
export * from './sequence-steps.js';
export { deepChainStep, type DeepLayerParams } from './deep-step.js';
export { highwayStep } from './highway-step.js';
export * from './grad.js';
