/**
 * The training loop, one step at a time: sample a batch, replay the graph forward, backpropagate through
 * time, clip, step, and every `evalEvery` steps evaluate on fixed held-out batches. A non-finite loss or
 * gradient stops the run before the update is applied, and the model goes back to the parameters of the
 * last step whose loss and gradient were finite (the update that led there is undone: it is what made the
 * values blow up). Each step copies the parameters into a snapshot allocated once, before updating them.
 * `fit` and `fitAsync` drive it; `dispose()` frees everything it allocated (graphs, optimizer state).
 */
import type { Model } from '../models/model.js';
import { Rng } from '../tensor/rng.js';
import type { Task } from '../tasks/task.js';
import {
  clipGradNorm,
  clipGradValue,
  createOptimizer,
  gradNorm,
  scheduleFromConfig,
  type Optimizer,
  type Schedule,
} from '../optim/index.js';
import { AnomalyError } from '../autodiff/tape.js';
import { GraphCache, type Graph } from './graph.js';
import { isSolved, MetricAccumulator } from './metrics.js';
import { createSource, evaluationBatches, type BatchSource } from './sampler.js';
import { loadCheckpoint, restoreParameters, saveCheckpoint, type TrainingCheckpoint } from './checkpoint.js';
import type { Batch } from '../tasks/task.js';
import { Tensor } from '../tensor/tensor.js';
import type { FitOptions, FitResult } from './types.js';
import { isDataset } from '../data/dataset.js';
import { checkModelFitsTask, checkOptions, positiveInt } from './fit-checks.js';

export class Trainer {
  readonly result: FitResult;
  private readonly params: Tensor[];
  /** The parameters as they were before the last update (backend buffers, allocated once). */
  private readonly snapshot: Tensor[];
  /** The step whose starting parameters `snapshot` holds (−1: none yet). */
  private snapshotStep = -1;
  private readonly optimizer: Optimizer;
  private readonly schedule: Schedule;
  private readonly source: BatchSource;
  private readonly dropoutRng: Rng;
  private readonly train: GraphCache;
  private readonly evalGraphs: GraphCache;
  private readonly evalSet: Batch[];
  private readonly evalEvery: number;
  private readonly fingerprint: Record<string, unknown>;
  private step = 0;
  private best = Infinity;
  private sinceBest = 0;
  private stopped = false;
  private readonly t0 = performance.now();

  constructor(
    private readonly model: Model,
    private readonly task: Task,
    private readonly options: FitOptions,
  ) {
    checkOptions(options);
    const o = options;
    positiveInt('fit', 'steps', o.steps);
    positiveInt('fit', 'batchSize', o.batchSize);
    if (o.evalEvery !== undefined) positiveInt('fit', 'evalEvery', o.evalEvery);
    if (o.checkpoint?.every !== undefined) positiveInt('fit', 'checkpoint.every', o.checkpoint.every);
    checkModelFitsTask(model, task, 'fit');
    let trainData = task,
      validation = o.validation;
    if (typeof validation === 'number') {
      if (!isDataset(task))
        throw new Error(
          'fit: validation as a fraction needs a Dataset (generator tasks draw fresh evaluation batches)',
        );
      ({ train: trainData, validation } = task.split(validation, { seed: o.seed ?? 0 }));
    }
    if (validation) checkModelFitsTask(model, validation, 'fit (validation)');
    const rng = new Rng(o.seed ?? 0);
    const dataRng = rng.fork();
    this.dropoutRng = rng.fork();
    this.params = model.parameters();
    this.optimizer = createOptimizer(o.optimizer, this.params);
    const baseLr = this.optimizer.config.lr;
    this.schedule = o.schedule ? scheduleFromConfig(o.schedule) : () => baseLr;
    this.source = createSource(trainData, dataRng, o.batchSize);
    this.train = new GraphCache(model, task, {
      grad: true,
      training: true,
      rng: this.dropoutRng,
      loss: o.loss,
      eager: o.eager,
      detectAnomaly: o.detectAnomaly,
    });
    const evalData = validation ?? trainData;
    this.evalSet = evaluationBatches(
      evalData,
      o.evalBatchSize ?? Math.max(o.batchSize, 64),
      o.evalBatches ?? 4,
      (o.seed ?? 0) + 0x5eed,
    );
    this.evalGraphs = new GraphCache(model, task, {
      grad: false,
      loss: o.loss,
      eager: o.eager,
      detectAnomaly: o.detectAnomaly,
    });
    this.evalEvery = o.evalEvery ?? Math.max(1, Math.floor(o.steps / 10));
    this.fingerprint = {
      batchSize: o.batchSize,
      optimizer: this.optimizer.config,
      schedule: o.schedule ?? null,
      seed: o.seed ?? 0,
      clipNorm: o.clipNorm ?? null,
      clipValue: o.clipValue ?? null,
      data: isDataset(trainData) ? `${trainData.size} examples` : `${task.name} T=${task.T}`,
    };
    const history = { loss: new Float64Array(o.steps), gradNorm: new Float64Array(o.steps) };
    this.result = {
      status: 'completed',
      steps: 0,
      final: null,
      solvedAt: null,
      history,
      evals: [],
      seconds: 0,
      resumedFrom: 0,
    };
    this.snapshot = this.params.map((p) => Tensor.zeros(p.backend, p.shape));
    if (o.resume !== undefined) {
      try {
        this.restore(
          typeof o.resume === 'string' ? loadCheckpoint(o.resume) : o.resume,
          typeof o.resume === 'string' ? o.resume : 'resume',
        );
      } catch (e) {
        this.dispose();
        throw e;
      }
    }
  }

