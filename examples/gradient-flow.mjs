// ‖∂L/∂h_t‖ through time: a vanilla tanh RNN with ‖A‖ = 0.9 against plain deep transitions of depth L.
//   node examples/gradient-flow.mjs
import { Model, Rng, addingTask, diagnostics, getBackend } from 'recur';

const task = addingTask({ T: 100 });
const batch = task.sample(new Rng(1), 32);
const cells = [
  [
    'vanilla tanh, ‖A‖ = 0.9',
    { kind: 'vanilla', hidden: 64, recurrentInit: { kind: 'orthogonal', spectralNorm: 0.9 } },
  ],
  ...[1, 2, 4, 8].map((L) => [
    `deep plain, L = ${L}`,
    { kind: 'deep', hidden: 64, depth: L, variant: 'plain', recurrentInit: { kind: 'orthogonal' } },
  ]),
  [
    'deep highway, L = 8',
    { kind: 'deep', hidden: 64, depth: 8, variant: 'highway', recurrentInit: { kind: 'orthogonal' } },
  ],
];
console.log('transition                  decay/step   95% CI               ‖∂L/∂h_1‖/‖∂L/∂h_T‖   bound β/step');
for (const [name, cell] of cells) {
  const model = new Model({ inputSize: 2, outputSize: 1, target: 'last', cell }, getBackend(), 1);
  const g = diagnostics.gradientThroughTime(model, task, batch).cells[0];
  const bound = diagnostics.transitionBound(model.layers[0].cells[0]);
  const ratio = g.mean[0] / g.mean[task.T - 1];
  console.log(
    `${name.padEnd(26)} ${g.fit.slope.toFixed(4).padStart(9)}   [${g.fit.ci[0].toFixed(4)}, ${g.fit.ci[1].toFixed(4)}]   ${ratio.toExponential(2).padStart(12)}          ${bound.perStep === null ? 'none (gated)' : bound.perStep.toFixed(3)}`,
  );
}
