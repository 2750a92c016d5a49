/**
 * The reference backend: float64 TypeScript loops written for clarity. It is the oracle that the wasm
 * backend and every gradient check are measured against; it is not meant to be fast. Every kernel the table
 * (../table.ts) declares is a function exported by linalg.ts, elementwise.ts, fused.ts or steps.ts of the same name.
 */
import type { Backend, Storage } from '../backend.js';
import { HostStorage } from './memory.js';
import * as linalg from './linalg.js';
import * as ew from './elementwise.js';
import * as fused from './fused.js';
import * as steps from './steps.js';

export const referenceBackend: Backend = {
  name: 'reference',
  dtype: 'float64',
  alloc: (length: number): Storage => new HostStorage(length),
  free: () => undefined,
  ...linalg,
  ...ew,
  ...fused,
  ...steps,
};
