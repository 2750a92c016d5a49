/**
 * What travels through the queue. A job carries one fully resolved trial, the content hash of its study and
 * the recur version that expanded it; its id is the trial key, so enqueueing a trial twice is harmless. A
 * worker runs nothing but a trial, and only one that passes every check here: the right version, a spec
 * that validates, and a key that is the hash of that spec (so a spec edited in the queue is refused).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { modelShapeSchema } from '../../models/config.js';
import { parseTaskSpec } from '../../tasks/registry.js';
import { trialKey, type TrialSpec } from '../grid.js';
import { canonical } from '../variants.js';
import type { TrialRecord } from '../store.js';
import { instrumentsSchema, trainingSchema, type StudyBody } from '../study.js';

import { RECUR_VERSION } from '../../util/version.js';

/** recur's version (package.json), which a worker must share with the coordinator. */
export { RECUR_VERSION };

/** The job name of trials (the only kind of job recur puts in a queue). */
export const TRIAL_JOB = 'trial';

/** The queue's payload for one trial. */
export interface TrialJob {
  version: string;
  /** sha256 of the study's resolved definition (see `studyHash`). */
  studyHash: string;
  trial: TrialSpec;
}

/** What a worker returns for a trial (the job's return value). */
export interface TrialResult {
  key: string;
  version: string;
  studyHash: string;
  record: TrialRecord;
}

/** The content hash of a validated study: sha256 of the canonical form of its JSON (as the store keeps it). */
export function studyHash(study: StudyBody): string {
  return createHash('sha256')
    .update(canonical(JSON.parse(JSON.stringify(study))))
    .digest('hex');
}

const trialSchema = z.strictObject({
  key: z.string().regex(/^[0-9a-f]{32}$/, 'a 32-digit hex trial key'),
  index: z.number().int().min(0),
  label: z.string(),
  study: z.string().min(1),
  taskName: z.string(),
  task: z.record(z.string(), z.unknown()),
  modelName: z.string(),
  model: modelShapeSchema,
  training: trainingSchema,
  seed: z.number().int().min(0),
  instruments: instrumentsSchema,
  axes: z.record(z.string(), z.unknown()),
  backend: z.enum(['wasm', 'reference']).optional(),
  recur: z.string().optional(),
  phase: z.literal('pilot').optional(),
  stage: z.strictObject({ group: z.string(), rank: z.number().int().min(0) }).optional(),
});

const jobSchema = z.strictObject({
  version: z.string(),
  studyHash: z.string().regex(/^[0-9a-f]{64}$/),
  trial: z.unknown(),
});

const recordSchema = z.strictObject({
  status: z.enum(['done', 'diverged', 'failed']),
  steps: z.number().int().min(0),
  divergedAt: z.number().nullable(),
  error: z.string().nullable(),
  solvedAt: z.number().nullable(),
  final: z.record(z.string(), z.number().nullable()).nullable(),
  seconds: z.number(),
  metrics: z.array(z.strictObject({ step: z.number(), name: z.string(), value: z.number().nullable() })),
  curves: z.array(
    z.strictObject({ kind: z.string(), step: z.number(), layer: z.number(), data: z.record(z.string(), z.unknown()) }),
  ),
  summary: z.record(z.string(), z.number().nullable()),
});

const resultSchema = z.strictObject({
  key: z.string(),
  version: z.string(),
  studyHash: z.string(),
  record: recordSchema,
});

/** A job a worker will not run; the message says why (it becomes the failed job's reason). */
export class RefusedJob extends Error {
  override name = 'RefusedJob';
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`)
    .join('; ');
}

/** The job for a trial of a study. */
export function trialJob(trial: TrialSpec, hash: string): TrialJob {
  return { version: RECUR_VERSION, studyHash: hash, trial };
}

/**
 * Check a job's data before running it: same recur version, a valid trial spec, and a key that matches the
 * spec. Returns the trial; throws RefusedJob with the reason otherwise.
 */
export function acceptJob(data: unknown, jobId: string | undefined, version = RECUR_VERSION): TrialJob {
  const job = jobSchema.safeParse(data);
  if (!job.success) throw new RefusedJob(`not a recur trial job (${issues(job.error)})`);
  if (job.data.version !== version) {
    throw new RefusedJob(
      `job from recur ${job.data.version}, this worker is recur ${version}: run workers of the coordinator's version`,
    );
  }
  const spec = trialSchema.safeParse(job.data.trial);
  if (!spec.success) throw new RefusedJob(`invalid trial spec: ${issues(spec.error)}`);
  const trial = job.data.trial as TrialSpec;
  try {
    parseTaskSpec(trial.task, 'trial.task');
  } catch (e) {
    throw new RefusedJob(`invalid trial spec: ${(e as Error).message.replace(/\n/g, ' ')}`);
  }
  const { phase, task, model, training, seed, instruments, backend, recur } = trial;
  // the body the key hashes (runner/grid.ts, runner/pilot.ts): a pilot trial's also names its phase; the
  // identity (backend, recur's version) is part of it when the trial carries it
  const identity = { ...(backend !== undefined ? { backend } : {}), ...(recur !== undefined ? { recur } : {}) };
  const key = trialKey(trial.study, {
    ...(phase ? { phase } : {}),
    task,
    model,
    training,
    seed,
    instruments,
    ...identity,
  });
  if (key !== trial.key)
    throw new RefusedJob(`trial spec does not match its key ${trial.key} (it hashes to ${key}): the job was altered`);
  if (jobId !== undefined && jobId !== trial.key)
    throw new RefusedJob(`job id ${jobId} is not the trial key ${trial.key}`);
  return { version: job.data.version, studyHash: job.data.studyHash, trial };
}

/** Check a job's return value on the coordinator's side; returns null (with the reason) if it is not a result of this trial. */
export function acceptResult(
  value: unknown,
  trial: TrialSpec,
  hash: string,
): { result: TrialResult } | { error: string } {
  const r = resultSchema.safeParse(value);
  if (!r.success) return { error: `malformed result (${issues(r.error)})` };
  if (r.data.key !== trial.key) return { error: `result for trial ${r.data.key}, expected ${trial.key}` };
  if (r.data.version !== RECUR_VERSION)
    return { error: `result from recur ${r.data.version}, the coordinator is recur ${RECUR_VERSION}` };
  if (r.data.studyHash !== hash) return { error: 'result from a different definition of the study' };
  return { result: r.data as TrialResult };
}
