/** `recur study`'s checks before it runs: numeric options in range, an output folder it can write. */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { UserError } from './errors.js';
import type { StudyFlags } from './study.js';

/**
 * Create the output folder (and check that it can be written), saying plainly when permissions or the disk
 * are the problem. Returns the folder it created, if any (removed again when the run fails before starting).
 */
export function mkdirOrExplain(dir: string): string | null {
  let created: string | undefined,
    made = false;
  try {
    created = mkdirSync(dir, { recursive: true });
    made = true;
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? `permission denied: ${dir}`
        : code === 'ENOSPC'
          ? `disk full: no space left on the device that holds ${dir}`
          : code === 'EROFS'
            ? `read-only file system: ${dir}`
            : (e as Error).message;
    throw new UserError(`cannot ${made ? 'write in' : 'create'} the output folder ${dir}: ${why}`);
  }
  return created ?? null;
}

/** Range checks of the numeric options, each refusal one line naming the option. */
export function checkNumbers(f: StudyFlags): void {
  if (f.workers !== undefined && !(f.workers >= 0 && f.workers <= MAX_WORKERS))
    throw new UserError(
      `--workers must be a whole number from 0 to ${MAX_WORKERS} (0: one per core), got ${f.workers}`,
    );
  if (f.limit !== undefined && !(f.limit >= 0 && Number.isSafeInteger(f.limit)))
    throw new UserError(`--limit must be a whole number ≥ 0, got ${f.limit}`);
}

/** Worker threads one local run may start (each holds a copy of the kernels and its trial's model). */
const MAX_WORKERS = 1024;
