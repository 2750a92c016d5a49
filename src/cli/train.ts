/**
 * `recur train`: train one model on one task with a progress bar, evaluate, and save the model.
 * Ctrl-C (SIGINT) or SIGTERM stops after the current step, writes a checkpoint, restores the terminal and
 * exits 130 / 143; `--checkpoint FILE --resume` continues exactly where it stopped.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { getBackend, type BackendName } from '../kernels/index.js';
import type { Model } from '../models/model.js';
import { modelForTask } from '../models/for-task.js';
import { createTask } from '../tasks/registry.js';
import { fitAsync, type FitResult } from '../train/fit.js';
import { saveModel } from '../io/model-file.js';
import { addModelOptions, checkWorkload, int, modelFromFlags, num, taskFromFlags } from './options.js';
import { scheduleFromFlags, type TrainFlags, validate } from './train-flags.js';
import { createProgress } from './progress.js';
import { UserError, userInput } from './errors.js';

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description('train one model on one task (progress bar), evaluate it and save it')
    .option('--task <kind>', 'task (see `recur tasks`)', 'adding')
    .option('--T <n>', "sequence length (default: the task's, see `recur tasks`)", int('--T'))
    .option('--task-config <json>', 'full task spec as JSON, e.g. \'{"kind":"copy","T":50}\'');
  addModelOptions(command, 'lstm')
    .option('--steps <n>', 'optimisation steps', int('--steps'), 1000)
    .option('--batch <n>', 'batch size', int('--batch'), 32)
    .option('--optimizer <kind>', 'adam | adamw | sgd | rmsprop', 'adam')
    .option('--lr <x>', 'learning rate', num('--lr'), 1e-3)
    .option('--clip <x>', 'clip the global gradient norm', num('--clip'))
    .option('--weight-decay <x>', 'weight decay (L2 for adam/sgd/rmsprop, decoupled for adamw)', num('--weight-decay'))
    .option(
      '--schedule <kind>',
      'learning-rate schedule: constant | cosine (to 0 at the last step) | step | exponential',
      'constant',
    )
    .option('--warmup <n>', 'linear learning-rate warm-up steps', int('--warmup'))
    .option(
      '--gamma <x>',
      'decay factor (step: per --decay-every steps, default 0.1; exponential: per step)',
      num('--gamma'),
    )
    .option('--decay-every <n>', 'steps between decays (step schedule; default steps/3)', int('--decay-every'))
    .option('--dropout <p>', 'dropout between stacked layers (training only)', num('--dropout'))
    .option(
      '--early-stopping <patience>',
      'stop after this many evaluations without improvement',
      int('--early-stopping'),
    )
    .option('--stop-when-solved', "stop at the first evaluation that meets the task's solved criterion")
    .option('--seed <n>', 'seed (initialisation and data)', int('--seed'), 1)
    .option('--eval-every <n>', 'evaluate every n steps (default: steps/10, and at the end)', int('--eval-every'))
    .option('--out <file>', 'save the trained model (safetensors)')
    .option(
      '--checkpoint <file>',
      'write a training checkpoint here (at the end, on Ctrl-C, and every --checkpoint-every steps)',
    )
    .option('--checkpoint-every <n>', 'also write the checkpoint every n steps', int('--checkpoint-every'))
    .option('--resume', 'continue the run saved in --checkpoint (same flags: bit-identical to not stopping)')
    .option('--backend <name>', 'wasm | reference')
    .option(
      '--threads <n>',
      'threads for the wasm kernels (default RECUR_THREADS, else one per core up to 2)',
      int('--threads'),
    )
    .option('--detect-anomaly', 'check every op for NaN/Inf and name the first that makes one (slower; debugging)')
    .option('--json', 'print the result as JSON (with the loss and evaluation history)')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      `
Examples:
  recur train --task adding --T 50 --cell lstm --hidden 64 --steps 2000 --lr 0.01 --out lstm.safetensors
  recur train --task copy --T 20 --cell gru --hidden 64 --steps 3000
  recur train --task adding --T 30 --cell deep --depth 4 --variant highway --hidden 64
  recur train --task-config '{"kind":"mnist","variant":"row","subset":5000}' --cell lstm --hidden 128
  recur train --steps 20000 --checkpoint run.ckpt --checkpoint-every 1000   # Ctrl-C, then the same with --resume`,
    )
    .action(async (f: TrainFlags, cmd: Command) => {
      validate(f, cmd);
      const spec = taskFromFlags(f);
      const shape = { ...modelFromFlags(f), ...(f.dropout !== undefined ? { dropout: f.dropout } : {}) };
      const task = userInput(() => createTask(spec));
      checkWorkload(
        { ...shape, inputSize: task.inputSize, outputSize: task.outputSize, target: task.target },
        task.T,
        f.batch,
      );
      const threads = f.threads ?? (process.env.RECUR_THREADS ? undefined : Math.min(2, availableParallelism()));
      const model = userInput(() =>
        modelForTask(shape, task, getBackend(f.backend as BackendName | undefined, { threads }), f.seed),
      );
      const progress = createProgress(f.steps, 'train', {
        quiet: f.quiet || f.json,
        unit: 'steps',
        plainEveryMs: 10_000,
      });
      const checkpoint = f.checkpoint ?? `${f.out ? f.out.replace(/\.safetensors$/, '') : 'recur-train'}.ckpt`;
      const controller = new AbortController();
      let signal: NodeJS.Signals | null = null;
      const onSignal = (s: NodeJS.Signals): void => {
        if (signal) {
          progress.stop();
          process.exit(s === 'SIGTERM' ? 143 : 130);
        } // a second signal: leave now
        signal = s;
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let loss = '',
        lastEval = '';
      const evalText = (metric: number, solved: boolean): string =>
        `eval ${task.metric} ${metric.toPrecision(4)}${solved ? ' (solved)' : ''}`;
      let r: FitResult;
      try {
        r = await fitAsync(model, task, {
          steps: f.steps,
          batchSize: f.batch,
          clipNorm: f.clip,
          seed: f.seed,
          evalEvery: f.evalEvery,
          optimizer: {
            kind: f.optimizer as 'adam',
            lr: f.lr,
            ...(f.weightDecay !== undefined ? { weightDecay: f.weightDecay } : {}),
          },
          schedule: scheduleFromFlags(f),
          stopWhenSolved: f.stopWhenSolved,
          ...(f.earlyStopping !== undefined ? { earlyStopping: { patience: f.earlyStopping } } : {}),
          signal: controller.signal,
          detectAnomaly: f.detectAnomaly,
          checkpoint: { path: checkpoint, every: f.checkpointEvery, atEnd: f.checkpoint !== undefined },
          resume: f.resume ? checkpoint : undefined,
          onEvent: (e) => {
            if (e.type === 'step') {
              loss = `loss ${e.loss.toPrecision(4)}`;
              progress.update(e.step + 1, `${loss}${lastEval ? ` | ${lastEval}` : ''}`);
            } else if (e.type === 'eval') {
              lastEval = evalText(e.metrics.metric, e.solved);
              progress.log(`step ${e.step}: ${lastEval}`);
              progress.update(e.step, `${loss} | ${lastEval}`);
            } else if (e.type === 'diverged') progress.log(`diverged at step ${e.step}: ${e.reason}`);
          },
        }).catch((e: unknown) => {
          // fit's own checks (options, model vs task, the checkpoint to resume) are about what the user gave
          const msg = e instanceof Error ? e.message : String(e);
          throw /^fit\b|checkpoint/.test(msg) ? new UserError(msg) : e;
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        progress.stop();
      }
      if (r.status === 'interrupted') {
        process.stderr.write(
          `recur: ${signal ?? 'interrupted'} at step ${r.steps} of ${f.steps}: checkpoint saved to ${checkpoint}; ` +
            `continue with the same command and --checkpoint ${checkpoint} --resume\n`,
        );
        process.exit(signal === 'SIGTERM' ? 143 : 130);
      }
      // a diverged run's model holds the parameters of its last finite step (fit undid the update after it)
      const trained = r.status === 'diverged' ? (r.parametersOf ?? r.divergedAt ?? r.steps) : r.steps;
      if (f.out)
        userInput(() => saveModel(f.out!, model, { task: JSON.stringify(spec), trainedSteps: String(trained) }));
      report(f, spec, model, task, r, shape.cell.kind);
      model.dispose();
    });
}

/** Print the result: a two-line summary, or JSON with the histories. */
function report(
  f: TrainFlags,
  spec: ReturnType<typeof taskFromFlags>,
  model: Model,
  task: ReturnType<typeof createTask>,
  r: FitResult,
  cell: string,
): void {
  if (f.json) {
    const summary = {
      task: spec,
      model: model.config,
      parameters: model.parameterCount(),
      status: r.status,
      steps: r.steps,
      final: r.final,
      solvedAt: r.solvedAt,
      baseline: task.baseline,
      metric: task.metric,
      seconds: Number(r.seconds.toFixed(2)),
      ...(r.divergedAt !== undefined
        ? { divergedAt: r.divergedAt, reason: r.divergedReason, parametersOf: r.parametersOf ?? r.divergedAt }
        : {}),
      ...(f.out ? { saved: f.out } : {}),
      ...(r.resumedFrom ? { resumedFrom: r.resumedFrom } : {}),
      ...(f.checkpoint ? { checkpoint: f.checkpoint } : {}),
      history: { loss: Array.from(r.history.loss), gradNorm: Array.from(r.history.gradNorm) },
      evals: r.evals,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const m = r.final ? r.final.metric.toPrecision(4) : 'n/a';
  process.stdout.write(
    `${spec.kind} T=${task.T} · ${cell} (${model.parameterCount()} parameters) · ${r.status} after ${r.steps} steps in ${r.seconds.toFixed(1)} s${r.resumedFrom ? ` (resumed at step ${r.resumedFrom})` : ''}\n`,
  );
  process.stdout.write(
    `final ${task.metric} ${m} (baseline ${task.baseline.toPrecision(4)}${r.solvedAt !== null ? `, solved at step ${r.solvedAt}` : ', not solved'})\n`,
  );
  if (r.divergedAt !== undefined) process.stdout.write(`diverged at step ${r.divergedAt}: ${r.divergedReason}\n`);
  if (f.out) process.stdout.write(`saved ${f.out}${r.status === 'diverged' ? ` (${keptParameters(r)})` : ''}\n`);
  if (f.checkpoint) process.stdout.write(`checkpoint ${f.checkpoint}\n`);
}

/** Which parameters a diverged run's model holds (fit keeps those of the last step with finite values). */
function keptParameters(r: FitResult): string {
  return r.parametersOf !== undefined
    ? `the parameters step ${r.parametersOf} started from, the last with a finite loss and gradient: its update is undone`
    : `the parameters it started from: step ${r.divergedAt} was the run's first`;
}
