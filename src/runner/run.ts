/**
 * Running a study: expand it into trials, skip those the store already has (resume; failed trials are run
 * again), run the rest on a pool of worker threads (default one per core), and write each trial when it
 * ends. Killing the process at any moment loses at most the trials in flight; running the same command
 * again continues. The store's lock keeps a second process on the same output from running trials too;
 * aborting `signal` stops handing out trials and lets those in flight finish.
 */
import { availableParallelism } from 'node:os';
import { defaultBackendName, type BackendName } from '../kernels/index.js';
import { checkTrials, expandStudy, legacyKey, type TrialSpec } from './grid.js';
import { expandPilotRungs, pilotStep, taskBaseline, type PilotChoice, type PilotLadderRule } from './pilot.js';
import { stageCount, staircaseDecided, stageTrials } from './staircase.js';
import { estimateTrials, type StudyEstimate } from './estimate.js';
import { ResultStore, type StoredTrial, type TrialRecord } from './store.js';
import { acquireStoreLock, type StoreLock } from './store-lock.js';
import { resolveLimits } from './limits.js';
import { StudyError, type StudyBody } from './study.js';
import type { TrialProgress } from './trial.js';
import { runTrials } from './pool.js';

export interface RunStudyOptions {
  /** Path of the SQLite results database. */
  db: string;
  /** Worker threads (default: one per core); 0 runs trials in this thread (debugging). */
  workers?: number;
  /** Default: RECUR_BACKEND, else wasm. Part of every trial's identity. */
  backend?: BackendName;
  /** Where the study came from (recorded with it). */
  source?: string;
  /** Keep only some of the study's trials (e.g. one shard of an array job); the pilot's trials always run. */
  select?: (trials: TrialSpec[]) => TrialSpec[];
  /** Run a batch of trials somewhere else (e.g. on queue workers), calling `finish` for each (default: the thread pool). */
  execute?: (trials: TrialSpec[], finish: (t: TrialSpec, r: TrialRecord) => void) => Promise<void>;
  /** Stop after this many trials (for smoke runs); the rest stay pending. */
  limit?: number;
  /** Run trials whose last attempt failed again (default true). */
  retryFailed?: boolean;
  /** Abort to stop gracefully: no new trials are handed out; those in flight finish and are stored. */
  signal?: AbortSignal;
  onEvent?: (event: StudyEvent) => void;
  /** Measure step times and report an estimate of the run's duration before it starts (an 'estimate' event). */
  estimate?: boolean;
  /**
   * Debug: anomaly mode in every trial run here (not on queue workers): a trial that makes a NaN/Inf diverges
   * with the op that made it as its error. Not part of a trial's identity: the numbers are the same.
   */
  detectAnomaly?: boolean;
}

export type StudyEvent =
  | {
      type: 'start';
      total: number;
      pending: number;
      skipped: number;
      retrying: number;
      stale: number;
      adopted: number;
      tookOverFrom: StoreLock['tookOverFrom'];
    }
  | { type: 'progress'; trial: TrialSpec; progress: TrialProgress }
  | { type: 'trial'; trial: TrialSpec; record: TrialRecord; done: number; total: number }
  | {
      type: 'estimate';
      estimate: StudyEstimate;
      /** Trials the estimate covers: unfinished, and not already ruled out by the staircase. */
      pending: number;
      /** Unfinished trials the staircase will skip, judged from the stored results (not in the estimate). */
      staircaseSkips: number;
      workers: number;
    }
  | { type: 'pilot'; choice: PilotChoice }
  | { type: 'staircase'; rank: number; skipped: TrialSpec[]; done: number; total: number }
  | { type: 'stopping'; inFlight: number };

