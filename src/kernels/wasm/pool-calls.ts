/** The calling thread's side of the pool protocol (threads.ts), for Node's ThreadPool and a page's WebThreadPool. */
import { DONE, EXIT, GEN, NOTHING, slotId, type ThreadPoolStats } from './control.js';

/**
 * Back-off rule: in windows of WINDOW_MS, add up the time the calling thread lost waiting for late workers
 * (beyond 15 µs + half its own part); more than LOST_SHARE of a window means the workers do not get a core
 * of their own (another process is busy): run on the calling thread alone for a while. Short bursts (V8
 * compiling or collecting on its own background threads, mostly in the first second) stay below that.
 */
const WINDOW_MS = 200,
  LOST_SHARE = 0.25;
/**
 * Waiting right after a sleeping worker was woken is not counted: the wake-up itself, and a woken worker
 * that landed on this thread's core until the scheduler moves it (one scheduler tick, ~4 ms), are not
 * signs of a busy machine.
 */
const WAKE_GRACE_MS = 20;
/**
 * The calling thread's side of split kernel calls, shared by ThreadPool and a page's WebThreadPool
 * (web-threads.ts): start a call in the workers' slots, count it, and the back-off rule (account()).
 */
export class PoolCalls {
  private readonly counts: ThreadPoolStats = { dispatches: 0, late: 0, backoffs: 0 };
  private gen = 0;
  private started = 0;
  private windowStart = 0;
  private windowLost = 0;
  private graceEnd = 0;
  private backoffEnd = -Infinity;
  private backoffNow: number;

  constructor(
    private readonly ctl: Int32Array,
    private readonly size: number,
    private readonly backoffMs: number,
  ) {
    this.backoffNow = backoffMs;
  }

  /** false while backing off (see account()). */
  available(): boolean {
    return performance.now() >= this.backoffEnd;
  }

  stats(): ThreadPoolStats {
    return { ...this.counts };
  }

  /**
   * Start kernel `id` on workers 0..parts−1, whose slots (ids are set here, arguments by the caller) are
   * filled; the other workers get nothing to do. The caller then does its own part and waits for DONE.
   */
  start(id: number, parts: number): void {
    const ctl = this.ctl;
    for (let w = 0; w < this.size; w++) ctl[slotId(w)] = w < parts ? id : NOTHING;
    Atomics.store(ctl, DONE, 0);
    this.gen = (this.gen + 1) | 0;
    Atomics.store(ctl, GEN, this.gen);
    this.started = performance.now();
    for (let w = 0; w < this.size; w++) {
      if (Atomics.load(ctl, slotId(w) + 1) !== 0) {
        Atomics.notify(ctl, GEN);
        this.graceEnd = this.started + WAKE_GRACE_MS;
        break;
      }
    }
    this.counts.dispatches++;
  }

  /** The caller, whose wait began at `t0`, saw every worker done: account the time it lost. */
  finished(t0: number): void {
    this.account(t0, performance.now() - t0 - 0.015 - 0.5 * (t0 - this.started));
  }

  /** Tell every worker to exit (they do at once, or after their current kernel). */
  exit(): void {
    for (let w = 0; w < this.size; w++) this.ctl[slotId(w)] = EXIT;
    this.gen = (this.gen + 1) | 0;
    Atomics.store(this.ctl, GEN, this.gen);
    Atomics.notify(this.ctl, GEN);
  }

  /**
   * Account `lost` ms of waiting (when > 0: a late finish) at time `now`; back off when a window lost too
   * much. Back-offs that follow each other closely double in length (up to 16× backoffMs).
   */
  private account(now: number, lost: number): void {
    if (now - this.windowStart > WINDOW_MS) {
      this.windowStart = now;
      this.windowLost = 0;
    }
    if (lost <= 0) return;
    this.counts.late++;
    if (now < this.graceEnd) return;
    this.windowLost += lost;
    if (this.windowLost < LOST_SHARE * WINDOW_MS) return;
    const recent = now - this.backoffEnd < 4 * this.backoffNow;
    this.backoffNow = recent ? Math.min(16 * this.backoffMs, 2 * this.backoffNow) : this.backoffMs;
    this.backoffEnd = now + this.backoffNow;
    this.windowStart = now;
    this.windowLost = 0;
    this.counts.backoffs++;
  }
}
