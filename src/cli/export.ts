/**
 * `recur export <db>`: a compact, committable export of a study's results (`recur report` reads it back);
 * `recur import <export> --db <db>`: load an export into a results database, so a study resumes from it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import { copyResults, exportStudy, openResults } from '../runner/export.js';
import { ResultStore } from '../runner/store.js';
import { UserError, userInput } from './errors.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .argument('<db>', 'results database written by `recur study`')
    .requiredOption('--out <file>', 'the export to write (must end in .jsonl.gz)')
    .option('--study <name>', 'which study (when the database holds several)')
    .description('write a compact export of a study (gzip JSON lines) that `recur report` reads')
    .addHelpText(
      'after',
      '\nExamples:\n  recur export out/deep-transition/results.db --out docs/deep-transition/results.jsonl.gz\n  recur report docs/deep-transition/results.jsonl.gz --out docs/deep-transition',
    )
    .action((db: string, f: { out: string; study?: string }) => {
      if (!f.out.endsWith('.jsonl.gz')) throw new UserError(`--out ${f.out}: an export's name must end in .jsonl.gz`);
      if (!existsSync(db)) throw new UserError(`${db}: results database not found`);
      const bytes = userInput(() => {
        const store = new ResultStore(db, { readonly: true });
        try {
          const names = store.studies().map((s) => s.name);
          const study = f.study ?? (names.length === 1 ? names[0] : undefined);
          if (!study)
            throw new Error(
              `${db}: the database holds ${names.length} studies (${names.join(', ') || 'none'}); choose one with --study`,
            );
          return exportStudy(store, study);
        } finally {
          store.close();
        }
      });
      writeFileAtomic(resolve(f.out), bytes);
      process.stdout.write(`export:  ${resolve(f.out)} (${(bytes.length / 1e6).toFixed(2)} MB)\n`);
    });
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .argument('<export>', 'an export written by `recur export` (.jsonl.gz)')
    .requiredOption('--db <file>', "the results database to write (trials already in it are replaced by the export's)")
    .description('load an export into a results database, e.g. to resume its study on another machine')
    .addHelpText(
      'after',
      '\nExample:\n  recur import docs/deep-transition/results.jsonl.gz --db out/deep-transition/results.db\n  recur study deep-transition   # resumes: the imported trials are kept',
    )
    .action((path: string, f: { db: string }) => {
      const n = userInput(() => {
        const source = openResults(path);
        mkdirSync(dirname(resolve(f.db)), { recursive: true });
        const target = new ResultStore(f.db);
        try {
          return copyResults(source, target);
        } finally {
          source.close();
          target.close();
        }
      });
      process.stdout.write(`imported ${n} trials into ${resolve(f.db)}\n`);
    });
}
