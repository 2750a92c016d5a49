/** Types of bench/table.mjs (for the smoke test under test/bench/). */
export interface Ratio {
  workload: string;
  peer: string;
  config: string | null;
  name: string;
  /** Peer's median ms / recur's median ms, with its 95% paired-bootstrap interval [lo, hi]. */
  speedup: number;
  lo: number;
  hi: number;
  rounds: number;
  recurConfig: string | null;
}
export interface Target {
  workload: string;
  peer: string;
  goal: number;
  target: string;
  speedup: number;
  lo: number;
  hi: number;
  verdict: 'met' | 'not met' | 'undecided';
  cpu: { speedup: number; lo: number; hi: number } | null;
}
export function ms(x: number): string;
export function sayRatio(r: number, name: string): string;
export function frameworkName(res: object): string;
export function ratios(results: object[]): Ratio[];
export function cpuRatio(
  results: object[],
  id: string,
  peer: string,
): { speedup: number; lo: number; hi: number } | null;
export function targets(report: object): Target[];
export function formatReport(report: object): string;
export function formatThroughput(t: object): string[];
export function formatMemory(mem: object): string[];
