/**
 * Bounds on the work a study file may ask for, checked before anything is expanded, built or run: a few
 * hundred bytes of YAML must not be able to take the machine down (a grid of 10^8 trials, `hidden: 20000`,
 * `evalBatches: 1e9`, a symlink to /dev/zero). Every check counts from the config — axis lengths, seed
 * counts, `modelSize` — and a refusal names the key, the value and the limit.
 *
 * Limits are generous for real studies and can be raised deliberately in the study file:
 *   limits: { trials: 200000, parameters: 100000000 }
 * Only `trials` has a hard ceiling (the trial list is held in memory): {@link TRIALS_CEILING}.
 */
import { readRegularFile } from '../io/files.js';
import { z } from 'zod';

/** The bounds, by the key that raises each one in a study's `limits` section. */
export interface StudyLimits {
  /** Trials one study may define (the product of its grids and seeds). */
  trials: number;
  /** Trainable parameters of one model (counted from the config, see models/size.ts). */
  parameters: number;
  /** Sequence length T of any task. */
  T: number;
  /** Training steps of one trial. */
  steps: number;
  /** Sequences one evaluation draws: evalBatches × evalBatchSize. */
  evalSamples: number;
  /** Activations one batch records: T × batch × the model's scalars per sequence element and step. */
  activations: number;
}

export const DEFAULT_LIMITS: Readonly<StudyLimits> = {
  trials: 100_000,
  parameters: 20_000_000,
  T: 10_000,
  steps: 10_000_000,
  evalSamples: 1_000_000,
  activations: 2 ** 30,
};

/** `limits.trials` cannot be raised past this: every trial's spec is held in memory while a study runs. */
export const TRIALS_CEILING = 1_000_000;

/** Study files larger than this are refused before they are read (real ones are a few KiB; YAML parsing
 * takes seconds per MiB). */
export const MAX_STUDY_FILE_BYTES = 256 * 1024;

/** Objects and arrays may nest this deep in a study file (real ones nest 5 or 6 levels). */
export const MAX_NESTING = 32;

const limit = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** The `limits` section of a study file: any subset of {@link StudyLimits}. */
export const limitsSchema = z.strictObject({
  trials: limit
    .max(TRIALS_CEILING, `at most ${TRIALS_CEILING} (the ceiling: every trial is held in memory)`)
    .optional(),
  parameters: limit.optional(),
  T: limit.optional(),
  steps: limit.optional(),
  evalSamples: limit.optional(),
  activations: limit.optional(),
});

/** The limits in force: the defaults, raised or lowered by a study's `limits` section. */
export function resolveLimits(section: Partial<StudyLimits> | undefined): StudyLimits {
  return { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(section ?? {}).filter(([, v]) => v !== undefined)) };
}

/** The tail every refusal ends with: how to raise the limit on purpose. */
export function raiseHint(key: keyof StudyLimits): string {
  return `(raise it deliberately with \`limits: { ${key}: N }\` in the study file)`;
}

/** A number for messages: 3200000000 → "3.2e9", 20000000 → "20,000,000". */
export function formatCount(n: number): string {
  return n >= 1e9 ? Number(n.toPrecision(3)).toExponential().replace('e+', 'e') : n.toLocaleString('en-US');
}

/**
 * Read a study file's text: regular files only (no FIFO, device or directory, so a symlink to /dev/zero
 * or a pipe cannot hang or flood the reader), at most `maxBytes`, valid UTF-8.
 * @throws Error naming the path and what is wrong with it.
 */
export function readBoundedText(path: string, maxBytes = MAX_STUDY_FILE_BYTES): string {
  const bytes = readRegularFile(path, maxBytes, 'a study file');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${path}: not UTF-8 text`);
  }
}

/** How deeply objects and arrays nest in a parsed value (iterative: no recursion to overflow). */
export function nestingDepth(value: unknown, stopAt = MAX_NESTING + 1): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > deepest) deepest = d + 1;
    if (deepest >= stopAt) return deepest;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, d + 1]);
  }
  return deepest;
}
