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

/** "1 m 05 s" style remaining time from the rate so far (blank until there is a rate). */
function eta(start: number, startValue: number, value: number, total: number): string {
  const done = value - startValue, elapsed = (Date.now() - start) / 1000;
  if (done <= 0 || elapsed <= 0) return '…';
  const s = Math.round(((total - value) * elapsed) / done);
  return s >= 60 ? `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

/** A progress display on stderr: a bar on a terminal, plain lines otherwise (or nothing when quiet). */
export function createProgress(total: number, label: string, options: { quiet?: boolean } = {}): Progress {
  if (options.quiet) return { update: () => undefined, log: () => undefined, stop: () => undefined };
  if (!process.stderr.isTTY) {
    return { update: () => undefined, log: (line) => process.stderr.write(`${line}\n`), stop: () => undefined };
  }
  const multi = new cliProgress.MultiBar({
    format: `${label} {bar} {value}/{total} | ETA {etaText} | {status}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
    linewrap: false,
  }, cliProgress.Presets.shades_classic);
  const bar = multi.create(total, 0, { status: '', etaText: '…' });
  const start = Date.now();
  let startValue: number | null = null;
  return {
    update: (value, status) => {
      startValue ??= value;
      bar.update(value, { status, etaText: eta(start, startValue, value, total) });
    },
    log: (line) => {
      multi.log(`${line}\n`);
      multi.update(); // draw now: the logged line appears above the bar
    },
    stop: () => multi.stop(),
  };
}
