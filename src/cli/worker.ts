/** `recur worker --queue redis://…`: serve trial jobs from a queue until stopped (SIGTERM/SIGINT: graceful). */
import type { Command } from 'commander';
import type { BackendName } from '../kernels/index.js';
import { startQueueWorker, type WorkerEvent } from '../runner/queue/worker.js';
import { RECUR_VERSION } from '../runner/queue/payload.js';
import { parseQueueUrl } from '../runner/queue/connection.js';
import { UserError } from './errors.js';
import { int } from './options.js';

interface WorkerFlags {
  queue?: string;
  queueName?: string;
  concurrency?: number;
  threads?: number;
  backend?: BackendName;
  grace: number;
  lock?: number;
  quiet?: boolean;
}

const stamp = (): string => new Date().toISOString().slice(11, 19);

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run trials from a study queue (recur study FILE --queue URL) until stopped')
    .option(
      '--queue <url>',
      'the Redis server of the queue: redis://[:password@]host:6379[/db] or rediss://… (required)',
    )
    .option('--queue-name <name>', 'queue name, as given to recur study (default recur)')
    .option('--concurrency <n>', 'trials at once, one thread each (default 1)', int('--concurrency'))
    .option('--threads <n>', 'kernel threads per trial (default RECUR_THREADS, else 1)', int('--threads'))
    .option('--backend <name>', 'wasm | reference')
    .option(
      '--grace <seconds>',
      'on SIGTERM/SIGINT: let running trials finish for this long, then hand them back to the queue',
      int('--grace'),
      10,
    )
    .option(
      '--lock <ms>',
      "a silent worker's trial goes to another worker after this long (default 30000)",
      int('--lock'),
    )
    .option('--quiet', 'print only errors')
    .addHelpText(
      'after',
      `
Examples:
  recur worker --queue redis://10.0.0.5:6379                    # one trial at a time
  recur worker --queue redis://:secret@10.0.0.5:6379/2 --concurrency 4
  recur worker --queue rediss://user:secret@redis.example.org:6380 --threads 2

Workers take any trial of any study on the queue, but refuse (as a failed job with the reason) one
queued by another recur version (this is ${RECUR_VERSION}) or whose spec does not validate.`,
    )
    .action(async (f: WorkerFlags) => {
      if (!f.queue) throw new UserError('worker: --queue <url> is required (e.g. --queue redis://127.0.0.1:6379)');
      if (f.concurrency !== undefined && !(f.concurrency >= 1 && f.concurrency <= 1024))
        throw new UserError(`--concurrency must be a whole number from 1 to 1024, got ${f.concurrency}`);
      if (f.threads !== undefined && !(f.threads >= 1 && f.threads <= 256))
        throw new UserError(`--threads must be a whole number from 1 to 256, got ${f.threads}`);
      if (!(f.grace >= 0 && f.grace <= 86_400))
        throw new UserError(`--grace must be 0 to 86400 seconds, got ${f.grace}`);
      if (f.lock !== undefined && !(f.lock >= 1000 && f.lock <= 86_400_000))
        throw new UserError(`--lock must be 1000 to 86400000 ms, got ${f.lock}`);
      const at = parseQueueUrl(f.queue).display;
      const say = (line: string): void => {
        if (!f.quiet) process.stderr.write(`${stamp()} ${line}\n`);
      };
      const onEvent = (e: WorkerEvent): void => {
        if (e.type === 'ready')
          say(
            `recur ${RECUR_VERSION} worker ${e.id} serving queue '${e.name}' at ${at} (concurrency ${f.concurrency ?? 1})`,
          );
        else if (e.type === 'start') say(`start  ${e.trial.study}: ${e.trial.label}`);
        else if (e.type === 'finish')
          say(
            `${e.record.status.padEnd(6)} ${e.trial.study}: ${e.trial.label} (${e.record.seconds.toFixed(1)} s)${e.record.error ? `: ${e.record.error}` : ''}`,
          );
        else if (e.type === 'handback') say(`handed back ${e.trial.study}: ${e.trial.label}`);
        else if (e.type === 'refused') process.stderr.write(`${stamp()} refused job ${e.jobId}: ${e.reason}\n`);
        else process.stderr.write(`${stamp()} ${e.message}\n`);
      };
      const worker = await startQueueWorker({
        url: f.queue,
        name: f.queueName,
        concurrency: f.concurrency,
        threads: f.threads,
        backend: f.backend,
        lockMs: f.lock,
        onEvent,
      });
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) return;
          stopping = true;
          say(`${signal}: taking no new trials; running ones have ${f.grace} s to finish, then go back to the queue`);
          worker.stop(f.grace * 1000).then(resolve, (e: Error) => {
            process.stderr.write(`recur: ${e.message}\n`);
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      say(`stopped after ${worker.finished} trial${worker.finished === 1 ? '' : 's'}`);
      process.exit(0);
    });
}
