/** The optimizer configurations the tests run, each with its PyTorch transcription (torch-rules.ts). */
import type { OptimizerConfig } from '../../src/optim/index.js';
import { torchAdam, torchRmsprop, torchSgd, type TorchOptimizer } from './torch-rules.js';

export interface Case {
  name: string;
  cfg: OptimizerConfig;
  torch: () => TorchOptimizer;
}

export const CASES: Case[] = [
  { name: 'sgd', cfg: { kind: 'sgd', lr: 0.1 }, torch: () => torchSgd({}) },
  {
    name: 'sgd + weight decay',
    cfg: { kind: 'sgd', lr: 0.1, weightDecay: 0.05 },
    torch: () => torchSgd({ weightDecay: 0.05 }),
  },
  { name: 'sgd + momentum', cfg: { kind: 'sgd', lr: 0.1, momentum: 0.9 }, torch: () => torchSgd({ momentum: 0.9 }) },
  {
    name: 'sgd + momentum + dampening + weight decay',
    cfg: { kind: 'sgd', lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 },
    torch: () => torchSgd({ momentum: 0.8, dampening: 0.3, weightDecay: 0.01 }),
  },
  {
    name: 'sgd + nesterov',
    cfg: { kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true },
    torch: () => torchSgd({ momentum: 0.9, nesterov: true }),
  },
  {
    name: 'sgd + nesterov + weight decay',
    cfg: { kind: 'sgd', lr: 0.1, momentum: 0.7, nesterov: true, weightDecay: 0.1 },
    torch: () => torchSgd({ momentum: 0.7, nesterov: true, weightDecay: 0.1 }),
  },
  { name: 'adam', cfg: { kind: 'adam', lr: 0.01 }, torch: () => torchAdam({}) },
  {
    name: 'adam + L2 weight decay',
    cfg: { kind: 'adam', lr: 0.02, beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.1 },
    torch: () => torchAdam({ beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.1 }),
  },
  {
    name: 'adamw (default decay 0.01)',
    cfg: { kind: 'adamw', lr: 0.01 },
    torch: () => torchAdam({ weightDecay: 0.01, decoupled: true }),
  },
  {
    name: 'adamw + strong decay',
    cfg: { kind: 'adamw', lr: 0.05, weightDecay: 0.5, beta2: 0.9 },
    torch: () => torchAdam({ weightDecay: 0.5, beta2: 0.9, decoupled: true }),
  },
  { name: 'rmsprop', cfg: { kind: 'rmsprop', lr: 0.01 }, torch: () => torchRmsprop({}) },
  {
    name: 'rmsprop + weight decay + momentum',
    cfg: { kind: 'rmsprop', lr: 0.01, alpha: 0.9, weightDecay: 0.1, momentum: 0.5 },
    torch: () => torchRmsprop({ alpha: 0.9, weightDecay: 0.1, momentum: 0.5 }),
  },
  {
    name: 'rmsprop centered',
    cfg: { kind: 'rmsprop', lr: 0.01, centered: true },
    torch: () => torchRmsprop({ centered: true }),
  },
  {
    name: 'rmsprop centered + momentum + eps',
    cfg: { kind: 'rmsprop', lr: 0.003, centered: true, momentum: 0.9, eps: 1e-4 },
    torch: () => torchRmsprop({ centered: true, momentum: 0.9, eps: 1e-4 }),
  },
];