  /** Whether the run has ended (budget spent, solved, stopped early, diverged or interrupted). */
  get done(): boolean {
    return this.stopped || this.step >= this.options.steps;
  }

  /** Run one step (and the evaluation due after it). Returns false once the run has ended. */
  next(): boolean {
    if (this.done) return false;
    const o = this.options,
      step = this.step,
      params = this.params,
      r = this.result;
    if (o.signal?.aborted) return this.stop('interrupted');
    let g: Graph;
    try {
      g = this.train.run(this.source.next());
      const loss = g.loss.item();
      if (!Number.isFinite(loss)) return this.diverge(step, `loss is ${loss}`);
      g.tape.backward(g.loss); // zeroes every gradient first (parameters included), then backpropagates
    } catch (e) {
      if (e instanceof AnomalyError) return this.diverge(step, e.message); // detectAnomaly: the op that made it
      throw e;
    }
    const loss = g.loss.item();
    const norm = o.clipNorm !== undefined ? clipGradNorm(params, o.clipNorm) : gradNorm(params);
    if (!Number.isFinite(norm)) return this.diverge(step, `gradient norm is ${norm}`);
    if (o.clipValue !== undefined) clipGradValue(params, o.clipValue);
    const lr = this.schedule(step);
    for (let i = 0; i < params.length; i++) params[i].backend.copy(params[i].size, params[i], this.snapshot[i]);
    this.snapshotStep = step;
    this.optimizer.step(lr);
    r.history.loss[step] = loss;
    r.history.gradNorm[step] = norm;
    this.step = r.steps = step + 1;
    o.onEvent?.({ type: 'step', step, loss, gradNorm: norm, lr });
    if ((step + 1) % this.evalEvery === 0 || step + 1 === o.steps) {
      if (this.evaluate(step + 1)) return false;
    }
    if (o.checkpoint?.every && this.step % o.checkpoint.every === 0 && this.step < o.steps) this.writeCheckpoint();
    return !this.done;
  }

  /** Finish the run: the final checkpoint (when configured), trimmed history and wall time. */
  finish(): FitResult {
    const r = this.result;
    const c = this.options.checkpoint;
    if (c && r.status !== 'diverged' && (c.atEnd !== false || r.status === 'interrupted')) this.writeCheckpoint();
    r.history = { loss: r.history.loss.subarray(0, r.steps), gradNorm: r.history.gradNorm.subarray(0, r.steps) };
    r.seconds = (performance.now() - this.t0) / 1000;
    return r;
  }

