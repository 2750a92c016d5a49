/**
 * Progress display: a bar on a terminal (cli-progress), plain lines when the output is a pipe or a file, or
 * when cli-progress (an optional package) is not installed — then a note says so once.
 * Training runs synchronously between event-loop turns, so cli-progress's own redraw timer may not fire:
 * `update` redraws the bar itself whenever ~100 ms have passed since the last drawing.
 */
import type CliProgress from 'cli-progress';
import { MissingPackageError, optionalImport } from '../util/optional.js';

const cliProgressModule = await optionalImport<{ default: typeof CliProgress }>('cli-progress');

export interface Progress {
  /** Update the bar (value of total) with a status text. */
  update(value: number, status: string): void;
  /** Change the total (e.g. a study's pilot grew by a rung). */
  setTotal(total: number): void;
  /** Print a line above the bar (or as a plain line). */
  log(line: string): void;
  /** Remove nothing, draw the final state, and show the cursor again. Safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  quiet?: boolean;
  /** Unit of the rate shown ('steps' → "12.3 steps/s"); no rate without it. */
  unit?: string;
  /** Non-terminal output: also print a plain status line at most this often (ms; default: never). */
  plainEveryMs?: number;
}

/** "1 m 05 s" style duration. */
function duration(s: number): string {
  s = Math.round(s);
  return s >= 60 ? `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

/** Rate since the first update, and the remaining time at that rate ('…' until there is a rate). */
function timing(start: number, startValue: number, value: number, total: number): { rate: number; eta: string } {
  const done = value - startValue,
    elapsed = (Date.now() - start) / 1000;
  if (done <= 0 || elapsed <= 0) return { rate: NaN, eta: '…' };
  return { rate: done / elapsed, eta: duration(((total - value) * elapsed) / done) };
}

const REDRAW_MS = 100;
let noted = false;

/** cli-progress, or null (with a one-time note) when it is not installed. */
function progressBars(): typeof CliProgress | null {
  try {
    return cliProgressModule().default;
  } catch (e) {
    if (!(e instanceof MissingPackageError)) throw e;
    if (!noted) process.stderr.write(`recur: ${e.message} (showing plain lines instead)\n`);
    noted = true;
    return null;
  }
}

/** A progress display on stderr: a bar on a terminal, plain lines otherwise (or nothing when quiet). */
export function createProgress(total: number, label: string, options: ProgressOptions = {}): Progress {
  if (options.quiet)
    return { update: () => undefined, setTotal: () => undefined, log: () => undefined, stop: () => undefined };
  const start = Date.now();
  let startValue: number | null = null;
  const rateText = (rate: number): string =>
    options.unit && Number.isFinite(rate)
      ? ` | ${rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3)} ${options.unit}/s`
      : '';
  const cliProgress = process.stderr.isTTY ? progressBars() : null;
  if (!cliProgress) {
    let lastPlain = Date.now();
    return {
      update: (value, status) => {
        startValue ??= value;
        const every = options.plainEveryMs;
        if (every === undefined || Date.now() - lastPlain < every) return;
        lastPlain = Date.now();
        const t = timing(start, startValue, value, total);
        process.stderr.write(`${label} ${value}/${total}${rateText(t.rate)} | ETA ${t.eta} | ${status}\n`);
      },
      setTotal: (n) => {
        total = n;
      },
      log: (line) => process.stderr.write(`${line}\n`),
      stop: () => undefined,
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      format: `${label} {bar} {value}/{total}{rate} | ETA {etaText} | {status}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      linewrap: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = multi.create(total, 0, { status: '', etaText: '…', rate: '' });
  // Whatever ends the process, the cursor comes back.
  const showCursor = (): void => {
    process.stderr.write('\x1b[?25h');
  };
  process.once('exit', showCursor);
  let lastDraw = 0,
    stopped = false;
  return {
    update: (value, status) => {
      startValue ??= value;
      const t = timing(start, startValue, value, total);
      bar.update(value, { status, etaText: t.eta, rate: rateText(t.rate) });
      const now = Date.now();
      if (now - lastDraw >= REDRAW_MS || value === total) {
        lastDraw = now;
        multi.update(); // draw now: cli-progress's timer cannot fire while training holds the thread
      }
    },
    setTotal: (n) => {
      total = n;
      bar.setTotal(n);
    },
    log: (line) => {
      multi.log(`${line}\n`);
      multi.update(); // draw now: the logged line appears above the bar
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      multi.stop();
      process.removeListener('exit', showCursor);
    },
  };
}
