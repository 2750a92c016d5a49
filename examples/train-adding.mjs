// Train an LSTM on the adding problem (T = 50) and save it.   node examples/train-adding.mjs
import { Model, addingTask, fit, getBackend, saveModel } from 'recur';

const task = addingTask({ T: 50 });
const model = new Model(
  { inputSize: task.inputSize, outputSize: task.outputSize, target: task.target, cell: { kind: 'lstm', hidden: 32 } },
  getBackend(), // wasm (float32 SIMD) where available, else the float64 reference
  1, // seed of the initialisation
);
const result = fit(model, task, {
  steps: 2000,
  batchSize: 32,
  seed: 1,
  clipNorm: 1,
  stopWhenSolved: true,
  evalEvery: 100,
  optimizer: { kind: 'adam', lr: 0.01 },
  schedule: { kind: 'cosine', lr: 0.01, total: 2000 },
});
console.log(
  `${result.status} after ${result.steps} steps: test MSE ${result.final.metric.toFixed(5)} (baseline ${task.baseline.toFixed(3)})`,
);
saveModel('/tmp/lstm-adding.safetensors', model);
