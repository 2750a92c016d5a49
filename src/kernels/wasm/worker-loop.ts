/**
 * The loop every kernel worker runs, in Node (thread-worker.ts, a worker_threads worker) and in a browser
 * (web-thread-worker.ts, a Web Worker): instantiate the threaded kernel module on the shared memory, then
 * run kernel calls from this worker's command slot until told to exit (see threads.ts for the protocol).
 * Runs synchronously (it never returns to its event loop until EXIT): the pool talks to it only through
 * the shared control block.
 */
import { wasmApi, type WasmMemory, type WasmModule } from './wasm-api.js';
import { DONE, ERRORS, EXIT, GEN, MAIN_SLEEPS, NOTHING, READY, slotArgs, slotId, THREAD_KERNELS } from './threads.js';

type Fn = (...args: number[]) => void;

/** What a worker needs, whatever carried it there (workerData, a message). */
export interface WorkerLoopInit {
  module: WasmModule;
  memory: WasmMemory;
  control: SharedArrayBuffer;
  index: number;
  spinMicros: number;
}

/**
 * Run worker `init.index` until the pool says exit. A kernel that throws is reported through `report`
 * (and counted in ERRORS); a failure before the loop starts too (then READY is notified so the pool wakes).
 */
export function runWorkerLoop(init: WorkerLoopInit, report: (message: string) => void): void {
  const { module, memory, control, index, spinMicros } = init;
  const ctl = new Int32Array(control);
  const args = new Float64Array(control);
  const idAt = slotId(index),
    sleepAt = idAt + 1,
    a0 = slotArgs(index);
  const fail = (e: unknown): void => {
    report(`worker ${index}: ${(e as Error).stack ?? String(e)}`);
    Atomics.add(ctl, ERRORS, 1);
  };

  /** Spin until the generation moves past `seen` (then sleep in Atomics.wait); returns the new generation. */
  const waitForWork = (seen: number): number => {
    let g = Atomics.load(ctl, GEN);
    if (g !== seen) return g;
    const t0 = performance.now();
    let spins = 0;
    for (;;) {
      g = Atomics.load(ctl, GEN);
      if (g !== seen) return g;
      if ((++spins & 255) === 0 && performance.now() - t0 > spinMicros * 1e-3) break;
    }
    Atomics.store(ctl, sleepAt, 1);
    while ((g = Atomics.load(ctl, GEN)) === seen) Atomics.wait(ctl, GEN, seen);
    Atomics.store(ctl, sleepAt, 0);
    return g;
  };

  /** Call a kernel with this slot's MAX_ARGS arguments (wasm functions ignore the extra ones). */
  const call = (f: Fn): void => {
    const a = args,
      o = a0;
    f(
      a[o],
      a[o + 1],
      a[o + 2],
      a[o + 3],
      a[o + 4],
      a[o + 5],
      a[o + 6],
      a[o + 7],
      a[o + 8],
      a[o + 9],
      a[o + 10],
      a[o + 11],
      a[o + 12],
      a[o + 13],
      a[o + 14],
      a[o + 15],
    );
  };

  let fns: Fn[];
  let seen: number;
  try {
    const exports = new wasmApi!.Instance(module, { env: { memory } }).exports as Record<string, Fn>;
    fns = THREAD_KERNELS.map((name) => exports[name]);
    if (fns.some((f) => typeof f !== 'function')) throw new Error('the kernel module lacks an exported kernel');
    // The generation moves only once every worker is ready: read it before saying so.
    seen = Atomics.load(ctl, GEN);
    Atomics.add(ctl, READY, 1);
    Atomics.notify(ctl, READY);
  } catch (e) {
    fail(e);
    Atomics.notify(ctl, READY);
    return;
  }
  for (;;) {
    seen = waitForWork(seen);
    const id = ctl[idAt];
    if (id === EXIT) return;
    if (id !== NOTHING) {
      try {
        call(fns[id - 1]);
      } catch (e) {
        fail(e);
      }
    }
    Atomics.add(ctl, DONE, 1);
    if (Atomics.load(ctl, MAIN_SLEEPS) !== 0) Atomics.notify(ctl, DONE);
  }
}
