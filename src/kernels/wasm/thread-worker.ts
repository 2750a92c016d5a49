/**
 * Worker-thread entry of the threaded wasm backend in Node: the loop of worker-loop.ts, with its init from
 * workerData and failures posted on the pool's port. terminate() or process exit stops it.
 */
import { workerData } from 'node:worker_threads';
import type { WorkerInit } from './threads.js';
import { runWorkerLoop } from './worker-loop.js';

const init = workerData as WorkerInit;
runWorkerLoop(init, (message) => init.port.postMessage(message));
init.port.close();
