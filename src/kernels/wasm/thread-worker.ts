/**
 * Worker-thread entry of the threaded wasm backend (see threads.ts for the protocol): instantiate the
 * threaded kernel module on the shared memory, then run kernel calls from this worker's command slot until
 * told to exit. Runs synchronously forever (it never returns to its event loop): the pool talks to it only
 * through the shared control block, and terminate() or process exit stops it.
 */
import { workerData } from 'node:worker_threads';
import { wasmApi } from './wasm-api.js';
import {
  DONE,
  ERRORS,
  EXIT,
  GEN,
  MAIN_SLEEPS,
  NOTHING,
  READY,
  slotArgs,
  slotId,
  THREAD_KERNELS,
  type WorkerInit,
} from './threads.js';

type Fn = (...args: number[]) => void;

const { module, memory, control, index, spinMicros, port } = workerData as WorkerInit;
const ctl = new Int32Array(control);
const args = new Float64Array(control);
const idAt = slotId(index),
  sleepAt = idAt + 1,
  a0 = slotArgs(index);

function main(): void {
  const exports = new wasmApi!.Instance(module, { env: { memory } }).exports as Record<string, Fn>;
  const fns: Fn[] = THREAD_KERNELS.map((name) => exports[name]);
  if (fns.some((f) => typeof f !== 'function')) throw new Error('the kernel module lacks an exported kernel');
  // The generation moves only once every worker is ready: read it before saying so.
  let seen = Atomics.load(ctl, GEN);
  Atomics.add(ctl, READY, 1);
  Atomics.notify(ctl, READY);
  for (;;) {
    seen = waitForWork(seen);
    const id = ctl[idAt];
    if (id === EXIT) return;
    if (id !== NOTHING) {
      try {
        call(fns[id - 1]);
      } catch (e) {
        port.postMessage(`worker ${index}: ${(e as Error).stack ?? String(e)}`);
        Atomics.add(ctl, ERRORS, 1);
      }
    }
    Atomics.add(ctl, DONE, 1);
    if (Atomics.load(ctl, MAIN_SLEEPS) !== 0) Atomics.notify(ctl, DONE);
  }
}

/** Spin until the generation moves past `seen` (then sleep in Atomics.wait); returns the new generation. */
function waitForWork(seen: number): number {
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
}

/** Call a kernel with this slot's MAX_ARGS arguments (wasm functions ignore the extra ones). */
function call(f: Fn): void {
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
}

try {
  main();
} catch (e) {
  port.postMessage(`worker ${index}: ${(e as Error).stack ?? String(e)}`);
  Atomics.add(ctl, ERRORS, 1);
  Atomics.notify(ctl, READY);
}
port.close();
