/**
 * A pool of worker threads that run the wasm kernels on the same shared WebAssembly memory as the main
 * thread, with a cheap barrier per kernel call (src/kernels/wasm/parallel.ts decides how calls are split).
 *
 * Each worker instantiates the threaded kernel module (build/kernels-threads*.wasm) on the shared memory
 * and loops: wait for the generation counter to move, run the kernel named in its command slot with the
 * arguments there, count itself done. The main thread writes each worker's slot, bumps the generation,
 * runs its own part of the work, then waits for the done counter: a round trip costs ~0.5–1 µs while both
 * threads spin. Both waits spin on Atomics.load for a bounded time (workers `spinMicros`, a few ms: longer
 * than the gaps inside a training step; the caller WAIT_SPIN_MS) and only then fall back to Atomics.wait,
 * so idle workers sleep and cost nothing; a sleeper is woken by Atomics.notify, sent only when its
 * "sleeping" flag is up. When workers keep finishing late (no free core: another process is busy), the
 * pool reports itself unavailable for a while and callers run on their own thread (see account()).
 * Workers are unref()ed: they never keep the process alive. They are Node worker_threads, reached at run time
 * (util/node-builtin.ts) so the library still bundles for a browser, where threads > 1 is refused for now.
 *
 * Control block (one SharedArrayBuffer; Int32 indices, each field on its own 64-byte line):
 *   GEN  generation, bumped once per dispatch     DONE   workers finished with the current generation
 *   MAIN_SLEEPS  main waits in Atomics.wait        ERRORS workers whose kernel threw (message on a port)
 *   READY  workers that have instantiated the module
 *   worker w's slot at byte SLOT0 + w·SLOT_BYTES: Int32 [0] kernel id (0 = nothing, −1 = exit),
 *   [1] "sleeping" flag; Float64 args from byte 64 of the slot (up to MAX_ARGS).
 */
import { compiledSibling } from '../../util/compiled.js';
import { KERNELS, type KernelName } from '../table.js';
import type { MessagePort, Worker } from 'node:worker_threads';
import { nodeBuiltin } from '../../util/node-builtin.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';
import { controlBytes, DONE, ERRORS, MAIN_SLEEPS, READY, type ThreadPoolStats } from './control.js';
import { PoolCalls } from './pool-calls.js';

export {
  controlBytes,
  DONE,
  ERRORS,
  EXIT,
  GEN,
  MAIN_SLEEPS,
  MAX_ARGS,
  NOTHING,
  READY,
  slotArgs,
  slotId,
  type ThreadPoolStats,
} from './control.js';

/** The kernels a worker runs, by id (index + 1; 0 means "nothing to do", −1 "exit"): gemm's and gemmPacked's
 * parts, every kernel the table splits, adam. */
export const THREAD_KERNELS: readonly string[] = [
  'gemmLd',
  'gemmPackedLd',
  ...(Object.keys(KERNELS) as KernelName[]).filter((name) => KERNELS[name].split !== undefined),
  'adam',
];
export type ThreadKernel = 'gemmLd' | 'gemmPackedLd' | 'adam' | KernelName;
export const kernelId = (name: ThreadKernel): number => THREAD_KERNELS.indexOf(name) + 1;
/** What a worker receives as workerData. */
export interface WorkerInit {
  module: WasmModule;
  memory: WasmMemory;
  control: SharedArrayBuffer;
  index: number;
  spinMicros: number;
  port: MessagePort;
}

/** The compiled worker script (also when the library runs from its TypeScript sources, e.g. under vitest). */
const workerUrl = (): URL => compiledSibling(import.meta.url, 'kernels/wasm', 'thread-worker.js');

export interface ThreadPoolOptions {
  /** How long a waiting thread spins before it sleeps in Atomics.wait (µs). */
  spinMicros: number;
  /** How long to wait for the workers to start (ms). */
  startTimeoutMs?: number;
  /** How long the pool stays unavailable after workers kept finishing late (ms, default 250). */
  backoffMs?: number;
}

/**
 * How long the calling thread spins for its workers before it sleeps (ms). Long on purpose: when a woken
 * worker lands on the caller's core, two spinning threads make the scheduler move one to the idle core
 * within a few ms, while a caller that sleeps leaves them taking turns on one core indefinitely.
 */
const WAIT_SPIN_MS = 10;

export class ThreadPool {
  /** Arguments of every worker's slot (see slotArgs). */
  readonly args: Float64Array;
  private readonly ctl: Int32Array;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly spinMicros: number;
  private closed = false;
  private stopped: Promise<void> | null = null;
  private readonly calls: PoolCalls;

