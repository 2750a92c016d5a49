/**
 * The wasm backend: float32 f32x4-SIMD kernels compiled from ./assembly by scripts/build-wasm.mjs into
 * build/kernels.wasm (plain SIMD) and build/kernels-relaxed.wasm (relaxed-SIMD fused multiply-add in GEMM).
 * The relaxed build is used when the engine validates relaxed SIMD (e.g. node --experimental-wasm-relaxed-simd).
 *
 * The compiled modules come from source.ts: read from build/ in Node, `await loadWasm()` in a browser.
 * The module imports its memory: this file creates it, and a WasmHeap hands out blocks above the module's
 * static data. A Ref becomes a byte address: (storage.base + offset)·4. Wrappers allocate nothing per call;
 * GEMM packing uses one scratch block that is enlarged only when a bigger GEMM comes along.
 *
 * With `threads: n > 1` the backend runs the threaded build (build/kernels-threads*.wasm) on a shared memory
 * and n − 1 worker threads (threads.ts); large GEMMs and pointwise kernels are split between them and the
 * calling thread (parallel.ts), with bit-identical results. `dispose()` stops the workers (the backend then
 * keeps working on the calling thread alone); they never keep the process alive.
 *
 *   const be = createWasmBackend();
 *   const a = be.alloc(6); a.array.set([1, 2, 3, 4, 5, 6], a.base);   // 2×3
 *   be.gemm(false, true, 2, 2, 3, 1, { storage: a, offset: 0 }, { storage: a, offset: 0 }, 0, c); // c = a·aᵀ
 */
import type { AdamStep, Backend, Storage } from '../backend.js';
import { type WasmBlock, WasmHeap } from './heap.js';
import type { KernelExports, SplitKernels } from './kernel-exports.js';
import { createSplitter, threadedMethods } from './parallel.js';
import type { SplitPool, SplitThresholds } from './split-types.js';
import { ThreadPool, type ThreadPoolStats } from './threads.js';
import { wasmApi, type WasmMemory, type WasmModule } from './wasm-api.js';
import { hasWasmModule, wasmModule, type WasmFile } from './source.js';
import { adamArgs, ptr, wrapKernels } from './wrap.js';

export type WasmVariant = 'simd' | 'relaxed-simd';

export interface WasmBackendOptions {
  /** 'auto' (default) picks relaxed-simd when the engine supports it. */
  variant?: WasmVariant | 'auto';
  /** Initial memory in 64 KiB pages (default 256 = 16 MiB). */
  initialPages?: number;
  /** Maximum memory in 64 KiB pages (default 32768 = 2 GiB; a shared memory reserves it all up front). */
  maximumPages?: number;
  /** Threads that run the kernels (default 1: no workers, the plain build). */
  threads?: number;
  /** With threads: how long an idle worker spins for the next call before it sleeps (µs, default DEFAULT_SPIN_MICROS). */
  spinMicros?: number;
  /** With threads: how long to run on the calling thread alone after workers kept finishing late (ms, default 250). */
  backoffMs?: number;
  /** With threads: the smallest calls that are split (defaults DEFAULT_SPLIT_THRESHOLDS). */
  splitThresholds?: Partial<SplitThresholds>;
}

/**
 * Measured on 2 cores (AVX-512, Node 20): a split call costs ~0.5–1 µs more than its parts (dispatch and
 * barrier, both threads spinning), so calls split from ~2.5 µs of single-thread work: GEMMs from 128K
 * multiply-adds (32×128×32: 6.4 → 3.9 µs; 32×64×32 does not gain), pointwise calls from an estimated 2500 ns
 * (axpy on 32K floats 3.9 → 2.5 µs, an LSTM step's pointwise work on 32×64 units 21.9 → 11.3 µs).
 */
export const DEFAULT_SPLIT_THRESHOLDS: Readonly<SplitThresholds> = { gemm: 131072, pointwise: 2500 };
/**
 * Workers spin 5 ms for the next call before they sleep: longer than the gaps inside a training step and
 * between steps (a GC pause included). Waking a sleeping worker costs 20 µs, or ~4 ms when it lands on the
 * caller's core and has to wait for the scheduler to move it.
 */
export const DEFAULT_SPIN_MICROS = 5000;

export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  readonly dtype: 'float32';
  /** Which build is running. */
  readonly variant: WasmVariant;
  /** The allocator (memory statistics, the WebAssembly.Memory). */
  readonly heap: WasmHeap;
  /** Threads that run kernels (1: the calling thread alone). */
  readonly threads: number;
  /**
   * Stop the worker threads (no-op without them); the backend stays usable on the calling thread. Resolves
   * once they have exited (nothing needs to wait for that).
   */
  dispose(): Promise<void>;
  /** Counters of the thread pool (null without threads): split calls, late workers, back-offs. */
  threadStats(): ThreadPoolStats | null;
}

/** A module of one function taking three v128 and returning op(...) — the feature probes. */
function probe(body: number[]): Uint8Array {
  return new Uint8Array([
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    1,
    8,
    1,
    0x60,
    3,
    0x7b,
    0x7b,
    0x7b,
    1,
    0x7b,
    3,
    2,
    1,
    0,
    10,
    body.length + 4,
    1,
    body.length + 2,
    0,
    ...body,
    0x0b,
  ]);
}

/** true when the engine accepts f32x4 SIMD (f32x4.mul). */
export function simdSupported(): boolean {
  return wasmApi?.validate(probe([0x20, 0, 0x20, 1, 0xfd, 0xe6, 0x01])) === true;
}

