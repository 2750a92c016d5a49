/**
 * recur — recurrent neural networks in TypeScript: SIMD WebAssembly kernels, exact backpropagation through
 * time, the gradient-flow instruments, and reproducible studies (the study runner, report and CLI live in
 * runner/, report/ and cli/ and are not part of the library API).
 *
 * This entry runs anywhere (Node, browsers, workers): it imports no `node:` module. In a browser, load the
 * kernels once with `await loadWasm()` before `getBackend('wasm')`. The Node entry (src/node.ts, what
 * `import … from 'recur'` resolves to in Node) adds the helpers that read and write files.
 *
 * Layers, each importing only from those before it:
 *   tensor → kernels → autodiff → ops → cells → models → optim, io → train → diagnostics, tasks
 */
export { Tensor } from './tensor/tensor.js';
export { Rng, type RngState } from './tensor/rng.js';
export { shapeSize, formatShape, sameShape, type Shape } from './tensor/shape.js';

export { getBackend, defaultBackendName, referenceBackend, type BackendName } from './kernels/index.js';
export type { Backend, Activation, UnaryKind, Ref, Storage, FloatArray, AdamStep } from './kernels/backend.js';
export { createWasmBackend, wasmAvailable, relaxedSimdSupported, type WasmBackend } from './kernels/wasm/backend.js';
export { loadWasm, type WasmFile, type WasmSource } from './kernels/wasm/source.js';
export {
  createWasmBackendAsync,
  webThreadsAvailable,
  type AsyncBackendOptions,
} from './kernels/wasm/web-threads.js';

export { Tape, AnomalyError, type TapeNode, type TapeOptions } from './autodiff/tape.js';
export { gradcheck, gradcheckInPlace, type GradcheckOptions, type GradcheckResult } from './autodiff/gradcheck.js';

export * as ops from './ops/index.js';

export * from './cells/index.js';
export type { DeepConfig, DeepVariant } from './cells/deep.js';
export type { LruConfig } from './cells/lru.js';
export { Model, type ModelConfig, type ForwardOptions, type ModelOutput, type Layer } from './models/model.js';
export { modelForTask, type TaskSizes } from './models/for-task.js';
export { scan, type ScanOptions, type ScanResult } from './models/scan.js';
export { createReadout, type Readout, type ReadoutConfig } from './models/readout.js';
export { predict, type PredictInput, type Prediction } from './models/infer.js';
export {
  parseModelConfig,
  modelConfigSchema,
  modelShapeSchema,
  cellConfigSchema,
  type ModelShape,
  type ResolvedModelConfig,
} from './models/config.js';

export * from './optim/index.js';

export { encodeSafetensors, decodeSafetensors, type SafeTensor } from './io/safetensors.js';
export { modelToBytes, modelFromBytes } from './io/model-file.js';
export {
  toTorchStateDict,
  loadTorchStateDict,
  modelFromTorchStateDict,
  inspectTorchStateDict,
  torchName,
  type TorchMode,
  type StateDict,
} from './io/pytorch.js';

export { dataset, Dataset, isDataset, type DatasetOptions } from './data/dataset.js';
export { padSequences, type Sequence, type PaddedSequences, type PadOptions } from './data/pad.js';
export type { Targets } from './data/targets.js';

export {
  fit,
  fitAsync,
  type FitOptions,
  type FitAsyncOptions,
  type FitResult,
  type TrainEvent,
  type LossFunction,
} from './train/fit.js';
export { evaluate, type EvaluateOptions, type Evaluation } from './train/evaluate.js';
export type { TrainingCheckpoint } from './train/checkpoint.js';
export { buildGraph, loadBatch, GraphCache, type Graph, type GraphOptions } from './train/graph.js';
export { MetricAccumulator, isSolved, type Metrics } from './train/metrics.js';

export * from './tasks/index.js';

export * as linalg from './linalg/index.js';
export * as diagnostics from './diagnostics/index.js';
