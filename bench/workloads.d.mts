/** Types of bench/workloads.mjs (for the smoke test under test/bench/). */
export interface Workload {
  id: string;
  cell: 'lstm' | 'gru' | 'rnn' | 'deep';
  input: number;
  hidden: number;
  batch: number;
  T: number;
  classes: number;
  train: boolean;
  title: string;
  depth?: number;
  peers?: string[];
  targets?: Record<string, number>;
}
export const WORKLOADS: Workload[];
export const PEERS: string[];
export const LR: number;
export function workload(id: string): Workload;
export function runsOn(w: Workload, peer: string): boolean;
export function multiplyAdds(w: Workload): number;
export function makeData(w: Workload, seed?: number): { T: number; B: number; x: Float64Array; y: Float64Array };
