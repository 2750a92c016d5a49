/** Types of bench/table.mjs (for the smoke test under test/bench/). */
export interface Ratio {
  workload: string;
  peer: string;
  config: string | null;
  name: string;
  speedup: number;
}
export function ms(x: number): string;
export function sayRatio(r: number, name: string): string;
export function frameworkName(res: object): string;
export function ratios(results: object[]): Ratio[];
export function targets(report: object): { workload: string; target: string; speedup: number; met: boolean }[];
export function formatReport(report: object): string;
export function formatMemory(mem: object): string[];
