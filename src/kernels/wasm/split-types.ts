/** The types the splitter (parallel.ts) shares with the backends: the pool it drives and its thresholds. */
import type { ThreadPool } from './threads.js';

/** What the splitter needs of a pool: the Node one (threads.ts) or a page's (web-threads.ts). */
export type SplitPool = Pick<ThreadPool, 'size' | 'args' | 'available' | 'start' | 'finish'>;

export interface SplitThresholds {
  /** Smallest GEMM, in multiply-adds m·n·k, that is split. */
  gemm: number;
  /** Smallest elementwise or row kernel call that is split, in estimated single-thread nanoseconds (see SPLITS). */
  pointwise: number;
}
