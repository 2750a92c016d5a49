/** Types of bench/memory.mjs (for the smoke test under test/bench/). */
import type { RecurLib } from './recur.mjs';

export interface MemorySeries {
  name: string;
  key?: string;
  first: number | null;
  last?: number;
  growth?: number;
  slopePerStep?: number;
  rises?: number;
  intervals?: number;
  leak?: string | null;
}
export interface MemoryReport {
  workload: string;
  steps: number;
  every: number;
  warmup: number;
  peakRssBytes: number;
  samples: object[];
  series: MemorySeries[];
  ok: boolean;
}
export function checkMemory(
  lib: RecurLib,
  opts?: { workloadId?: string; steps?: number; every?: number; warmup?: number; onSample?: (s: object) => void },
): Promise<MemoryReport>;
export function analyse(name: string, samples: Record<string, number>[], key: string, tolerance: number): MemorySeries;
