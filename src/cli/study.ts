/** `recur study <file|name>`: run or resume a study, with progress, then write its report. */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { BackendName } from '../kernels/index.js';
import { loadStudyFile } from '../runner/study.js';
import { runStudy, type StudyEvent } from '../runner/run.js';
import { runQueuedStudy, type CoordinatorEvent } from '../runner/queue/coordinator.js';
import { parseQueueUrl } from '../runner/queue/connection.js';
import { studyHash } from '../runner/queue/payload.js';
import { parseShard, selectShard, stampProvenance } from '../runner/queue/shard.js';
import { writeReport } from '../report/index.js';
import { UserError, userInput } from './errors.js';
import { int } from './options.js';
import { createProgress, type Progress } from './progress.js';
import { formatDuration } from '../runner/estimate.js';
import { dryRun } from './study-dry-run.js';
import { checkNumbers, mkdirOrExplain } from './study-checks.js';

/** The folder of named studies shipped with recur (studies/ at the package root). */
export const STUDIES_DIR = fileURLToPath(new URL('../../studies/', import.meta.url));

/** A study file path, or the path of a named study in studies/. */
export function resolveStudy(ref: string): string {
  if (existsSync(ref)) return ref;
  for (const ext of ['.yaml', '.yml', '.json']) {
    const p = join(STUDIES_DIR, `${ref}${ext}`);
    if (existsSync(p)) return p;
  }
  throw new UserError(`no study file "${ref}" and no named study "${ref}" in ${STUDIES_DIR}`);
}

export interface StudyFlags {
  profile?: string;
  out?: string;
  db?: string;
  workers?: number;
  limit?: number;
  backend?: BackendName;
  retryFailed: boolean;
  report: boolean;
  json?: boolean;
  quiet?: boolean;
  dryRun?: boolean;
  queue?: string;
  queueName?: string;
  detectAnomaly?: boolean;
  shard?: string;
}

