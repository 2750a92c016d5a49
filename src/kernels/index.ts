/**
 * Backend selection. `wasm` (float32 SIMD WebAssembly) is the default where it loads; `reference`
 * (float64 TypeScript) is the oracle. RECUR_BACKEND=reference|wasm overrides the default.
 *
 * Threads: `getBackend('wasm', { threads: 2 })` (or RECUR_THREADS=2) runs the wasm kernels on 2 threads
 * (src/kernels/wasm/threads.ts); the default is 1, so processes that already run one job per core (the
 * study runner) stay single-threaded. The reference backend ignores the thread count.
 */
import type { Backend } from './backend.js';
import { referenceBackend } from './reference/index.js';
import { envVar } from '../util/node-builtin.js';
import { createWasmBackend, wasmAvailable } from './wasm/backend.js';

export type BackendName = 'reference' | 'wasm';

export interface GetBackendOptions {
  /** Threads for the wasm kernels (default: RECUR_THREADS, else 1). */
  threads?: number;
}

/** One wasm backend per thread count, created on first use. */
const wasm = new Map<number, Backend>();

/** The backend of that name (a wasm backend is created once per process and thread count, on first use). */
export function getBackend(name: BackendName = defaultBackendName(), options: GetBackendOptions = {}): Backend {
  if (name === 'reference') return referenceBackend;
  if (name === 'wasm') {
    const threads = options.threads ?? defaultThreads();
    if (!Number.isInteger(threads) || threads < 1)
      throw new Error(`threads must be a positive integer, got ${threads}`);
    let be = wasm.get(threads);
    if (!be) {
      if (!wasmAvailable())
        throw new Error(
          'the wasm backend is not available here (no WebAssembly SIMD; or its module is not loaded: in Node run `npm run build:wasm`, in a browser `await loadWasm()` first)',
        );
      be = createWasmBackend({ threads });
      wasm.set(threads, be);
    }
    return be;
  }
  throw new Error(`unknown backend '${String(name)}' (expected 'wasm' or 'reference')`);
}

/** RECUR_BACKEND if set, else wasm when available, else reference. */
export function defaultBackendName(): BackendName {
  const env = envVar('RECUR_BACKEND');
  if (env === 'reference' || env === 'wasm') return env;
  if (env) throw new Error(`RECUR_BACKEND must be 'wasm' or 'reference', got '${env}'`);
  return wasmAvailable() ? 'wasm' : 'reference';
}

/** RECUR_THREADS if set (a positive integer), else 1. */
export function defaultThreads(): number {
  const env = envVar('RECUR_THREADS');
  if (env === undefined || env === '') return 1;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) throw new Error(`RECUR_THREADS must be a positive integer, got '${env}'`);
  return n;
}

export { referenceBackend };
export type { Backend } from './backend.js';
