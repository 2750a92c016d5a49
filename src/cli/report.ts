/** `recur report <db>`: build the HTML report and Markdown summary of a study from its results database. */
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { writeReport } from '../report/index.js';
import { userInput } from './errors.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<db>', 'results database written by `recur study`, or an export written by `recur export` (.jsonl.gz)')
    .description('write report.html (self-contained, inline SVG plots) and report.md for a study')
    .option('--study <name>', 'which study (when the database holds several)')
    .option('--out <dir>', "output folder (default: the database's folder)")
    .option('--json', 'print the written paths as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  recur report out/deep-transition-quick/results.db\n  recur report results.db --study my-study --out report/',
    )
    .action((db: string, f: { study?: string; out?: string; json?: boolean }) => {
      const out = resolve(f.out ?? dirname(db));
      const r = userInput(() => writeReport(db, out, { study: f.study }));
      if (f.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else process.stdout.write(`report:  ${r.htmlPath}\n         ${r.markdownPath}\n`);
    });
}