export interface StudySummary {
  total: number;
  /** Trials already in the store (finished by an earlier run). */
  skipped: number;
  /** Trials left for a later run (because of `limit`, or a graceful stop). */
  left: number;
  ran: number;
  done: number;
  diverged: number;
  failed: number;
  /** Trials not run by the staircase rule (their condition failed every seed at a shorter T). */
  staircase: number;
  /** Of the trials run, how many had failed before (retried). */
  retried: number;
  /** Stored trials of an earlier definition of the study: kept in the database, left out of the report. */
  stale: number;
  /** Definition version (+1 each time the study's set of trials changes). */
  version: number;
  /** True when the run stopped early on `signal`. */
  stopped: boolean;
}

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0))
    throw new StudyError(`${name} must be a whole number ≥ 0, got ${value}`);
}

/**
 * Run (or resume) a validated study: its probe-only trials first, then the learning-rate pilot (if the study
 * has one), then the trained trials with the chosen learning rates, stage by stage where a pair runs a
 * staircase over T.
 */
export async function runStudy(study: StudyBody, options: RunStudyOptions): Promise<StudySummary> {
  checkCount('workers', options.workers);
  checkCount('limit', options.limit);
  const source = options.source ?? study.name;
  const backend = options.backend ?? defaultBackendName();
  if (backend !== 'wasm' && backend !== 'reference')
    throw new StudyError(`backend must be 'wasm' or 'reference', got '${String(backend)}'`);
  const identity = { backend };
  const pilotRungs = expandPilotRungs(study, source, identity);
  const ladder: PilotLadderRule = { informative: study.pilot?.informative, baselineOf: taskBaseline() };
  // The pilot's trials the study holds now: rung 0, then the easier rungs its undecided conditions need.
  let pilotTrials = pilotRungs[0] ?? [];
  const expand = (lr?: PilotChoice['lr']): TrialSpec[] =>
    (options.select ?? ((t) => t))(expandStudy(study, source, { ...identity, ...(lr ? { lr } : {}) }));
  const unchosen = expand();
  checkTrials([...pilotRungs.flat(), ...unchosen], source, resolveLimits(study.limits));
  const store = new ResultStore(options.db);
  let lock: StoreLock | null = null;
  let beat: NodeJS.Timeout | null = null;
  try {
    lock = acquireStoreLock(store.db, options.db);
    beat = setInterval(() => lock?.heartbeat(), 30_000).unref();
    store.saveStudy(study.name, source, study);
    let adopted = 0;
    const stored = (): Map<string, StoredTrial> => new Map(store.trials(study.name).map((t) => [t.key, t]));
    const finishedKeys = (): Set<string> => store.finishedKeys(study.name, { retryFailed: options.retryFailed });
    const failedBefore = store.failedKeys(study.name);
    let total = pilotTrials.length + unchosen.length;
    let budget = options.limit ?? Infinity;
    const summary: StudySummary = {
      total,
      skipped: 0,
      left: 0,
      ran: 0,
      done: 0,
      diverged: 0,
      failed: 0,
      staircase: 0,
      retried: 0,
      stale: 0,
      version: 1,
      stopped: false,
    };
    const progressed = (): number => summary.skipped + summary.ran + summary.staircase;
    const finish = (trial: TrialSpec, record: TrialRecord): void => {
      store.writeTrial(trial, record);
      summary.ran++;
      summary[record.status]++;
      if (failedBefore.has(trial.key)) summary.retried++;
      options.onEvent?.({ type: 'trial', trial, record, done: progressed(), total });
    };
    const opts = { ...options, backend };
    /** Run the unfinished ones of `trials` (within the limit); false when the limit or a stop ended it. */
    const runBatch = async (trials: TrialSpec[], finished: ReadonlySet<string>): Promise<boolean> => {
      const pending = trials.filter((t) => !finished.has(t.key));
      if (options.signal?.aborted) return pending.length === 0;
      const now = pending.slice(0, Math.max(0, Math.min(pending.length, budget)));
      budget -= now.length;
      await runTrials(now, opts, finish);
      return now.length === pending.length && !options.signal?.aborted;
    };
    /** The study's current trials are the pilot's and `main`: the store reports only those. */
    const record = (main: TrialSpec[]): void => {
      const all = [...pilotTrials, ...main];
      // Trials stored before keys held the backend and version: adopted under their current keys.
      adopted += store.adoptLegacy(study.name, new Map(all.map((t) => [legacyKey(t), t])));
      const change = store.recordExpansion(
        study.name,
        all.map((t) => t.key),
      );
      summary.stale = change.stale;
      summary.version = change.version;
    };
    const stop = (): StudySummary => {
      leave(summary, total);
      summary.stopped = (options.signal?.aborted ?? false) && summary.left > 0;
      return summary;
    };

    let choice: PilotChoice | null = null;
    let main = unchosen;
    /** Follow the pilot's ladder as far as the stored trials go: the current pilot trials and the total. */
    const climb = (): PilotChoice => {
      const step = pilotStep(pilotRungs, stored(), ladder);
      pilotTrials = step.current;
      summary.total = total = pilotTrials.length + main.length;
      return step.choice;
    };
    if (pilotRungs.length) {
      choice = climb();
      if (choice.incomplete.length === 0) main = expand(choice.lr);
    }
    record(main);
    summary.total = total = pilotTrials.length + main.length;
    let finished = finishedKeys();
    summary.skipped = [...pilotTrials, ...main].filter((t) => finished.has(t.key)).length;
    const retrying = [...pilotTrials, ...main].filter((t) => !finished.has(t.key) && failedBefore.has(t.key)).length;
    options.onEvent?.({
      type: 'start',
      total,
      pending: total - summary.skipped,
      skipped: summary.skipped,
      retrying,
      stale: summary.stale,
      adopted,
      tookOverFrom: lock.tookOverFrom,
    });
    if (options.estimate) {
      const unfinished = [...pilotTrials, ...main].filter((t) => !finished.has(t.key));
      const decided = staircaseDecided(main, stored());
      const pending = unfinished.filter((t) => !decided.has(t.key)).slice(0, budget);
      const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), pending.length));
      if (pending.length)
        options.onEvent?.({
          type: 'estimate',
          estimate: estimateTrials(pending, workers, backend),
          pending: pending.length,
          staircaseSkips: unfinished.length - unfinished.filter((t) => !decided.has(t.key)).length,
          workers,
        });
    }
    // Probe-only trials (no training) do not depend on the pilot's learning rates: they run first.
    if (
      !(await runBatch(
        unchosen.filter((t) => t.training.steps === 0),
        finished,
      ))
    )
      return stop();
    if (pilotRungs.length) {
      // Rung by rung: run what the ladder holds and has not run (a failed trial is retried once per run).
      const ranHere = new Set<string>();
      for (;;) {
        choice = climb();
        record(main);
        const todo = pilotTrials.filter((t) => !finished.has(t.key) && !ranHere.has(t.key));
        if (todo.length === 0) break;
        for (const t of todo) ranHere.add(t.key);
        if (!(await runBatch(todo, finished))) return stop();
        finished = finishedKeys();
      }
      options.onEvent?.({ type: 'pilot', choice });
      record((main = expand(choice.lr)));
      finished = finishedKeys();
    }
    for (let rank = 0; rank < stageCount(main); rank++) {
      const stage = stageTrials(main, rank, stored());
      finished = finishedKeys();
      if (stage.skipped.length) {
        summary.staircase += stage.skipped.length;
        options.onEvent?.({ type: 'staircase', rank, skipped: stage.skipped, done: progressed(), total });
      }
      if (!(await runBatch(stage.run, finished))) return stop();
    }
    return summary;
  } finally {
    if (beat) clearInterval(beat);
    try {
      lock?.release();
    } finally {
      store.close();
    }
  }
}

/** The summary of a run that the limit stopped: what is neither stored nor skipped is left. */
function leave(summary: StudySummary, total: number): StudySummary {
  summary.left = Math.max(0, total - summary.skipped - summary.ran - summary.staircase);
  return summary;
}
