/**
 * `recur inspect`: the gradient-flow instruments on a saved model or a model spec, on a batch of a task:
 * ‖∂L/∂h_t‖ over t, the fitted decay per step, the theory bound and how the measurement compares, step
 * Jacobian norms, and Lyapunov exponents. A table on stdout (or --json), optionally an SVG plot.
 */
import type { Command } from 'commander';
import { getBackend, type BackendName } from '../kernels/index.js';
import type { Model } from '../models/model.js';
import { modelForTask } from '../models/for-task.js';
import { loadModel } from '../io/model-file.js';
import { writeFileAtomic } from '../io/atomic.js';
import { createTask, parseTaskSpec, type ResolvedTaskSpec } from '../tasks/registry.js';
import { Rng } from '../tensor/rng.js';
import { gradientThroughTime } from '../diagnostics/gradient-through-time.js';
import { compareWithBound, transitionBound } from '../diagnostics/bounds.js';
import { createStepProbe } from '../diagnostics/probe.js';
import { jacobianProductNorms, stepJacobianNorms } from '../diagnostics/jacobian.js';
import { lyapunovSpectrum } from '../diagnostics/lyapunov.js';
import { renderSvg } from '../report/render.js';
import { DEFAULT_LIMITS } from '../runner/limits.js';
import {
  addModelOptions,
  checkWorkload,
  givenModelFlags,
  int,
  modelFromFlags,
  num,
  taskFromFlags,
  type SpecFlags,
} from './options.js';
import { UserError, userInput } from './errors.js';

interface InspectFlags extends SpecFlags {
  batch: number;
  seed: number;
  lyapunov: number;
  fraction: number;
  svg?: string;
  backend?: BackendName;
  json?: boolean;
}

/** Range checks of the numeric flags, each refusal one line naming the flag. */
function checkNumbers(f: InspectFlags): void {
  for (const [flag, v] of [
    ['--T', f.T],
    ['--batch', f.batch],
    ['--hidden', f.hidden],
    ['--depth', f.depth],
    ['--layers', f.layers],
  ] as const)
    if (v !== undefined && !(v >= 1)) throw new UserError(`${flag} must be a positive integer, got ${v}`);
  if (!(f.seed >= 0)) throw new UserError(`--seed must be an integer ≥ 0, got ${f.seed}`);
  if (!(f.lyapunov >= 0 && f.lyapunov <= 4096))
    throw new UserError(`--lyapunov must be a whole number from 0 to 4096, got ${f.lyapunov}`);
  if (!(f.fraction > 0 && f.fraction < 1)) throw new UserError(`--fraction must be in (0, 1), got ${f.fraction}`);
  if (f.spectralNorm !== undefined && !(f.spectralNorm > 0))
    throw new UserError(`--spectral-norm must be a number > 0, got ${f.spectralNorm}`);
}

const fmt = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined || !Number.isFinite(x)
    ? 'n/a'
    : Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0)
      ? x.toExponential(digits - 1)
      : x.toPrecision(digits);

