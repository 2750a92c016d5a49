/** The `recur` command line: a thin client of the library, one file per command. */
import { Command, CommanderError } from 'commander';
import { commanderMessage, handleError } from './errors.js';
import { registerTasks } from './tasks.js';
import { registerTrain } from './train.js';
import { registerStudy } from './study.js';
import { registerReport } from './report.js';
import { registerExport, registerImport } from './export.js';
import { registerInspect } from './inspect.js';
import { registerWorker } from './worker.js';
import { registerMerge } from './merge.js';
import { checkPackages } from './packages.js';

export async function main(argv: string[]): Promise<void> {
  // `recur tasks | head`: a closed pipe ends the output quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      else throw e;
    });
  }
  const program = new Command('recur')
    .description('recurrent neural networks: train them fast, see why they train or fail, run studies')
    .version('0.1.0')
    .exitOverride()
    // commander's parse errors are printed below as one `recur:` line (commanderMessage)
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => {} });
  registerTrain(program);
  registerStudy(program);
  registerReport(program);
  registerExport(program);
  registerImport(program);
  registerInspect(program);
  registerTasks(program);
  registerWorker(program);
  registerMerge(program);
  checkPackages(program);
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
      if (e.code !== 'commander.help') {
        const command = program.commands.find((c) => argv.slice(2).includes(c.name()))?.name();
        process.stderr.write(`recur: ${commanderMessage(e.message, command)}\n`);
      } // (commander.help: commander printed the help, as for `recur` alone)
      process.exit(2);
    }
    handleError(e);
  }
}