/** true when the engine accepts relaxed SIMD (f32x4.relaxed_madd, opcode 0xfd 0x105). */
export function relaxedSimdSupported(): boolean {
  return wasmApi?.validate(probe([0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02])) === true;
}

/**
 * true when the wasm backend can run here: WebAssembly with SIMD, and the plain build is at hand (Node:
 * build/kernels.wasm is built; elsewhere: loaded by `loadWasm`).
 */
export function wasmAvailable(): boolean {
  try {
    return simdSupported() && hasWasmModule('kernels.wasm');
  } catch {
    return false;
  }
}

/**
 * Create a wasm backend with its own memory and heap (synchronous; with threads it blocks until the
 * workers have started, ~50 ms). In a browser, threads come from createWasmBackendAsync (web-threads.ts).
 */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  const inst = instantiateWasm(options);
  if (inst.threads === 1) return inst.backend;
  const pool = new ThreadPool(inst.module, inst.memory, inst.threads - 1, {
    spinMicros: options.spinMicros ?? DEFAULT_SPIN_MICROS,
    backoffMs: options.backoffMs,
  });
  return withPool(inst, pool, options);
}

/** A backend on the calling thread, and what its threads need: the module and the (shared when threads > 1) memory. */
export interface WasmInstance {
  backend: WasmBackend;
  module: WasmModule;
  memory: WasmMemory;
  kernels: SplitKernels & Record<string, (...a: number[]) => void>;
  threads: number;
}

/** Compile nothing, start nothing: instantiate the build `options` ask for on a new memory (threads > 1: shared). */
export function instantiateWasm(options: WasmBackendOptions = {}): WasmInstance {
  const api = wasmApi;
  if (api === undefined || !simdSupported())
    throw new Error('wasm backend: this engine does not support WebAssembly SIMD');
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`wasm backend: threads must be a positive integer, got ${threads}`);
  const want = options.variant ?? 'auto';
  // 'auto' takes relaxed SIMD only where the engine has it and its build is at hand (a page that loaded
  // only the plain build runs the plain build, with the same numbers as Node without the flag).
  const variant: WasmVariant =
    want === 'auto'
      ? relaxedSimdSupported() && hasWasmModule(wasmFileOf(threads, 'relaxed-simd'))
        ? 'relaxed-simd'
        : 'simd'
      : want;
  const module = wasmModule(wasmFileOf(threads, variant));
  const maximumPages = options.maximumPages ?? 32768;
  const initial = Math.min(options.initialPages ?? 256, maximumPages);
  const memory = new api.Memory({ initial, maximum: maximumPages, ...(threads > 1 ? { shared: true } : {}) });
  const k = new api.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const heap = new WasmHeap(memory, Math.ceil(k.heapBase() / 64) * 64, maximumPages);
  const kernels = k as unknown as WasmInstance['kernels'];
  return { backend: makeBackend(k, heap, variant), module, memory, kernels, threads };
}

/** The build a backend of `threads` threads and `variant` runs. */
export const wasmFileOf = (threads: number, v: WasmVariant): WasmFile =>
  `kernels${threads > 1 ? '-threads' : ''}${v === 'relaxed-simd' ? '-relaxed' : ''}.wasm` as WasmFile;

/** The threaded backend: the plain one with the splittable kernels replaced (parallel.ts), run over `pool`. */
export function withPool(
  inst: WasmInstance,
  pool: SplitPool & Pick<ThreadPool, 'dispose' | 'stats'>,
  options: WasmBackendOptions,
): WasmBackend {
  const base = inst.backend;
  const limits = { ...DEFAULT_SPLIT_THRESHOLDS, ...options.splitThresholds };
  const splitter = createSplitter(pool, inst.kernels, inst.kernels, base.heap, limits);
  return {
    ...base,
    ...threadedMethods(splitter),
    threads: pool.size + 1,
    dispose: () => pool.dispose(),
    threadStats: () => pool.stats(),
  };
}

function makeBackend(k: KernelExports, heap: WasmHeap, variant: WasmVariant): WasmBackend {
  let scratch: WasmBlock | null = null;
  let scratchPtr = 0;
  let scratchBytes = 0;
  const ensureScratch = (bytes: number): void => {
    if (bytes <= scratchBytes) return;
    if (scratch) heap.free(scratch);
    const size = Math.max(bytes, Math.ceil(scratchBytes * 1.5));
    scratch = heap.alloc(Math.ceil(size / 4));
    scratchPtr = scratch.address;
    scratchBytes = size;
  };

  return {
    name: 'wasm',
    dtype: 'float32',
    variant,
    heap,
    threads: 1,
    dispose: () => Promise.resolve(),
    threadStats: () => null,
    alloc: (length: number): Storage => heap.alloc(length),
    free: (storage: Storage): void => heap.free(storage),

    gemm(transA, transB, m, n, kk, alpha, a, b, beta, c) {
      ensureScratch(k.gemmScratchBytes(m, kk));
      k.gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, kk, alpha, ptr(a), ptr(b), beta, ptr(c), scratchPtr);
    },
    gemmPacked(transA, m, n, kk, alpha, a, packed, beta, c) {
      ensureScratch(k.gemmScratchBytes(m, kk));
      k.gemmPackedLd(
        transA ? 1 : 0,
        m,
        n,
        kk,
        alpha,
        ptr(a),
        transA ? m : kk,
        ptr(packed),
        beta,
        ptr(c),
        n,
        scratchPtr,
      );
    },
    ...wrapKernels((name) => k[name]),

    adam: (n: number, s: AdamStep, param, grad, m, v) => k.adam(...adamArgs(n, s, param, grad, m, v)),
  };
}
