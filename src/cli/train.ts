/** `recur train`: train one model on one task with a progress bar, evaluate, and save the model. */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { getBackend, type BackendName } from '../kernels/index.js';
import { Model } from '../models/model.js';
import { createTask } from '../tasks/registry.js';
import { fit } from '../train/fit.js';
import { saveModel } from '../io/model-file.js';
import { int, modelFromFlags, num, taskFromFlags, type SpecFlags } from './options.js';
import { createProgress } from './progress.js';
import { userInput } from './errors.js';

interface TrainFlags extends SpecFlags {
  steps: number;
  batch: number;
  lr: number;
  optimizer: 'adam' | 'adamw' | 'sgd' | 'rmsprop';
  clip?: number;
  seed: number;
  evalEvery?: number;
  out?: string;
  backend?: BackendName;
  threads?: number;
  json?: boolean;
  quiet?: boolean;
}

export function registerTrain(program: Command): void {
  program.command('train')
    .description('train one model on one task (progress bar), evaluate it and save it')
    .option('--task <kind>', 'task (see `recur tasks`)', 'adding')
    .option('--T <n>', 'sequence length', int('--T'))
    .option('--task-config <json>', 'full task spec as JSON, e.g. \'{"kind":"copy","T":50}\'')
    .option('--cell <kind>', 'transition: vanilla | gru | lstm | deep | lru', 'lstm')
    .option('--hidden <n>', 'state size per direction', int('--hidden'))
    .option('--depth <L>', 'transition depth (deep)', int('--depth'))
    .option('--variant <v>', 'deep variant: plain | shortcut | residual | highway')
    .option('--activation <a>', 'tanh | sigmoid | relu | identity (vanilla, deep)')
    .option('--init <kind>', 'recurrent init: uniform | glorot | orthogonal | identity | normal')
    .option('--spectral-norm <s>', 'rescale the recurrent matrix to this spectral norm', num('--spectral-norm'))
    .option('--layers <n>', 'stacked layers', int('--layers'))
    .option('--bidirectional', 'bidirectional layers')
    .option('--model-config <json>', 'full model shape as JSON (cell, layers, bidirectional, readout, …)')
    .option('--steps <n>', 'optimisation steps', int('--steps'), 1000)
    .option('--batch <n>', 'batch size', int('--batch'), 32)
    .option('--optimizer <kind>', 'adam | adamw | sgd | rmsprop', 'adam')
    .option('--lr <x>', 'learning rate', num('--lr'), 1e-3)
    .option('--clip <x>', 'clip the global gradient norm', num('--clip'))
    .option('--seed <n>', 'seed (initialisation and data)', int('--seed'), 1)
    .option('--eval-every <n>', 'evaluate every n steps', int('--eval-every'))
    .option('--out <file>', 'save the trained model (safetensors)')
    .option('--backend <name>', 'wasm | reference')
    .option('--threads <n>', 'threads for the wasm kernels (default RECUR_THREADS, else one per core up to 2)', int('--threads'))
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress output')
    .addHelpText('after', `
Examples:
  recur train --task adding --T 50 --cell lstm --hidden 64 --steps 2000 --lr 0.01 --out lstm.safetensors
  recur train --task copy --T 20 --cell gru --hidden 64 --steps 3000
  recur train --task adding --T 30 --cell deep --depth 4 --variant highway --hidden 64
  recur train --task-config '{"kind":"mnist","variant":"row","subset":5000}' --cell lstm --hidden 128`)
    .action((f: TrainFlags) => {
      const spec = taskFromFlags(f);
      const shape = modelFromFlags(f);
      const task = createTask(spec);
      const model = new Model({ ...shape, inputSize: task.inputSize, outputSize: task.outputSize, target: task.target }, getBackend(f.backend, { threads: f.threads ?? (process.env.RECUR_THREADS ? undefined : Math.min(2, availableParallelism())) }), f.seed);
      const progress = createProgress(f.steps, 'train', { quiet: f.quiet || f.json });
      let lastMetric = '';
      const r = fit(model, task, {
        steps: f.steps, batchSize: f.batch, optimizer: { kind: f.optimizer, lr: f.lr }, clipNorm: f.clip, seed: f.seed,
        evalEvery: f.evalEvery,
        onEvent: (e) => {
          if (e.type === 'step' && (e.step % 10 === 0 || e.step + 1 === f.steps)) progress.update(e.step + 1, `loss ${e.loss.toPrecision(4)}${lastMetric}`);
          if (e.type === 'eval') {
            lastMetric = ` | eval ${task.metric} ${e.metrics.metric.toPrecision(4)}${e.solved ? ' (solved)' : ''}`;
            progress.log(`step ${e.step}: eval ${task.metric} ${e.metrics.metric.toPrecision(4)}${e.solved ? ' (solved)' : ''}`);
          }
          if (e.type === 'diverged') progress.log(`diverged at step ${e.step}: ${e.reason}`);
        },
      });
      progress.stop();
      if (f.out) userInput(() => saveModel(f.out!, model, { task: JSON.stringify(spec), trainedSteps: String(r.steps) }));
      const summary = {
        task: spec, model: model.config, parameters: model.parameterCount(), status: r.status, steps: r.steps,
        final: r.final, solvedAt: r.solvedAt, baseline: task.baseline, metric: task.metric, seconds: Number(r.seconds.toFixed(2)),
        ...(r.divergedAt !== undefined ? { divergedAt: r.divergedAt, reason: r.divergedReason } : {}), ...(f.out ? { saved: f.out } : {}),
      };
      if (f.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      const m = r.final ? r.final.metric.toPrecision(4) : 'n/a';
      process.stdout.write(`${spec.kind} T=${task.T} · ${shape.cell.kind} (${model.parameterCount()} parameters) · ${r.status} after ${r.steps} steps in ${r.seconds.toFixed(1)} s\n`);
      process.stdout.write(`final ${task.metric} ${m} (baseline ${task.baseline.toPrecision(4)}${r.solvedAt !== null ? `, solved at step ${r.solvedAt}` : ', not solved'})\n`);
      if (r.divergedAt !== undefined) process.stdout.write(`diverged at step ${r.divergedAt}: ${r.divergedReason}\n`);
      if (f.out) process.stdout.write(`saved ${f.out}\n`);
    });
}