  /** Free the graphs and the optimizer state (the model is the caller's). Safe to call twice. */
  dispose(): void {
    this.train.dispose();
    this.evalGraphs.dispose();
    this.optimizer.dispose();
    for (const t of this.snapshot) t.dispose();
    this.snapshot.length = 0;
  }

  /** The run's state between steps (what a checkpoint holds besides the parameters). */
  state(): Omit<TrainingCheckpoint, 'config' | 'params'> {
    const r = this.result;
    return {
      step: this.step,
      status: r.status,
      source: this.source.state(),
      dropout: this.dropoutRng.getState(),
      optimizer: this.optimizer.state(),
      history: r.history,
      evals: r.evals,
      solvedAt: r.solvedAt,
      best: this.best,
      sinceBest: this.sinceBest,
      fingerprint: this.fingerprint,
    };
  }

  private restore(c: TrainingCheckpoint, where: string): void {
    for (const [k, v] of Object.entries(this.fingerprint)) {
      const was = JSON.stringify(c.fingerprint[k] ?? null),
        now = JSON.stringify(v);
      if (was !== now)
        throw new Error(
          `${where}: the checkpoint was made with ${k} ${was}, this run has ${now} (resume with the same options)`,
        );
    }
    if (c.step > this.options.steps)
      throw new Error(`${where}: the checkpoint is at step ${c.step}, beyond this run's ${this.options.steps} steps`);
    restoreParameters(this.model, c, where);
    this.optimizer.loadState(c.optimizer);
    this.source.restore(c.source);
    this.dropoutRng.setState(c.dropout);
    const r = this.result;
    r.history.loss.set(c.history.loss);
    r.history.gradNorm.set(c.history.gradNorm);
    r.evals.push(...c.evals);
    r.final = c.evals.length ? c.evals[c.evals.length - 1].metrics : null;
    r.solvedAt = c.solvedAt;
    this.best = c.best;
    this.sinceBest = c.sinceBest;
    this.step = r.steps = r.resumedFrom = c.step;
  }

  private writeCheckpoint(): void {
    const path = this.options.checkpoint!.path;
    saveCheckpoint(path, this.model, this.state());
    this.options.onEvent?.({ type: 'checkpoint', step: this.step, path });
  }

  private stop(status: FitResult['status']): false {
    this.result.status = status;
    this.stopped = true;
    return false;
  }

  private diverge(step: number, reason: string): false {
    this.result.divergedAt = step;
    this.result.divergedReason = reason;
    if (this.snapshotStep >= 0) {
      // undo the last update: back to the parameters of the last step with a finite loss and gradient
      for (let i = 0; i < this.params.length; i++) this.params[i].copyFrom(this.snapshot[i]);
      this.result.parametersOf = this.snapshotStep;
    }
    this.options.onEvent?.({ type: 'diverged', step, reason });
    return this.stop('diverged');
  }

  /** Evaluate after `step` steps; true when the run should stop (solved or no longer improving). */
  private evaluate(step: number): boolean {
    const o = this.options,
      task = this.task,
      r = this.result;
    const acc = new MetricAccumulator(task);
    try {
      for (const b of this.evalSet) acc.add(this.evalGraphs.run(b));
    } catch (e) {
      if (e instanceof AnomalyError) return !this.diverge(step, `in evaluation: ${e.message}`);
      throw e;
    }
    const metrics = acc.result();
    const solved = isSolved(task, metrics.metric);
    r.final = metrics;
    r.evals.push({ step, metrics });
    if (solved && r.solvedAt === null) r.solvedAt = step;
    o.onEvent?.({ type: 'eval', step, metrics, solved });
    if (o.stopWhenSolved && solved) return !this.stop('solved');
    if (o.earlyStopping) {
      const lower = task.metric === 'accuracy' ? -metrics.metric : metrics.metric; // lower is better
      if (lower < this.best - (o.earlyStopping.minDelta ?? 0)) {
        this.best = lower;
        this.sinceBest = 0;
      } else if (++this.sinceBest >= o.earlyStopping.patience) return !this.stop('early-stopped');
    }
    return false;
  }
}
