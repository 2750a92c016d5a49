/** The platform-neutral pieces: models to and from bytes, the wasm module from bytes or a URL. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelFromBytes, modelToBytes } from '../../src/io/model-file.js';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { createWasmBackendAsync, webThreadsAvailable } from '../../src/kernels/wasm/web-threads.js';
import { loadWasm } from '../../src/kernels/wasm/source.js';
import { Model } from '../../src/models/model.js';

const cell = { kind: 'deep' as const, hidden: 8, depth: 2, variant: 'highway' as const };

describe('models as bytes', () => {
  it('modelToBytes → modelFromBytes gives the same parameters and metadata', () => {
    const be = createWasmBackend({ variant: 'simd' });
    const model = new Model({ inputSize: 2, outputSize: 1, target: 'last', cell }, be, 3);
    const bytes = modelToBytes(model, { note: 'x' });
    expect(bytes).toBeInstanceOf(Uint8Array);
    const { model: copy, metadata } = modelFromBytes(bytes, be, 'in memory');
    expect(metadata.note).toBe('x');
    const a = new Map(model.namedParameters());
    for (const [name, t] of copy.namedParameters()) expect(t.toFloat32()).toEqual(a.get(name)?.toFloat32());
    expect(() => modelFromBytes(new Uint8Array([1, 2, 3]), be, 'in memory')).toThrow(/^in memory: not a safetensors/);
  });
});

describe('loadWasm', () => {
  const file = new URL('../../build/kernels.wasm', import.meta.url);
  it('takes the bytes, a file URL, or refuses what is not a module (naming it)', async () => {
    await loadWasm(new Uint8Array(readFileSync(file)));
    await loadWasm(file);
    await expect(loadWasm(new Uint8Array([0, 1, 2, 3]))).rejects.toThrow(/4 bytes is not a WebAssembly module/);
    const be = createWasmBackend({ variant: 'simd' });
    expect(be.variant).toBe('simd');
  });
});

describe('createWasmBackendAsync', () => {
  it("in Node: Node's worker threads (no cross-origin isolation to speak of), one thread when asked", async () => {
    expect(webThreadsAvailable()).toBe(false);
    const one = await createWasmBackendAsync({ variant: 'simd' });
    expect(one.threads).toBe(1);
    const two = await createWasmBackendAsync({ threads: 2, variant: 'simd' });
    try {
      expect(two.threads).toBe(2);
      expect(two.threadStats()).not.toBeNull();
    } finally {
      await two.dispose();
    }
  });
});
