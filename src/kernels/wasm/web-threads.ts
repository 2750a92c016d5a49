/**
 * Threads in a browser: the threaded wasm backend over Web Workers and a SharedArrayBuffer, for pages that
 * are cross-origin isolated (served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`, so that `crossOriginIsolated` is true); one thread
 * otherwise. The kernels, the split of each call (parallel.ts) and the worker loop (worker-loop.ts) are the
 * Node backend's, so the results are bit-identical to one thread and to Node.
 *
 * What differs from Node's pool (threads.ts): the workers start asynchronously (a page cannot block while
 * they load), and the calling thread, a page's main thread, may not sleep in Atomics.wait: it spins until
 * its workers are done (they are busy for microseconds per call). Idle workers still sleep.
 *
 *   await loadWasm(threadsWasmUrl, { file: 'kernels-threads.wasm' });  // or let this fetch it
 *   const be = await createWasmBackendAsync({ threads: navigator.hardwareConcurrency });
 *   be.threads   // what it got: 1 when the page is not cross-origin isolated
 */
import { maybeNodeBuiltin } from '../../util/node-builtin.js';
import {
  createWasmBackend,
  DEFAULT_SPIN_MICROS,
  instantiateWasm,
  wasmFileOf,
  withPool,
  type WasmBackend,
  type WasmBackendOptions,
} from './backend.js';
import { hasWasmModule, loadWasm } from './source.js';
import { controlBytes, DONE, ERRORS, READY, type ThreadPoolStats } from './control.js';
import { PoolCalls } from './pool-calls.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';
import type { WorkerLoopInit } from './worker-loop.js';

/** The slice of the DOM's Worker this file uses (the project is typed without the DOM libs). */
interface WebWorker {
  postMessage(message: WorkerLoopInit): void;
  terminate(): void;
  onmessage: ((event: { data: { error?: string } }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
}
declare const Worker: new (url: URL | string, options: { type: 'module'; name?: string }) => WebWorker;

/** true when this page (or worker) can share memory with Web Workers: cross-origin isolated, with Worker. */
export function webThreadsAvailable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; SharedArrayBuffer?: unknown };
  return g.crossOriginIsolated === true && typeof g.Worker === 'function' && typeof g.SharedArrayBuffer === 'function';
}

export interface AsyncBackendOptions extends WasmBackendOptions {
  /** The worker script (default web-thread-worker.js beside this module, which bundlers such as Vite ship). */
  workerUrl?: URL | string;
  /** Where to fetch the threaded build when it is not loaded yet (default build/kernels-threads.wasm beside the library). */
  threadsWasm?: URL | string;
  /** How long to wait for the workers to start (ms, default 15000). */
  startTimeoutMs?: number;
}

/**
 * A wasm backend with up to `options.threads` threads, anywhere: Node's worker_threads in Node; Web Workers
 * in a cross-origin isolated page or worker; one thread elsewhere (`backend.threads` says which).
 * @throws Error when the workers fail to start (e.g. the worker script cannot be fetched).
 */
export async function createWasmBackendAsync(options: AsyncBackendOptions = {}): Promise<WasmBackend> {
  const wanted = options.threads ?? 1;
  if (wanted === 1 || maybeNodeBuiltin('node:worker_threads') !== undefined) return createWasmBackend(options);
  if (!webThreadsAvailable()) return createWasmBackend({ ...options, threads: 1 });
  const file = wasmFileOf(wanted, 'simd');
  if (!hasWasmModule(file))
    await loadWasm(options.threadsWasm ?? new URL('../../../build/kernels-threads.wasm', import.meta.url), { file });
  const inst = instantiateWasm(options);
  const pool = await WebThreadPool.start(inst.module, inst.memory, wanted - 1, options);
  return withPool(inst, pool, options);
}

/** A kernel call's workers not done after this long (ms) have died: finish() says so instead of spinning on. */
const STALL_MS = 30_000;

/** Node's ThreadPool protocol (threads.ts) over Web Workers; see the header for what differs. */
export class WebThreadPool {
  /** Arguments of every worker's slot (see slotArgs). */
  readonly args: Float64Array;
  private readonly ctl: Int32Array;
  private closed = false;
  private lastError: string | null = null;
  private readonly calls: PoolCalls;

  private constructor(
    private readonly workers: WebWorker[],
    control: SharedArrayBuffer,
    backoffMs: number,
  ) {
    this.ctl = new Int32Array(control);
    this.args = new Float64Array(control);
    this.calls = new PoolCalls(this.ctl, workers.length, backoffMs);
    for (const w of workers) {
      w.onmessage = (e) => {
        this.lastError = e.data.error ?? this.lastError;
      };
      w.onerror = (e) => {
        this.lastError = e.message ?? 'the worker script failed';
      };
    }
  }

  /** Start `size` workers on `memory` and resolve once every one has instantiated the module. */
  static async start(
    module: WasmModule,
    memory: WasmMemory,
    size: number,
    options: AsyncBackendOptions = {},
  ): Promise<WebThreadPool> {
    const control = new SharedArrayBuffer(controlBytes(size));
    const spinMicros = options.spinMicros ?? DEFAULT_SPIN_MICROS;
    const workers: WebWorker[] = [];
    for (let index = 0; index < size; index++) {
      const w = options.workerUrl
        ? new Worker(options.workerUrl, { type: 'module', name: `recur kernels ${index}` })
        : new Worker(new URL('./web-thread-worker.js', import.meta.url), {
            type: 'module',
            name: `recur kernels ${index}`,
          });
      workers.push(w);
    }
    const pool = new WebThreadPool(workers, control, options.backoffMs ?? 250);
    workers.forEach((w, index) => w.postMessage({ module, memory, control, index, spinMicros }));
    const timeout = options.startTimeoutMs ?? 15_000;
    const t0 = performance.now();
    while (Atomics.load(pool.ctl, READY) < size) {
      const why =
        pool.lastError ??
        (Atomics.load(pool.ctl, ERRORS) !== 0 ? 'a worker failed' : null) ??
        (performance.now() - t0 > timeout ? `not every worker started within ${timeout} ms` : null);
      if (why !== null) {
        pool.dispose();
        throw new Error(`wasm threads: ${why}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** false once dispose() has run, and for a while after the workers kept finishing late (as ThreadPool). */
  get available(): boolean {
    return !this.closed && this.calls.available();
  }

  stats(): ThreadPoolStats {
    return this.calls.stats();
  }

  /** As ThreadPool.start: run kernel `id` on workers 0..parts−1 (their slots' arguments are set by the caller). */
  start(id: number, parts: number): void {
    this.calls.start(id, parts);
  }

  /** Spin until every worker is done with the current generation (a page may not Atomics.wait); rethrows a failure. */
  finish(): void {
    const ctl = this.ctl,
      n = this.size;
    if (Atomics.load(ctl, DONE) < n) {
      const t0 = performance.now();
      for (let spins = 1; Atomics.load(ctl, DONE) < n; spins++) {
        if ((spins & 0xfffff) === 0 && performance.now() - t0 > STALL_MS) break; // a worker died
      }
      this.calls.finished(t0);
    }
    if (Atomics.load(ctl, ERRORS) !== 0 || Atomics.load(ctl, DONE) < n) {
      Atomics.store(ctl, ERRORS, 0);
      throw new Error(`wasm threads: a worker failed: ${this.lastError ?? 'it stopped (see the console)'}`);
    }
  }

  /** Stop the workers (they exit at once, or after their current kernel). Idempotent. */
  dispose(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.calls.exit();
      for (const w of this.workers) w.terminate();
    }
    return Promise.resolve();
  }
}
