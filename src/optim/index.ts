/** Optimizers (SGD, Adam, AdamW, RMSprop), gradient clipping and learning-rate schedules. */
export type { Optimizer } from './optimizer.js';
export { BaseOptimizer } from './optimizer.js';
export * from './sgd.js';
export * from './adam.js';
export * from './rmsprop.js';
export * from './config.js';
export * from './clip.js';
export * from './schedule.js';
