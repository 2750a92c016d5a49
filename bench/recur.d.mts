/** Types of bench/recur.mjs (for the smoke test under test/bench/). */
import type { Workload } from './workloads.mjs';

/** The parts of recur the benchmark uses (loosely typed: dist/ and src/ both fit). */
export interface RecurLib {
  getBackend(name: 'wasm' | 'reference', options?: { threads?: number }): unknown;
  Model: new (config: any, backend: any, seed?: number) => any;
  GraphCache: new (model: any, score: any, opts: any) => any;
  createOptimizer(cfg: any, params: any): any;
  gradNorm(params: any): number;
}
export interface RecurRunner {
  step(): number;
  info: { backend: string; variant: string | null; dtype: string | null; threads: number; parameters: number };
  wasmMemoryBytes(): number | null;
  wasmHeapUsedBytes(): number | null;
  dispose(): void;
}
export function loadRecur(dir?: string): Promise<RecurLib>;
export function cellConfig(w: Workload): object;
export function createRecurRunner(
  lib: RecurLib,
  w: Workload,
  opts?: { backend?: 'wasm' | 'reference'; seed?: number; threads?: number },
): RecurRunner;
export class NotAvailable extends Error {}
