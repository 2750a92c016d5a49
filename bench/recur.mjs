/**
 * recur's side of the benchmark: a workload as a model + GraphCache + Adam, and one training step done
 * exactly as `fit` does it (src/train/fit.ts): copy the batch into the cached graph and replay its tape
 * forward (GraphCache.run), read the loss, backpropagate through time (tape.backward), take the gradient
 * norm (fit computes it every step, for its history and its divergence check), and step the optimizer.
 * Inference workloads replay a graph recorded without gradients and read the loss.
 *
 * The library is passed in (`loadRecur()` imports the compiled one from dist/; the smoke test passes the
 * TypeScript sources), so the benchmark and its test run the same code path.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LR, makeData } from './workloads.mjs';

/**
 * The parts of recur the benchmark uses, from the compiled library in dist/ — this checkout's, or that of the
 * checkout `dir` (default: RECUR_BENCH_DIST, set by `npm run bench -- --baseline <dir>`; it needs dist/ and build/).
 */
export async function loadRecur(dir = process.env.RECUR_BENCH_DIST) {
  const root = dir ? pathToFileURL(`${resolve(dir)}/`) : new URL('../', import.meta.url);
  const load = (f) => import(new URL(`dist/${f}`, root).href);
  const [kernels, model, graph, optim] = await Promise.all([
    load('kernels/index.js'),
    load('models/model.js'),
    load('train/graph.js'),
    load('optim/index.js'),
  ]).catch((e) => {
    if (e.code === 'ERR_MODULE_NOT_FOUND')
      throw new Error(`recur's compiled library is missing (${e.message}): run \`npm run build\``);
    throw e;
  });
  return {
    getBackend: kernels.getBackend,
    Model: model.Model,
    GraphCache: graph.GraphCache,
    createOptimizer: optim.createOptimizer,
    gradNorm: optim.gradNorm,
  };
}

/** The recur cell config of a workload. */
export function cellConfig(w) {
  switch (w.cell) {
    case 'lstm':
      return { kind: 'lstm', hidden: w.hidden };
    case 'gru':
      return { kind: 'gru', hidden: w.hidden };
    case 'rnn':
      return { kind: 'vanilla', hidden: w.hidden, activation: 'tanh' };
    case 'deep':
      return { kind: 'deep', hidden: w.hidden, depth: w.depth, variant: 'plain' };
    default:
      throw new Error(`workload ${w.id}: unknown cell '${w.cell}'`);
  }
}

/**
 * Build a workload on `backend` ('wasm' by default) with `threads` kernel threads (default: RECUR_THREADS,
 * else 1). Returns `step()` (one training or inference step, returning the loss), `info` (backend variant,
 * threads, parameter count) and memory probes of the wasm heap. Throws `NotAvailable` when this build of
 * recur does not know the workload's cell (e.g. 'deep' before src/cells/deep.ts exists).
 */
export function createRecurRunner(lib, w, { backend = 'wasm', seed = 0, threads } = {}) {
  const be = lib.getBackend(backend, threads === undefined ? undefined : { threads });
  let model;
  try {
    model = new lib.Model({ inputSize: w.input, outputSize: w.classes, cell: cellConfig(w), target: 'last' }, be, seed);
  } catch (e) {
    if (/unknown transition kind/.test(e.message))
      throw new NotAvailable(`recur does not know cell '${w.cell}' yet: ${e.message}`);
    throw e;
  }
  const batch = makeData(w);
  const params = model.parameters();
  const graphs = new lib.GraphCache(model, { loss: 'xent', target: 'last' }, { grad: w.train, training: w.train });
  const optimizer = w.train ? lib.createOptimizer({ kind: 'adam', lr: LR }, params) : null;
  const step = w.train
    ? () => {
        const g = graphs.run(batch);
        const loss = g.loss.item();
        g.tape.backward(g.loss);
        lib.gradNorm(params);
        optimizer.step(LR);
        return loss;
      }
    : () => graphs.run(batch).loss.item();
  const heap = be.heap ?? null;
  return {
    step,
    info: {
      backend: be.name,
      variant: be.variant ?? null,
      dtype: be.dtype ?? null,
      threads: be.threads ?? 1,
      parameters: model.parameterCount(),
    },
    /** Bytes of the wasm memory (its ArrayBuffer), and bytes in live heap blocks; null off wasm. */
    wasmMemoryBytes: () => (heap ? heap.memory.buffer.byteLength : null),
    wasmHeapUsedBytes: () => (heap ? heap.stats().used : null),
    dispose: () => {
      graphs.dispose();
      optimizer?.dispose();
    },
  };
}

export class NotAvailable extends Error {
  constructor(message) {
    super(message);
    this.name = 'NotAvailable';
  }
}
