// Every transition family, built and run on one batch.   node examples/transitions.mjs
import { Model, Rng, addingTask, predict, referenceBackend } from 'recur';

const task = addingTask({ T: 20 });
const batch = task.sample(new Rng(0), 4);
const cells = {
  'vanilla tanh': { kind: 'vanilla', hidden: 16, activation: 'tanh' },
  'linear RNN, ‖A‖ = 0.9': {
    kind: 'vanilla',
    hidden: 16,
    activation: 'identity',
    recurrentInit: { kind: 'orthogonal', spectralNorm: 0.9 },
  },
  IRNN: { kind: 'vanilla', hidden: 16, activation: 'relu', recurrentInit: { kind: 'identity' } },
  GRU: { kind: 'gru', hidden: 16 },
  LSTM: { kind: 'lstm', hidden: 16, forgetBias: 1 },
  'deep plain L=4': { kind: 'deep', hidden: 16, depth: 4, variant: 'plain' },
  'deep shortcut L=4': { kind: 'deep', hidden: 16, depth: 4, variant: 'shortcut' },
  'deep residual L=4 + LN': { kind: 'deep', hidden: 16, depth: 4, variant: 'residual', layerNorm: true },
  'highway (RHN) L=4': { kind: 'deep', hidden: 16, depth: 4, variant: 'highway' },
  LRU: { kind: 'lru', hidden: 16 },
};
for (const [name, cell] of Object.entries(cells)) {
  const model = new Model(
    { inputSize: 2, outputSize: 1, target: 'last', cell, layers: 2, bidirectional: name === 'GRU' },
    referenceBackend,
    1,
  );
  const { y, shape } = predict(model, batch);
  console.log(
    `${name.padEnd(24)} ${String(model.parameterCount()).padStart(5)} parameters  y ${JSON.stringify(shape)} = ${Array.from(y, (v) => v.toFixed(3)).join(' ')}`,
  );
}
