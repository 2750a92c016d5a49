// Classify noisy waveforms of different lengths from plain arrays.   node examples/your-data.mjs
import { Model, Rng, dataset, evaluate, fit, getBackend, predict } from 'recur';

// Series of 20–40 samples: a sine (0), a square (1) or a sawtooth (2) wave, random frequency and phase, noise.
const rng = new Rng(7);
const shapes = [(p) => Math.sin(2 * Math.PI * p), (p) => (p % 1 < 0.5 ? 1 : -1), (p) => 2 * (p % 1) - 1];
function wave(label, length) {
  const f = rng.uniformIn(0.05, 0.15),
    phase = rng.uniform();
  return Array.from({ length }, (_, t) => shapes[label](f * t + phase) + 0.3 * rng.normal());
}
const y = Array.from({ length: 300 }, (_, n) => n % 3);
const x = y.map((label) => wave(label, 20 + rng.int(21)));

const data = dataset({ x, y, loss: 'xent' }); // padded to 40 steps with a mask; 3 classes
const { train, validation } = data.split(0.2, { seed: 1 });
const model = new Model(
  { inputSize: 1, outputSize: 3, target: 'last', cell: { kind: 'gru', hidden: 16 } },
  getBackend(),
  1,
);
const result = fit(model, train, {
  steps: 300,
  batchSize: 16,
  seed: 1,
  evalEvery: 100,
  validation,
  optimizer: { kind: 'adam', lr: 0.02 },
  onEvent: (e) => {
    if (e.type === 'eval') console.log(`step ${e.step}: validation accuracy ${e.metrics.accuracy.toFixed(3)}`);
  },
});
const m = evaluate(model, validation);
console.log(
  `${result.status}: accuracy ${m.accuracy.toFixed(3)} on ${validation.size} held-out series (baseline ${validation.baseline.toFixed(3)})`,
);

const square = wave(1, 25); // a new series: x is [T, B, I] = [25, 1, 1]
const scores = predict(model, { x: square, T: 25, B: 1 }).y;
console.log(
  `a new square wave: class ${scores.indexOf(Math.max(...scores))} (scores ${Array.from(scores, (v) => v.toFixed(2)).join(', ')})`,
);
model.dispose(); // give the model's memory back
