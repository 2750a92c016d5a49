/**
 * Progress display: a bar on a terminal (cli-progress), plain lines when the output is a pipe or a file.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Update the bar (value of total) with a status text. */
  update(value: number, status: string): void;
  /** Print a line above the bar (or as a plain line). */
  log(line: string): void;
  stop(): void;
}

/** A progress display on stderr; plain lines every `lineEvery` updates when stderr is not a terminal. */
export function createProgress(total: number, label: string, options: { quiet?: boolean } = {}): Progress {
  if (options.quiet) return { update: () => undefined, log: () => undefined, stop: () => undefined };
  if (!process.stderr.isTTY) {
    return {
      update: () => undefined,
      log: (line) => process.stderr.write(`${line}\n`),
      stop: () => undefined,
    };
  }
  const multi = new cliProgress.MultiBar({
    format: `${label} {bar} {value}/{total} | ETA {eta_formatted} | {status}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 20,
  }, cliProgress.Presets.shades_classic);
  const bar = multi.create(total, 0, { status: '' });
  return {
    update: (value, status) => bar.update(value, { status }),
    log: (line) => multi.log(`${line}\n`),
    stop: () => multi.stop(),
  };
}