  /** Start `size` workers on `memory` (the caller's thread is the pool's extra thread) and wait until they run. */
  constructor(
    module: WasmModule,
    memory: WasmMemory,
    readonly size: number,
    options: ThreadPoolOptions,
  ) {
    const { Worker, MessageChannel } = nodeBuiltin('node:worker_threads', 'wasm threads (threads > 1)');
    const url = workerUrl();
    if (!nodeBuiltin('node:fs', 'wasm threads').existsSync(url))
      throw new Error(`wasm threads: the worker script ${url.pathname} is missing; run \`npm run build\``);
    const control = new SharedArrayBuffer(controlBytes(size));
    this.ctl = new Int32Array(control);
    this.args = new Float64Array(control);
    this.spinMicros = options.spinMicros;
    this.calls = new PoolCalls(this.ctl, size, options.backoffMs ?? 250);
    for (let index = 0; index < size; index++) {
      const { port1, port2 } = new MessageChannel();
      const init: WorkerInit = { module, memory, control, index, spinMicros: options.spinMicros, port: port2 };
      // No inherited Node options: `node -e …` or `--input-type` would make the worker fail before it runs.
      const worker = new Worker(url, { workerData: init, transferList: [port2], execArgv: [] });
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
    // Block until every worker has instantiated the module (workers start without this thread's event loop).
    const deadline = performance.now() + (options.startTimeoutMs ?? 15_000);
    for (let ready = Atomics.load(this.ctl, READY); ready < size; ready = Atomics.load(this.ctl, READY)) {
      const left = deadline - performance.now();
      const error = this.takeError();
      if (left <= 0 || error !== null) {
        const why = error ?? `only ${ready} of ${size} workers started within ${options.startTimeoutMs ?? 15_000} ms`;
        void this.dispose();
        throw new Error(`wasm threads: ${why}`);
      }
      Atomics.wait(this.ctl, READY, ready, Math.min(left, 50));
    }
  }

  /**
   * false once dispose() has run, and for a while after the workers kept finishing late — on a machine whose
   * other cores are busy, a worker waits for a core and splitting only adds waiting: the caller then does
   * all work on its own thread.
   */
  get available(): boolean {
    return !this.closed && this.calls.available();
  }

  stats(): ThreadPoolStats {
    return this.calls.stats();
  }

  /**
   * Start the kernel `id` on workers 0..parts−1, whose slots (ids are set here, arguments by the caller)
   * are filled; the other workers get nothing to do. The caller then does its own part and calls finish().
   */
  start(id: number, parts: number): void {
    this.calls.start(id, parts);
  }

  /** Wait until every worker is done with the current generation; rethrows a worker's error. */
  finish(): void {
    const ctl = this.ctl,
      n = this.size;
    let done = Atomics.load(ctl, DONE);
    if (done < n) {
      const t0 = performance.now();
      // Spin, then sleep (see WAIT_SPIN_MS).
      const spinMs = Math.max(WAIT_SPIN_MS, this.spinMicros * 1e-3);
      let spins = 0;
      while (done < n) {
        if ((++spins & 63) === 0 && performance.now() - t0 > spinMs) break;
        done = Atomics.load(ctl, DONE);
      }
      if (done < n) {
        Atomics.store(ctl, MAIN_SLEEPS, 1);
        while ((done = Atomics.load(ctl, DONE)) < n) Atomics.wait(ctl, DONE, done, 1000);
        Atomics.store(ctl, MAIN_SLEEPS, 0);
      }
      this.calls.finished(t0);
    }
    if (Atomics.load(ctl, ERRORS) !== 0) {
      Atomics.store(ctl, ERRORS, 0);
      throw new Error(`wasm threads: a worker failed: ${this.takeError() ?? 'unknown error'}`);
    }
  }

  /** Stop the workers (they exit at once, or after their current kernel); resolves when they have. Idempotent. */
  dispose(): Promise<void> {
    if (!this.stopped) {
      this.closed = true;
      this.calls.exit();
      for (const port of this.ports) port.close();
      this.stopped = Promise.all(this.workers.map((w) => w.terminate())).then(() => undefined);
    }
    return this.stopped;
  }

  /** A message a worker posted about a failure, if any. */
  private takeError(): string | null {
    for (const port of this.ports) {
      const msg = nodeBuiltin('node:worker_threads', 'wasm threads').receiveMessageOnPort(port);
      if (msg) return String(msg.message);
    }
    return null;
  }
}
