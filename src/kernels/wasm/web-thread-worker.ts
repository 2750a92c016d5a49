/**
 * Web Worker entry of the threaded wasm backend in a browser (web-threads.ts starts it as a module worker):
 * the first message carries the module, the shared memory and the control block; then the loop of
 * worker-loop.ts runs until the pool says exit. Imports no `node:` module.
 */
import { runWorkerLoop, type WorkerLoopInit } from './worker-loop.js';

/** The slice of the worker global this file uses (the project is typed without the DOM libs). */
interface WorkerScope {
  onmessage: ((event: { data: WorkerLoopInit }) => void) | null;
  postMessage(message: { error: string }): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (event) => {
  scope.onmessage = null;
  runWorkerLoop(event.data, (error) => scope.postMessage({ error }));
  scope.close();
};
