/**
 * The reference backend: float64 TypeScript loops written for clarity. It is the oracle that the wasm
 * backend and every gradient check are measured against; it is not meant to be fast.
 */
import type { Backend, Storage } from '../backend.js';
import { HostStorage } from './memory.js';
import * as linalg from './linalg.js';
import * as ew from './elementwise.js';
import * as fused from './fused.js';

export const referenceBackend: Backend = {
  name: 'reference',
  dtype: 'float64',
  alloc: (length: number): Storage => new HostStorage(length),
  free: () => undefined,
  ...linalg,
  fill: ew.fill,
  copy: ew.copy,
  axpy: ew.axpy,
  scale: ew.scale,
  add: ew.add,
  sub: ew.sub,
  mul: ew.mul,
  mulAcc: ew.mulAcc,
  unary: ew.unary,
  unaryBackward: ew.unaryBackward,
  clamp: ew.clamp,
  blend: ew.blend,
  blendBackward: ew.blendBackward,
  sum: ew.sum,
  sumSquares: ew.sumSquares,
  dot: ew.dot,
  allFinite: ew.allFinite,
  ...fused,
};
