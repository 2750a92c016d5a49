/** The thread pool's control block (see threads.ts for the protocol): its layout, and the pool's counters. */
export const NOTHING = 0;
export const EXIT = -1;

export const MAX_ARGS = 16;
export const GEN = 0,
  DONE = 16,
  MAIN_SLEEPS = 32,
  ERRORS = 48,
  READY = 64;
const SLOT0 = 512,
  SLOT_BYTES = 256;
/** Int32 index of worker w's kernel id (its sleeping flag is the next one). */
export const slotId = (w: number): number => (SLOT0 + w * SLOT_BYTES) / 4;
/** Float64 index of worker w's first argument. */
export const slotArgs = (w: number): number => (SLOT0 + w * SLOT_BYTES + 64) / 8;
export const controlBytes = (workers: number): number => SLOT0 + workers * SLOT_BYTES;

export interface ThreadPoolStats {
  /** Kernel calls split over the threads. */
  dispatches: number;
  /** Of those, calls where the workers finished well after the calling thread (not scheduled promptly). */
  late: number;
  /** Times the pool backed off (ran everything on the calling thread for a while) because workers were late. */
  backoffs: number;
}
