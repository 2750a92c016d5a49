/** `recur study --dry-run`: validate a study, count its trials and estimate its time; run nothing. */
import { availableParallelism } from 'node:os';
import { estimateTrials, formatDuration } from '../runner/estimate.js';
import { checkTrials, expandStudy } from '../runner/grid.js';
import { expandPilot } from '../runner/pilot.js';
import type { StudyBody } from '../runner/study.js';
import { userInput } from './errors.js';
import type { StudyFlags } from './study.js';

/** `--dry-run`: count the trials (pilot, probe-only, trained) and estimate the run from measured step times. */
export function dryRun(study: StudyBody, path: string, f: StudyFlags): void {
  const pilot = userInput(() => expandPilot(study, path));
  const trials = userInput(() => expandStudy(study, path));
  userInput(() => checkTrials([...pilot, ...trials], path));
  const all = [...pilot, ...trials];
  const workers = Math.max(1, f.workers ?? availableParallelism());
  const est = estimateTrials(all, workers, f.backend);
  const probes = trials.filter((t) => t.training.steps === 0).length;
  const r = {
    study: study.name,
    profile: f.profile ?? null,
    trials: trials.length,
    probeOnly: probes,
    trained: trials.length - probes,
    pilot: pilot.length,
    workers,
    seconds: Math.round(est.seconds),
    cpuHours: Number((est.cpuSeconds / 3600).toFixed(2)),
    unrunnable: est.unrunnable.map((u) => ({
      trials: u.trials.length,
      first: u.trials[0]?.label,
      reason: u.reason,
      needs: u.needs,
    })),
    heapLimit: est.heapLimit,
  };
  if (f.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `${study.name}${f.profile ? ` (${f.profile})` : ''}: ${r.trials} trials (${r.probeOnly} probe-only, ${r.trained} trained) and ${r.pilot} pilot trials\n` +
      `at most ${formatDuration(est.seconds)} on ${workers} worker${workers > 1 ? 's' : ''} = ${r.cpuHours} CPU-hours, from step times measured now (CPU time on one thread, wall-clock with more) ` +
      '(an upper bound: every trial to its full budget; trials that solve stop early and a staircase skips the longer T of a failed condition)\n',
  );
  const gib = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GiB`;
  for (const u of r.unrunnable) {
    const needs = u.needs.length
      ? `; it would need ${u.needs.map((n) => `${gib(n.bytes)} at T = ${n.T}`).join(', ')} of wasm heap${r.heapLimit ? `, which holds ${gib(r.heapLimit)}` : ''}`
      : '';
    process.stdout.write(
      `cannot run here, left out of the estimate: ${u.trials} trial${u.trials > 1 ? 's' : ''} like ${u.first} (${u.reason}${needs})\n`,
    );
  }
}
