/**
 * Backend selection. `wasm` (float32 SIMD WebAssembly) is the default where it loads; `reference`
 * (float64 TypeScript) is the oracle. RECUR_BACKEND=reference|wasm overrides the default.
 */
import type { Backend } from './backend.js';
import { referenceBackend } from './reference/index.js';
import { createWasmBackend, wasmAvailable } from './wasm/backend.js';

export type BackendName = 'reference' | 'wasm';

let wasm: Backend | null = null;

/** The backend of that name (the wasm one is created once per process, on first use). */
export function getBackend(name: BackendName = defaultBackendName()): Backend {
  if (name === 'reference') return referenceBackend;
  if (name === 'wasm') {
    if (!wasm) {
      if (!wasmAvailable()) throw new Error('the wasm backend is not available here (no WebAssembly SIMD, or build/ is missing: run `npm run build:wasm`)');
      wasm = createWasmBackend();
    }
    return wasm;
  }
  throw new Error(`unknown backend '${String(name)}' (expected 'wasm' or 'reference')`);
}

/** RECUR_BACKEND if set, else wasm when available, else reference. */
export function defaultBackendName(): BackendName {
  const env = process.env.RECUR_BACKEND;
  if (env === 'reference' || env === 'wasm') return env;
  if (env) throw new Error(`RECUR_BACKEND must be 'wasm' or 'reference', got '${env}'`);
  return wasmAvailable() ? 'wasm' : 'reference';
}

export { referenceBackend };
export type { Backend } from './backend.js';
