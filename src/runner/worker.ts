/**
 * Worker-thread entry: runs the trials the pool sends, one at a time, and posts progress and results back.
 * Messages in: { type: 'run', trial }. Messages out: { type: 'progress', key, progress } and
 * { type: 'result', key, record }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendName } from '../kernels/index.js';
import type { TrialSpec } from './grid.js';
import { runTrial } from './trial.js';

const { backend, detectAnomaly } = (workerData ?? {}) as { backend?: BackendName; detectAnomaly?: boolean };

parentPort?.on('message', (msg: { type: 'run'; trial: TrialSpec }) => {
  if (msg.type !== 'run') return;
  const { trial } = msg;
  const record = runTrial(trial, {
    backend,
    detectAnomaly,
    onProgress: (progress) => parentPort?.postMessage({ type: 'progress', key: trial.key, progress }),
  });
  parentPort?.postMessage({ type: 'result', key: trial.key, record });
});
