/** `recur merge OUT.db IN1.db IN2.db …`: combine results files (the shards of an array job). */
import type { Command } from 'commander';
import { mergeResults } from '../runner/queue/merge.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .argument('<out>', 'the merged results file (created, or extended if it exists)')
    .argument('<in...>', 'results files of the same study and recur version')
    .description('combine results files of one study (e.g. shards) into one')
    .option('--json', 'print a JSON summary')
    .addHelpText(
      'after',
      `
Examples:
  recur merge out/my-study/results.db out/my-study/results.shard-*.db
  recur report out/my-study/results.db                                  # then the report`,
    )
    .action((out: string, inputs: string[], f: { json?: boolean }) => {
      const s = mergeResults(out, inputs);
      if (f.json) {
        process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
        return;
      }
      for (const i of s.inputs) {
        const extra = [
          i.duplicates ? `${i.duplicates} duplicate${i.duplicates === 1 ? '' : 's'} (identical, kept once)` : '',
          i.conflicts.length ? `${i.conflicts.length} conflicting` : '',
        ]
          .filter(Boolean)
          .join(', ');
        process.stdout.write(`${i.path}: ${i.trials} trials, ${i.added} added${extra ? `; ${extra}` : ''}\n`);
        for (const key of i.conflicts)
          process.stderr.write(
            `recur: warning: trial ${key} in ${i.path} differs from the copy already merged (kept the earlier one)\n`,
          );
      }
      process.stdout.write(`${out}: ${s.trials} trials of ${s.studies.join(', ')} (recur ${s.version})\n`);
    });
}
