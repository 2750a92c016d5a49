/**
 * The pre-flight check of an expanded study (runner/grid.ts expands it): every task built, every model's
 * config validated and its size counted against the limits, before any trial runs.
 */
import { createTask } from '../tasks/registry.js';
import type { Task } from '../tasks/task.js';
import { Model, type ModelConfig } from '../models/model.js';
import { referenceBackend } from '../kernels/reference/index.js';
import { parseModelConfig } from '../models/config.js';
import { modelSize } from '../models/size.js';
import { StudyError } from './study.js';
import { formatCount, raiseHint, resolveLimits, type StudyLimits } from './limits.js';
import { miniature } from './bounds.js';
import type { TrialSpec } from './grid.js';
import { canonical } from './variants.js';

/**
 * Check that every trial can be built before anything runs: each distinct task is constructed (files
 * found, data loadable), each distinct model's config is validated and its size counted from the config
 * against the limits (parameters; activations of T × batch × per-step state), and a miniature of it is
 * built to catch what only a cell's constructor checks. No full-size model is allocated. Throws a
 * StudyError naming the entry.
 */
export function checkTrials(
  trials: readonly TrialSpec[],
  source: string,
  limits: StudyLimits = resolveLimits(undefined),
): void {
  const tasks = new Map<string, Task>();
  const models = new Map<string, ReturnType<typeof modelSize>>();
  const canon = new WeakMap<object, string>(); // trials share their task and model objects: canonicalise each once
  const c = (v: object): string => canon.get(v) ?? (canon.set(v, canonical(v)), canon.get(v)!);
  for (const trial of trials) {
    const tk = c(trial.task);
    let task = tasks.get(tk);
    if (!task) {
      try {
        task = createTask(trial.task);
      } catch (e) {
        throw new StudyError(
          `${source}: tasks.${trial.taskName}: ${(e as Error).message.replace(/^invalid task spec:\n/, '')}`,
        );
      }
      tasks.set(tk, task);
    }
    const where = `${source}: models.${trial.modelName} on task ${trial.taskName}`;
    const mk = `${c(trial.model)}|${task.inputSize}|${task.outputSize}|${task.target}`;
    let size = models.get(mk);
    if (!size) {
      let config: ModelConfig;
      try {
        config = parseModelConfig(
          { ...trial.model, inputSize: task.inputSize, outputSize: task.outputSize, target: task.target },
          `models.${trial.modelName}`,
        );
        size = modelSize(config);
        if (size.parameters > limits.parameters) {
          throw new StudyError(
            `${where}: ${formatCount(size.parameters)} parameters (hidden ${config.cell.hidden}), more than the limit of ${formatCount(limits.parameters)} ${raiseHint('parameters')}`,
          );
        }
        const model = new Model(miniature(config), referenceBackend, 0);
        for (const p of model.parameters()) p.dispose();
      } catch (e) {
        throw e instanceof StudyError ? e : new StudyError(`${where}: ${(e as Error).message}`);
      }
      models.set(mk, size);
    }
    const tr = trial.training,
      ins = trial.instruments;
    const batch = Math.max(
      tr.batchSize,
      tr.evalBatchSize ?? Math.max(tr.batchSize, 64),
      ins.gradientThroughTime?.batchSize ?? 0,
      ins.jacobian?.batchSize ?? 0,
      ins.lyapunov?.batchSize ?? 0,
    );
    const activations = task.T * batch * size.activationsPerStep;
    if (activations > limits.activations) {
      throw new StudyError(
        `${where}: T ${task.T} × batch ${batch} × ${size.activationsPerStep} values per step = ${formatCount(activations)} activations, more than the limit of ${formatCount(limits.activations)} ${raiseHint('activations')}`,
      );
    }
  }
}
