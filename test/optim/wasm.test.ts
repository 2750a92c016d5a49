/**
 * The same optimizers on the float32 wasm backend track the float64 reference within 1e-5 (relative,
 * floored at 1): both start from the same float32-representable parameters and gradients.
 * Skipped when the wasm backend is not present or not built (`npm run build:wasm`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/kernels/backend.js';
import { referenceBackend } from '../../src/kernels/reference/index.js';
import { Rng } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { clipGradNorm, createOptimizer } from '../../src/optim/index.js';
import { CASES } from './cases.js';

interface WasmModule {
  wasmAvailable(): boolean;
  createWasmBackend(): Backend;
}
// imported through a variable so this file typechecks whether or not the wasm backend exists
const modulePath = '../../src/kernels/wasm/backend.js';
const present = existsSync(fileURLToPath(new URL('../../src/kernels/wasm/backend.ts', import.meta.url)));
const wasm = present ? ((await import(/* @vite-ignore */ modulePath)) as WasmModule) : null;
const wasmBackend = wasm?.wasmAvailable() ? wasm.createWasmBackend() : null;

const SHAPES = [[7, 5], [5], [33]];

describe.skipIf(wasmBackend === null)('optimizers on the wasm backend match the reference', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const rng = new Rng(`wasm ${c.name}`);
      const init = SHAPES.map((s) =>
        Float32Array.from({ length: s.reduce((a, b) => a * b) }, () => rng.uniformIn(-1, 1)),
      );
      const make = (be: Backend): Tensor[] => SHAPES.map((s, i) => Tensor.from(be, s, init[i]).markGrad());
      const ref = make(referenceBackend),
        fast = make(wasmBackend!);
      const optRef = createOptimizer(c.cfg, ref),
        optFast = createOptimizer(c.cfg, fast);
      for (let t = 0; t < 10; t++) {
        for (let i = 0; i < SHAPES.length; i++) {
          const g = new Float32Array(ref[i].size);
          rng.fillNormal(g);
          ref[i].grad!.set(g);
          fast[i].grad!.set(g);
        }
        expect(clipGradNorm(fast, 4) / clipGradNorm(ref, 4)).toBeCloseTo(1, 5);
        const lr = t % 2 === 1 ? c.cfg.lr! * 0.5 : undefined;
        optRef.step(lr);
        optFast.step(lr);
        ref.forEach((p, i) => {
          const a = fast[i].toArray(),
            b = p.toArray();
          for (let k = 0; k < a.length; k++) {
            expect(Math.abs(a[k] - b[k]) / Math.max(1, Math.abs(b[k])), `step ${t}, param ${i}[${k}]`).toBeLessThan(
              1e-5,
            );
          }
        });
      }
      optFast.dispose();
      fast.forEach((p) => p.dispose());
    });
  }
});
