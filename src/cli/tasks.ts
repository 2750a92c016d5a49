/** `recur tasks`: list the tasks with their definitions and parameters. */
import type { Command } from 'commander';
import { listTasks } from '../tasks/registry.js';

export function registerTasks(program: Command): void {
  program
    .command('tasks')
    .description('list the tasks, their definitions and parameters (with defaults)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  recur tasks\n  recur tasks --json')
    .action((opts: { json?: boolean }) => {
      const tasks = listTasks();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(tasks, null, 2)}\n`);
        return;
      }
      for (const t of tasks) {
        process.stdout.write(`${t.name}\n${wrap(t.definition, 2)}\n`);
        for (const p of t.parameters) {
          const def = p.default !== undefined ? ` = ${JSON.stringify(p.default)}` : '';
          process.stdout.write(`    ${p.name}: ${p.type}${def}${p.description ? ` — ${p.description}` : ''}\n`);
        }
        process.stdout.write('\n');
      }
    });
}

function wrap(text: string, indent: number, width = 100): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + w.length + 1 > width - indent) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}
