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
export const NOTHING = 0;
export const EXIT = -1;

export const MAX_ARGS = 16;
export const GEN = 0,
  DONE = 16,
  MAIN_SLEEPS = 32,
  ERRORS = 48,
  READY = 64;
const SLOT0 = 512,
  SLOT_BYTES = 256;
/** Int32 index of worker w's kernel id (its sleeping flag is the next one). */
export const slotId = (w: number): number => (SLOT0 + w * SLOT_BYTES) / 4;
/** Float64 index of worker w's first argument. */
export const slotArgs = (w: number): number => (SLOT0 + w * SLOT_BYTES + 64) / 8;
export const controlBytes = (workers: number): number => SLOT0 + workers * SLOT_BYTES;

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

export interface ThreadPoolStats {
  /** Kernel calls split over the threads. */
  dispatches: number;
  /** Of those, calls where the workers finished well after the calling thread (not scheduled promptly). */
  late: number;
  /** Times the pool backed off (ran everything on the calling thread for a while) because workers were late. */
  backoffs: number;
}

/**
 * Back-off rule: in windows of WINDOW_MS, add up the time the calling thread lost waiting for late workers
 * (beyond 15 µs + half its own part); more than LOST_SHARE of a window means the workers do not get a core
 * of their own (another process is busy): run on the calling thread alone for a while. Short bursts (V8
 * compiling or collecting on its own background threads, mostly in the first second) stay below that.
 */
const WINDOW_MS = 200,
  LOST_SHARE = 0.25;
/**
 * Waiting right after a sleeping worker was woken is not counted: the wake-up itself, and a woken worker
 * that landed on this thread's core until the scheduler moves it (one scheduler tick, ~4 ms), are not
 * signs of a busy machine.
 */
const WAKE_GRACE_MS = 20;
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
  private readonly backoffMs: number;
  private gen = 0;
  private closed = false;
  private stopped: Promise<void> | null = null;
  private started = 0;
  private windowStart = 0;
  private windowLost = 0;
  private graceEnd = 0;
  private backingOff = false;
  private backoffEnd = -Infinity;
  private backoffNow: number;
  private readonly counts: ThreadPoolStats = { dispatches: 0, late: 0, backoffs: 0 };

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
    this.backoffMs = options.backoffMs ?? 250;
    this.backoffNow = this.backoffMs;
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
    if (this.closed) return false;
    if (!this.backingOff) return true;
    if (performance.now() < this.backoffEnd) return false;
    this.backingOff = false;
    return true;
  }

  stats(): ThreadPoolStats {
    return { ...this.counts };
  }

  /**
   * Start the kernel `id` on workers 0..parts−1, whose slots (ids are set here, arguments by the caller)
   * are filled; the other workers get nothing to do. The caller then does its own part and calls finish().
   */
  start(id: number, parts: number): void {
    const ctl = this.ctl;
    for (let w = 0; w < this.size; w++) ctl[slotId(w)] = w < parts ? id : NOTHING;
    Atomics.store(ctl, DONE, 0);
    this.gen = (this.gen + 1) | 0;
    Atomics.store(ctl, GEN, this.gen);
    this.started = performance.now();
    for (let w = 0; w < this.size; w++) {
      if (Atomics.load(ctl, slotId(w) + 1) !== 0) {
        Atomics.notify(ctl, GEN);
        this.graceEnd = this.started + WAKE_GRACE_MS;
        break;
      }
    }
    this.counts.dispatches++;
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
      this.account(t0, performance.now() - t0 - 0.015 - 0.5 * (t0 - this.started));
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
      for (let w = 0; w < this.size; w++) this.ctl[slotId(w)] = EXIT;
      this.gen = (this.gen + 1) | 0;
      Atomics.store(this.ctl, GEN, this.gen);
      Atomics.notify(this.ctl, GEN);
      for (const port of this.ports) port.close();
      this.stopped = Promise.all(this.workers.map((w) => w.terminate())).then(() => undefined);
    }
    return this.stopped;
  }

  /**
   * Account `lost` ms of waiting (when > 0: a late finish) at time `now`; back off when a window lost too
   * much. Back-offs that follow each other closely double in length (up to 16× backoffMs).
   */
  private account(now: number, lost: number): void {
    if (now - this.windowStart > WINDOW_MS) {
      this.windowStart = now;
      this.windowLost = 0;
    }
    if (lost <= 0) return;
    this.counts.late++;
    if (now < this.graceEnd) return;
    this.windowLost += lost;
    if (this.windowLost < LOST_SHARE * WINDOW_MS) return;
    const recent = now - this.backoffEnd < 4 * this.backoffNow;
    this.backoffNow = recent ? Math.min(16 * this.backoffMs, 2 * this.backoffNow) : this.backoffMs;
    this.backoffEnd = now + this.backoffNow;
    this.backingOff = true;
    this.windowStart = now;
    this.windowLost = 0;
    this.counts.backoffs++;
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