export function registerInspect(program: Command): void {
  const command = program
    .command('inspect')
    .argument('[model]', 'a model file saved by `recur train --out` (otherwise the model comes from the flags)')
    .description(
      'measure gradient flow through time: ‖∂L/∂h_t‖, decay per step, theory bound, Jacobian norms, Lyapunov exponents',
    )
    .option('--task <kind>', 'task (default: the one the model was trained on, else adding)')
    .option('--T <n>', "sequence length (default: the task's, see `recur tasks`)", int('--T'))
    .option('--task-config <json>', 'full task spec as JSON');
  addModelOptions(command, 'lstm', ' (when no model file)')
    .option('--batch <n>', 'batch size of the probe', int('--batch'), 32)
    .option('--seed <n>', 'seed (initialisation of a spec model, and the batch)', int('--seed'), 1)
    .option('--lyapunov <k>', 'how many Lyapunov exponents (0: skip)', int('--lyapunov'), 1)
    .option('--fraction <f>', 'gradient horizon: steps until ‖∂L/∂h_t‖ < f·‖∂L/∂h_T‖', num('--fraction'), 1e-3)
    .option('--svg <file>', 'write a plot of ‖∂L/∂h_t‖ (with the bound) as SVG')
    .option('--backend <name>', 'wasm | reference')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  recur inspect --cell vanilla --hidden 64 --init orthogonal --spectral-norm 0.9 --task adding --T 100
  recur inspect --cell deep --depth 4 --variant plain --hidden 64 --T 50 --svg deep4.svg
  recur inspect lstm.safetensors --T 200 --json`,
    )
    .action((file: string | undefined, f: InspectFlags, cmd: Command) => {
      checkNumbers(f);
      if (file) {
        // the file fixes the model: flags that describe another one would be silently ignored
        const clash = [...givenModelFlags(cmd), ...(f.modelConfig ? ['--model-config'] : [])];
        if (clash.length)
          throw new UserError(
            `${clash.join(', ')}: the model comes from ${file}; these flags describe a model built from flags (drop them, or the file)`,
          );
      }
      const backend = getBackend(f.backend);
      let model: Model;
      let taskSpec: ResolvedTaskSpec;
      if (file) {
        const loaded = userInput(() => loadModel(file, backend));
        model = loaded.model;
        const trained = loaded.metadata.task
          ? userInput(() => JSON.parse(loaded.metadata.task!) as Record<string, unknown>)
          : null;
        if (trained && f.T === undefined && typeof trained.T === 'number' && trained.T > DEFAULT_LIMITS.T) {
          throw new UserError(
            `${file}: the task in its metadata has T = ${trained.T}, more than ${DEFAULT_LIMITS.T}; give --T to inspect another length`,
          );
        }
        taskSpec =
          f.task || f.taskConfig || !trained
            ? taskFromFlags(f)
            : parseTaskSpec({ ...trained, ...(f.T !== undefined ? { T: f.T } : {}) });
      } else {
        taskSpec = taskFromFlags(f);
        const shape = modelFromFlags(f);
        const sizes = createTask(taskSpec);
        checkWorkload(
          { ...shape, inputSize: sizes.inputSize, outputSize: sizes.outputSize, target: sizes.target },
          sizes.T,
          f.batch,
        );
        model = modelForTask(shape, sizes, backend, f.seed);
      }
      const task = createTask(taskSpec);
      checkWorkload(model.config, task.T, f.batch);
      if (
        task.inputSize !== model.config.inputSize ||
        task.outputSize !== model.config.outputSize ||
        task.target !== model.config.target
      ) {
        throw new UserError(
          `the model (input ${model.config.inputSize}, output ${model.config.outputSize}, target ${model.config.target}) does not fit task ${taskSpec.kind} (input ${task.inputSize}, output ${task.outputSize}, target ${task.target})`,
        );
      }
      const batch = task.sample(new Rng(f.seed), f.batch);
      const gtt = gradientThroughTime(model, task, batch, { fraction: f.fraction });
      const cell = model.layers[0].cells[0];
      const bound = transitionBound(cell);
      const probe = createStepProbe(model, batch);
      let products: ReturnType<typeof jacobianProductNorms>;
      let steps: ReturnType<typeof stepJacobianNorms>;
      let lyap: ReturnType<typeof lyapunovSpectrum> | null;
      try {
        products = jacobianProductNorms(probe);
        steps = stepJacobianNorms(probe);
        lyap = f.lyapunov > 0 ? lyapunovSpectrum(probe, { k: Math.min(f.lyapunov, probe.D) }) : null;
      } finally {
        probe.dispose();
      }
      const maxPerSpan = products.estimates.map((e) => Math.max(...e.norm));
      const comparison = bound.perStep !== null ? compareWithBound(bound, products.spans, maxPerSpan) : null;
      const c0 = gtt.cells[0];
      const T = gtt.T;
      const stepNorms = steps.meanLogNorm.map(Math.exp);
      const result = {
        model: { config: model.config, parameters: model.parameterCount() },
        task: taskSpec,
        batch: f.batch,
        loss: gtt.loss,
        gradientThroughTime: gtt.cells.map((c) => ({
          layer: c.layer,
          direction: c.direction,
          mean: Array.from(c.mean),
          std: Array.from(c.std),
          decayPerStep: c.fit.slope,
          ci: c.fit.ci,
          horizon: c.horizon,
        })),
        bound: {
          perStep: bound.perStep,
          logPerStep: bound.perStep ? Math.log(bound.perStep) : null,
          gamma: bound.gamma,
          norms: bound.norms,
          spectralRadius: bound.spectralRadius,
          rigorous: bound.rigorous,
          note: bound.note,
        },
        boundComparison: comparison,
        jacobianProducts: products.spans.map((s, i) => ({
          span: s,
          meanLogNorm: products.meanLogNorm[i],
          maxNorm: maxPerSpan[i],
        })),
        stepJacobianNorm: {
          mean: stepNorms.reduce((s, x) => s + x, 0) / stepNorms.length,
          min: Math.min(...stepNorms),
          max: Math.max(...stepNorms),
        },
        lyapunov: lyap ? { exponents: Array.from(lyap.exponents), stderr: Array.from(lyap.stderr) } : null,
      };
      if (f.svg)
        writeFileAtomic(
          f.svg,
          new TextEncoder().encode(plot(c0.mean, bound.perStep, `${describe(model)} · ${taskSpec.kind} T=${T}`)),
        );
      if (f.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const out: string[] = [];
      out.push(
        `${describe(model)} (${model.parameterCount()} parameters) on ${taskSpec.kind} T=${T}, batch ${f.batch}: loss ${fmt(gtt.loss, 4)}`,
      );
      out.push('');
      out.push(
        `gradient through time, layer 0${model.directions > 1 ? ' (forward)' : ''}: ‖∂L/∂h_t‖ over the batch${bound.perStep !== null ? ', and the bound ‖∂L/∂h_T‖·β^(T−t)' : ''}`,
      );
      out.push(`     t   T−t        mean         std${bound.perStep !== null ? '       bound' : ''}`);
      for (const t of sampleSteps(T)) {
        const k = T - t,
          b = bound.perStep !== null ? c0.mean[T - 1] * bound.perStep ** k : null;
        out.push(
          `${String(t).padStart(6)}${String(k).padStart(6)}${fmt(c0.mean[t - 1]).padStart(12)}${fmt(c0.std[t - 1]).padStart(12)}${b !== null ? fmt(b).padStart(12) : ''}`,
        );
      }
      out.push('');
      out.push(
        `decay per step: ${fmt(c0.fit.slope, 4)} (95% CI ${fmt(c0.fit.ci[0], 4)} … ${fmt(c0.fit.ci[1], 4)}), i.e. ×${fmt(Math.exp(c0.fit.slope), 4)} per step`,
      );
      out.push(
        `horizon: ‖∂L/∂h_t‖ < ${f.fraction}·‖∂L/∂h_T‖ after ${c0.horizon.measured ?? `more than ${T - 1}`} steps (measured)${c0.horizon.fitted !== null ? `, ${fmt(c0.horizon.fitted)} (fitted)` : ''}`,
      );
      out.push(`theory: ${bound.note}`);
      if (bound.perStep !== null) {
        out.push(
          `  per-step bound β = ${fmt(bound.perStep, 4)} (log β = ${fmt(Math.log(bound.perStep), 4)}); γ = ${fmt(bound.gamma)}, ‖W‖₂ = ${bound.norms.map((n) => fmt(n, 4)).join(', ')}${bound.spectralRadius !== null ? `, ρ = ${fmt(bound.spectralRadius, 4)}` : ''}`,
        );
        if (comparison)
          out.push(
            `  measured ‖J_T···J_{t+1}‖ (largest over the batch) inside the bound on ${comparison.rows.filter((r) => r.inside).length}/${comparison.rows.length} spans; tightest measured/bound = ${fmt(comparison.maxRatio)}; slack ${fmt(comparison.logSlackPerStep)} per step (log)`,
          );
      }
      out.push(
        `step Jacobians σ₁(∂h_t/∂h_{t−1}): mean ${fmt(result.stepJacobianNorm.mean)}, min ${fmt(result.stepJacobianNorm.min)}, max ${fmt(result.stepJacobianNorm.max)}`,
      );
      if (lyap)
        out.push(
          `Lyapunov exponents (per step): ${Array.from(lyap.exponents)
            .map((x, i) => `${fmt(x, 4)} ± ${fmt(lyap.stderr[i], 2)}`)
            .join(', ')}`,
        );
      if (f.svg) out.push(`plot: ${f.svg}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}