export function registerStudy(program: Command): void {
  program
    .command('study')
    .argument('<study>', 'a study file (.yaml/.json) or the name of a shipped study (e.g. deep-transition)')
    .description('run a study (or resume it: finished trials are kept), then write its report')
    .option('--profile <name>', 'apply a profile of the study (e.g. quick, full)')
    .option('--out <dir>', 'output folder (default out/<study>[-<profile>])')
    .option('--db <file>', 'results database (default <out>/results.db)')
    .option('--workers <n>', 'worker threads (default: one per core)', int('--workers'))
    .option('--limit <n>', 'run at most n pending trials, then stop', int('--limit'))
    .option('--backend <name>', 'wasm | reference')
    .option('--no-retry-failed', 'keep failed trials as they are (by default a rerun runs them again)')
    .option(
      '--queue <url>',
      'run the trials on `recur worker` processes over Redis (redis://[:password@]host:6379[/db], rediss://…)',
    )
    .option('--queue-name <name>', 'queue name, shared with the workers (default recur)')
    .option(
      '--shard <k/n>',
      'run only the k-th of n deterministic parts of the trials (array jobs; combine with recur merge)',
    )
    .option('--no-report', 'do not write the report at the end')
    .option('--detect-anomaly', 'check every op for NaN/Inf; a diverged trial names the first op (slower; debugging)')
    .option('--json', 'print a JSON summary')
    .option('--quiet', 'no progress output')
    .option(
      '--dry-run',
      'validate the study, count its trials and estimate its time from measured step times; run nothing',
    )
    .addHelpText(
      'after',
      `
Examples:
  recur study deep-transition --profile quick     # the flagship's miniature (npm start), minutes on 2 cores
  recur study deep-transition                     # the standard run (hours); rerun to resume
  recur study deep-transition --dry-run           # count the trials and estimate the time first
  recur study my-study.yaml --workers 2 --out results/mine
  recur study my-study.yaml --queue redis://10.0.0.5:6379   # trials on recur worker processes
  recur study my-study.yaml --shard 3/8 --out shards        # one task of an 8-way array job`,
    )
    .action(async (ref: string, f: StudyFlags) => {
      checkNumbers(f);
      const path = resolveStudy(ref);
      const study = userInput(() => loadStudyFile(path, f.profile));
      if (f.dryRun) return dryRun(study, path, f);
      const shard = f.shard !== undefined ? userInput(() => parseShard(f.shard!)) : null;
      const queueAt = f.queue ? userInput(() => parseQueueUrl(f.queue!)).display : null;
      const local =
        f.workers !== undefined
          ? 'workers'
          : f.limit !== undefined
            ? 'limit'
            : f.detectAnomaly
              ? 'detect-anomaly'
              : null;
      if (f.queue && local)
        throw new UserError(
          `--${local} applies to local runs; with --queue, start as many \`recur worker\` processes as you like`,
        );
      const out = resolve(f.out ?? join('out', f.profile ? `${study.name}-${f.profile}` : study.name));
      const created = f.db === undefined || f.report ? userInput(() => mkdirOrExplain(out)) : null;
      let started = false;
      // a run refused before its first trial (limits, an invalid grid, a locked store) leaves no folder behind
      const cleanUp = (): void => {
        if (!started && created) rmSync(created, { recursive: true, force: true });
      };
      const db = f.db ?? join(out, shard ? `results.shard-${shard.k}-of-${shard.n}.db` : 'results.db');
      userInput(() => {
        try {
          stampProvenance(db, {
            study: study.name,
            studyHash: studyHash(study),
            shard: shard ? `${shard.k}/${shard.n}` : null,
          });
        } catch (e) {
          cleanUp();
          throw e;
        }
      });
      let progress: Progress | null = null;
      let best: { label: string; metric: number } | null = null;
      // Trials in flight (local threads or queue workers) and how far each has trained: the bar moves between
      // trials too, which matters when one trial takes minutes.
      const running = new Map<string, number>();
      let done = 0;
      const status = (): string => {
        const fractions = [...running.values()].map((x) => `${Math.floor(100 * x)}%`);
        const inFlight = fractions.length
          ? `${fractions.length} running (${fractions.slice(0, 4).join(' ')}${fractions.length > 4 ? ' …' : ''})`
          : '';
        return [inFlight, best ? `best ${best.metric.toPrecision(3)} ${best.label}` : ''].filter(Boolean).join(' | ');
      };
      const t0 = Date.now();
      const onEvent = (e: StudyEvent | CoordinatorEvent): void => {
        if (e.type === 'queued') {
          progress?.log(
            `${study.name}: ${e.added} trials on queue '${e.queue}' at ${queueAt}; workers run them: recur worker --queue ${queueAt}${f.queueName ? ` --queue-name ${f.queueName}` : ''}`,
          );
        } else if (e.type === 'requeued' || e.type === 'connection') {
          progress?.log(
            e.type === 'requeued'
              ? `${study.name}: ${e.count} trials were missing from the queue (Redis restarted?); queued again`
              : e.message,
          );
        } else if (e.type === 'start') {
          started = true;
          progress = createProgress(e.total, study.name, { quiet: f.quiet || f.json });
          done = e.skipped;
          progress.update(e.skipped, e.skipped ? `resumed: ${e.skipped} already done` : '');
          if (e.tookOverFrom)
            progress.log(`${db}: took over the lock of pid ${e.tookOverFrom.pid}, which is no longer running`);
          if (e.skipped)
            progress.log(
              `${study.name}: ${e.skipped}/${e.total} trials already in ${db}; running the other ${e.pending}${e.retrying ? ` (${e.retrying} of them failed before)` : ''}`,
            );
          if (e.adopted)
            progress.log(
              `${study.name}: adopted ${e.adopted} trials stored by an earlier recur (assumed to have run on backend ${f.backend ?? 'the default'})`,
            );
          if (e.stale)
            progress.log(
              `${study.name}: ${e.stale} stored trials belong to an earlier definition of the study; kept in ${db}, left out of the report`,
            );
        } else if (e.type === 'estimate' && progress) {
          const { estimate: est } = e;
          const ruledOut = e.staircaseSkips
            ? ` (and ${e.staircaseSkips} that the staircase will skip, given the stored results)`
            : '';
          progress.log(
            `${study.name}: ${e.pending} trials to run${ruledOut} on ${e.workers} worker${e.workers > 1 ? 's' : ''}: at most ${formatDuration(est.seconds)} ` +
              `(${(est.cpuSeconds / 3600).toFixed(2)} CPU-hours, from step times measured now; trials that solve early or that the staircase skips finish sooner)`,
          );
        } else if (e.type === 'pilot' && progress) {
          const chosen = e.choice.table
            .filter((r) => r.chosen)
            .map((r) => `${r.condition.replace(/\|\{\}$/, '')} lr=${r.lr}`);
          progress.log(`${study.name}: learning-rate pilot done; chosen: ${chosen.join('; ')}`);
        } else if (e.type === 'staircase' && progress) {
          progress.log(
            `${study.name}: staircase: ${e.skipped.length} trials at the next T skipped (no seed solved the shorter T)`,
          );
          done = e.done;
          progress.setTotal(e.total);
          progress.update(e.done, status());
        } else if (e.type === 'stopping' && progress) {
          progress.log(
            `stopping: no new trials; waiting for the ${e.inFlight} in flight to finish (signal again to abandon them)`,
          );
        } else if (e.type === 'progress' && progress) {
          if (e.progress.steps > 0) running.set(e.trial.key, Math.min(1, e.progress.step / e.progress.steps));
          progress.update(done, status());
        } else if (e.type === 'trial' && progress) {
          running.delete(e.trial.key);
          done = e.done;
          progress.setTotal(e.total);
          const metric = e.record.final?.metric;
          if (
            metric !== undefined &&
            e.record.status === 'done' &&
            (best === null || better(metric, best.metric, e.trial.task.kind))
          )
            best = { label: e.trial.label, metric };
          const decay = e.record.summary['decay.init'];
          const what =
            e.record.status === 'done' && e.trial.training.steps === 0
              ? `per-step gradient decay ${typeof decay === 'number' ? decay.toFixed(3) : 'n/a'}`
              : e.record.status === 'done'
                ? `${metric?.toPrecision(3) ?? 'n/a'}${e.record.solvedAt !== null ? ` solved@${e.record.solvedAt}` : ''}`
                : e.record.status === 'diverged'
                  ? `diverged@${e.record.divergedAt}`
                  : `failed: ${e.record.error}`;
          progress.log(`[${e.done}/${e.total}] ${e.trial.label}: ${what} (${e.record.seconds.toFixed(1)} s)`);
          progress.update(e.done, status());
        }
      };
      // First SIGINT/SIGTERM: stop handing out trials and let those in flight finish; a second: leave now
      // (the store keeps only whole trials, so nothing is half-written either way).
      const stop = new AbortController();
      const onSignal = (signal: NodeJS.Signals): void => {
        if (stop.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
        stop.abort();
      };
      process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
      const select = shard ? selectShard(shard) : undefined;
      const summary = await (f.queue
        ? runQueuedStudy(study, {
            db,
            url: f.queue,
            name: f.queueName,
            backend: f.backend,
            retryFailed: f.retryFailed,
            source: path,
            select,
            signal: stop.signal,
            onEvent,
          })
        : runStudy(study, {
            db,
            workers: f.workers,
            limit: f.limit,
            backend: f.backend,
            retryFailed: f.retryFailed,
            source: path,
            select,
            signal: stop.signal,
            onEvent,
            estimate: !f.quiet && !f.json,
            detectAnomaly: f.detectAnomaly,
          })
      )
        .catch((e: unknown) => {
          cleanUp();
          throw e;
        })
        .finally(() => process.off('SIGINT', onSignal).off('SIGTERM', onSignal));
      (progress as Progress | null)?.stop();
      const report =
        f.report && !shard && summary.done + summary.diverged + summary.failed + summary.skipped > 0
          ? writeReport(db, out, { study: study.name })
          : null;
      const seconds = (Date.now() - t0) / 1000;
      if (f.json) {
        process.stdout.write(
          `${JSON.stringify({ study: study.name, profile: f.profile ?? null, db, ...summary, seconds, report: report?.htmlPath ?? null }, null, 2)}\n`,
        );
        return;
      }
      process.stdout.write(
        `${study.name}${f.profile ? ` (${f.profile})` : ''}: ${summary.total} trials — ${summary.skipped} already done, ran ${summary.ran} (${summary.done} done, ${summary.diverged} diverged, ${summary.failed} failed${summary.retried ? `; ${summary.retried} were retries` : ''}) in ${seconds.toFixed(0)} s${summary.staircase ? `; ${summary.staircase} skipped by the staircase` : ''}${summary.left ? `; ${summary.left} left for the next run` : ''}${summary.stopped ? ' (stopped by a signal)' : ''}\n`,
      );
      if (summary.stale)
        process.stdout.write(
          `note: ${summary.stale} trials of an earlier definition of ${study.name} are in ${db} but not in the report\n`,
        );
      process.stdout.write(`results: ${db}\n`);
      if (shard)
        process.stdout.write(
          `shard ${shard.k}/${shard.n}: combine the shards with recur merge ${join(out, 'results.db')} ${join(out, 'results.shard-*.db')}\n`,
        );
      if (report) process.stdout.write(`report:  ${report.htmlPath}\n         ${report.markdownPath}\n`);
    });
}

/** Lower is better for losses, higher for accuracy (copy/adding/… are losses; mnist/temporal-order accuracy). */
function better(a: number, b: number, kind: string): boolean {
  return kind === 'mnist' || kind === 'temporal-order' ? a > b : a < b;
}
