/**
 * The benchmark's interleaved rounds and its statistics, without timing anything that matters: children that
 * serve trivial steps through the real protocol (bench/timing.mjs ↔ bench/rounds.mjs), the paired bootstrap
 * interval on a ratio, and the verdicts on a target.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Contender, runRounds } from '../../bench/rounds.mjs';
import { median, ratioCI, verdict } from '../../bench/stats.mjs';

const timing = fileURLToPath(new URL('../../bench/timing.mjs', import.meta.url));
/** A child that serves a no-op step (or dies before it is ready, printing a result with `status`). */
const child = (status?: string): string[] => [
  '-e',
  status
    ? `process.stdout.write('@@result ' + JSON.stringify({ status: '${status}', reason: 'no cell' }) + '\\n')`
    : `import(${JSON.stringify(timing)}).then((m) => m.serveRounds(() => 1, 2, (l) => process.stdout.write(l + '\\n')))
       .then((timed) => { process.stdout.write('@@result ' + JSON.stringify({ status: 'ok', timed }) + '\\n'); process.exit(0); })`,
];
const policy = (rounds: number) => ({
  warmup: 2,
  rounds,
  rewarm: 1,
  minRepeats: 2 * rounds,
  maxRepeats: 2 * rounds,
  budgetMs: 1,
});

describe('bench: interleaved rounds', () => {
  it('runs every contender in every round (fewer rounds spread out), and reports one that never got ready', async () => {
    const order: string[] = [];
    const make = (label: string, rounds: number, status?: string) => () => {
      const c = new Contender(label, process.execPath, child(status), process.env, policy(rounds));
      const run = c.run.bind(c);
      c.run = (k: number, rewarm: number) => {
        order.push(label);
        return run(k, rewarm);
      };
      return c;
    };
    const seen: number[] = [];
    const [a, b, slow, dead] = await runRounds(
      [make('a', 3), make('b', 3), make('slow', 1), make('dead', 3, 'n/a')],
      (r: number) => seen.push(r),
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'slow']); // A B A B A B, the slow one in the last round
    for (const r of [a, b]) {
      expect(r.status).toBe('ok');
      expect(r.rounds.map((x: number[]) => x.length)).toEqual([2, 2, 2]); // ⌈minRepeats / rounds⌉ steps a round
      expect(r.timed).toBe(6);
      expect(r.repeats).toBe(6);
      expect(r.cpuRounds.flat().every((x: number) => x >= 0)).toBe(true);
    }
    expect(slow.rounds.map((x: number[]) => x.length)).toEqual([0, 0, 2]);
    expect(dead).toMatchObject({ status: 'n/a', reason: 'no cell' });
  }, 30_000);
});

describe('bench: statistics', () => {
  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('a paired bootstrap interval around the ratio of medians, reproducible, narrow when rounds agree', () => {
    const rounds = (f: (r: number, i: number) => number) =>
      Array.from({ length: 12 }, (_, r) => Array.from({ length: 5 }, (_, i) => f(r, i)));
    // load drifts round by round, hitting both sides alike: the ratio stays 2 and the interval is tight
    const load = (r: number) => 1 + 0.5 * Math.sin(r);
    const recur = rounds((r, i) => 10 * load(r) + i * 0.01),
      peer = rounds((r, i) => 20 * load(r) + i * 0.02);
    const ci = ratioCI(recur, peer);
    expect(ci.speedup).toBeCloseTo(2, 2);
    expect(ci.lo).toBeLessThanOrEqual(ci.speedup);
    expect(ci.hi).toBeGreaterThanOrEqual(ci.speedup);
    expect(ci.hi - ci.lo).toBeLessThan(0.05);
    expect(ci.rounds).toBe(12);
    expect(ratioCI(recur, peer)).toEqual(ci); // seeded
    // noise that differs between the sides widens it
    const noisy = rounds((r, i) => 20 * (1 + ((r * 7 + i * 3) % 11) / 10));
    const wide = ratioCI(recur, noisy);
    expect(wide.hi - wide.lo).toBeGreaterThan(0.2);
    // a single shared round: no interval
    expect(ratioCI([[10]], [[20]])).toEqual({ speedup: 2, lo: 2, hi: 2, rounds: 1 });
  });

  it('verdicts: met when the interval clears the target, not met when below it, else undecided', () => {
    expect(verdict({ lo: 1.25, hi: 1.4 }, 1.2)).toBe('met');
    expect(verdict({ lo: 1.2, hi: 1.4 }, 1.2)).toBe('met');
    expect(verdict({ lo: 0.9, hi: 1.1 }, 1.2)).toBe('not met');
    expect(verdict({ lo: 1.1, hi: 1.3 }, 1.2)).toBe('undecided');
  });
});
