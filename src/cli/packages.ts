/**
 * The optional packages each command needs (util/optional.ts), checked before the command starts so that a
 * library-only install says at once everything to install, in one line:
 *   recur: the study command needs better-sqlite3 and vega: npm install better-sqlite3 vega
 */
import type { Command } from 'commander';
import { type OptionalPackage, requirePackages } from '../util/optional.js';

const REPORT: OptionalPackage[] = ['vega', 'vega-lite'];
const QUEUE: OptionalPackage[] = ['bullmq', 'ioredis'];

/** The optional packages that `command` needs, with its parsed options and arguments. */
export function packagesFor(name: string, opts: Record<string, unknown>, args: readonly string[]): OptionalPackage[] {
  switch (name) {
    case 'study': {
      const yaml: OptionalPackage[] = args[0]?.endsWith('.json') ? [] : ['yaml'];
      if (opts.dryRun) return yaml;
      return [
        ...yaml,
        'better-sqlite3',
        ...(opts.report === false ? [] : REPORT),
        ...(opts.queue !== undefined ? QUEUE : []),
      ];
    }
    case 'report':
      return ['better-sqlite3', ...REPORT];
    case 'export':
    case 'import':
    case 'merge':
      return ['better-sqlite3'];
    case 'worker':
      return QUEUE;
    case 'inspect':
      return opts.svg !== undefined ? REPORT : [];
    default:
      return [];
  }
}

/** Before any command runs: throw one MissingPackageError naming all the optional packages it lacks. */
export function checkPackages(program: Command): void {
  program.hook('preAction', (_program, command) => {
    requirePackages(`the ${command.name()} command`, packagesFor(command.name(), command.opts(), command.args));
  });
}
