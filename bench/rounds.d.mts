/** Types of bench/rounds.mjs (for the test under test/bench/). */
export interface Policy {
  warmup: number;
  rounds: number;
  rewarm: number;
  minRepeats: number;
  maxRepeats: number;
  budgetMs: number;
}
export type Result = Record<string, any>;
export class Contender {
  constructor(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, policy: Policy);
  label: string;
  policy: Policy;
  run(k: number, rewarm: number): Promise<void>;
  end(): Promise<Result>;
}
export function runRounds(makers: (() => Contender)[], onRound?: (r: number, total: number) => void): Promise<Result[]>;
