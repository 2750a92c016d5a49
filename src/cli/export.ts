/** `recur export <db>`: a compact, committable export of a study's results (`recur report` reads it back). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import { exportStudy } from '../runner/export.js';
import { ResultStore } from '../runner/store.js';
import { UserError, userInput } from './errors.js';

export function registerExport(program: Command): void {
  program.command('export')
    .argument('<db>', 'results database written by `recur study`')
    .requiredOption('--out <file>', 'the export to write (must end in .jsonl.gz)')
    .option('--study <name>', 'which study (when the database holds several)')
    .description('write a compact export of a study (gzip JSON lines) that `recur report` reads')
    .addHelpText('after', '\nExamples:\n  recur export out/deep-transition/results.db --out docs/deep-transition/results.jsonl.gz\n  recur report docs/deep-transition/results.jsonl.gz --out docs/deep-transition')
    .action((db: string, f: { out: string; study?: string }) => {
      if (!f.out.endsWith('.jsonl.gz')) throw new UserError(`--out ${f.out}: an export's name must end in .jsonl.gz`);
      if (!existsSync(db)) throw new UserError(`${db}: results database not found`);
      const bytes = userInput(() => {
        const store = new ResultStore(db, { readonly: true });
        try {
          const names = store.studies().map((s) => s.name);
          const study = f.study ?? (names.length === 1 ? names[0] : undefined);
          if (!study) throw new Error(`${db}: the database holds ${names.length} studies (${names.join(', ') || 'none'}); choose one with --study`);
          return exportStudy(store, study);
        } finally {
          store.close();
        }
      });
      writeFileAtomic(resolve(f.out), bytes);
      process.stdout.write(`export:  ${resolve(f.out)} (${(bytes.length / 1e6).toFixed(2)} MB)\n`);
    });
}
