/**
 * CLI error handling: a user mistake (or a missing optional package) prints one line `recur: <what is wrong>`
 * and exits with code 2; no stack trace unless RECUR_DEBUG=1. Anything else is reported the same way with
 * exit code 1.
 */
import { StudyError } from '../runner/study.js';
import { QueueError } from '../runner/queue/connection.js';
import { MissingPackageError } from '../util/optional.js';

/** A mistake in what the user asked for (bad option, missing file, invalid config). */
export class UserError extends Error {
  override name = 'UserError';
}

/** Run `fn`; any Error it throws is a problem with what the user gave (a file, a config): a UserError. */
export function userInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(e instanceof Error ? e.message : String(e));
  }
}

/** Print the error and exit. */
export function handleError(e: unknown): never {
  const message = e instanceof Error ? e.message : String(e);
  const user =
    e instanceof UserError ||
    e instanceof StudyError ||
    e instanceof QueueError ||
    e instanceof MissingPackageError ||
    isValidationError(message);
  process.stderr.write(`recur: ${message}\n`);
  if (process.env.RECUR_DEBUG === '1' && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(user ? 2 : 1);
}

/**
 * Commander's own parse errors in the house format: one line, no `error:` prefix, and where the options are.
 * "option '--steps <n>' argument 'abc' is invalid. --steps must be an integer, got "abc"" keeps only our
 * parser's sentence; commander's suggestion ("(Did you mean --steps?)") joins the line.
 */
export function commanderMessage(message: string, command: string | undefined): string {
  const text = message
    .replace(/^error:\s*/, '')
    .replace(/^option '[^']*' argument '[^']*' is invalid\.\s+/s, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return `${text} (see \`recur ${command ? `${command} ` : ''}--help\`)`;
}

/** Library validation errors (configs, shapes, files) are user mistakes when they reach the CLI. */
function isValidationError(message: string): boolean {
  return /invalid|expected|must|unknown|not found|cannot read|no such|missing|not a recur/i.test(message);
}