function describe(model: Model): string {
  const c = model.config.cell;
  const extra =
    c.kind === 'deep'
      ? ` L=${c.depth} ${c.variant ?? 'plain'}`
      : c.kind === 'vanilla'
        ? ` ${c.activation ?? 'tanh'}`
        : '';
  return `${c.kind}${extra} H=${c.hidden}${(model.config.layers ?? 1) > 1 ? ` ×${model.config.layers} layers` : ''}`;
}

/** Steps T, T−1, T−2, T−4, … and 1: log-spaced lags back from the end. */
function sampleSteps(T: number): number[] {
  const set = new Set<number>([T, 1]);
  for (let k = 1; k < T; k *= 2) set.add(T - k);
  return [...set].sort((a, b) => b - a);
}

function plot(mean: Float64Array, beta: number | null, title: string): string {
  const T = mean.length;
  const rows: { t: number; value: number; series: string }[] = [];
  for (let t = 1; t <= T; t++) {
    if (mean[t - 1] > 0) rows.push({ t, value: mean[t - 1], series: 'measured ‖∂L/∂h_t‖' });
    if (beta !== null) {
      const b = mean[T - 1] * beta ** (T - t);
      if (b > 0 && Number.isFinite(b)) rows.push({ t, value: b, series: 'bound ‖∂L/∂h_T‖·β^(T−t)' });
    }
  }
  return renderSvg({
    title,
    width: 520,
    height: 280,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time step t' },
      y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'gradient norm (log scale)' },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
      strokeDash: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
    },
  });
}
