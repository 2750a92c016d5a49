/**
 * Array jobs: `recur study --shard k/n` over n = 3 plus `recur merge` equals the unsharded run; merging
 * files of different studies (or of different definitions of one study) is refused; duplicates are
 * reported and kept once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STACK_LINE, recur } from '../cli/helpers.js';
import { countTrials, storedResults, tempDir } from './helpers.js';

const dir = tempDir('shard');
const studyText = (name: string, lr: number): string => `name: ${name}
seeds: [1, 2, 3]
training: { steps: 30, batchSize: 8, optimizer: { kind: adam, lr: ${lr} }, evalEvery: 15, evalBatches: 1, evalBatchSize: 8 }
instruments: { gradientThroughTime: { at: [0, 1], batchSize: 4 } }
tasks: { adding: { kind: adding, T: 8 } }
models:
  tanh: { cell: { kind: vanilla, hidden: 8 } }
  lstm: { cell: { kind: lstm, hidden: 6 } }
`;

describe('recur study --shard k/n and recur merge', () => {
  it('three shards merged equal the unsharded run; a shard merged again is reported as duplicates', () => {
    const study = join(dir, 'sharded.yaml');
    writeFileSync(study, studyText('sharded', 0.01));
    const whole = join(dir, 'whole.db');
    expect(recur(['study', study, '--db', whole, '--no-report', '--quiet', '--workers', '2']).code).toBe(0);
    const out = join(dir, 'shards');
    const sizes: number[] = [];
    for (let k = 1; k <= 3; k++) {
      const r = recur(['study', study, '--shard', `${k}/3`, '--out', out, '--quiet', '--workers', '1']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`shard ${k}/3: combine the shards with recur merge`);
      sizes.push(countTrials(join(out, `results.shard-${k}-of-3.db`)));
    }
    expect(sizes).toEqual([2, 2, 2]);
    const merged = join(out, 'results.db');
    const m = recur(['merge', merged, ...[1, 2, 3].map((k) => join(out, `results.shard-${k}-of-3.db`))]);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout).toMatch(/results\.db: 6 trials of sharded \(recur \d+\.\d+\.\d+\)/);
    expect(storedResults(merged)).toEqual(storedResults(whole));
    // merging shard 2 into the result again: nothing added, two duplicates reported
    const again = recur(['merge', merged, join(out, 'results.shard-2-of-3.db'), '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ trials: 6, inputs: [{ trials: 2, added: 0, duplicates: 2, conflicts: [] }] });
    expect(storedResults(merged)).toEqual(storedResults(whole));
    // the merged file makes a report like any other
    expect(recur(['report', merged, '--out', join(dir, 'report')]).code).toBe(0);
  }, 180_000);

  it('refuses to merge different studies, or two definitions of one study, with one clear line', () => {
    const a = join(dir, 'a.yaml'), b = join(dir, 'b.yaml'), a2 = join(dir, 'a2.yaml');
    writeFileSync(a, studyText('alpha', 0.01));
    writeFileSync(b, studyText('beta', 0.01));
    writeFileSync(a2, studyText('alpha', 0.02));
    for (const [file, db] of [[a, 'a.db'], [b, 'b.db'], [a2, 'a2.db']]) {
      expect(recur(['study', file, '--shard', '1/4', '--db', join(dir, db), '--quiet', '--workers', '1']).code).toBe(0);
    }
    const diff = recur(['merge', join(dir, 'ab.db'), join(dir, 'a.db'), join(dir, 'b.db')]);
    expect(diff.code).toBe(2);
    expect(diff.stderr.trim()).toBe(`recur: ${join(dir, 'b.db')} holds study beta, ${join(dir, 'a.db')} holds alpha: refusing to merge different studies`);
    const redefined = recur(['merge', join(dir, 'aa.db'), join(dir, 'a.db'), join(dir, 'a2.db')]);
    expect(redefined.code).toBe(2);
    expect(redefined.stderr).toMatch(/hold different definitions of study alpha \(content hashes [0-9a-f]{12} ≠ [0-9a-f]{12}\): refusing to merge/);
    expect(redefined.stderr).not.toMatch(STACK_LINE);
    const missing = recur(['merge', join(dir, 'x.db'), join(dir, 'nope.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`recur: ${join(dir, 'nope.db')}: no such file`);
    const badShard = recur(['study', a, '--shard', '0/4', '--db', join(dir, 'z.db')]);
    expect(badShard.code).toBe(2);
    expect(badShard.stderr.trim()).toBe('recur: --shard 0/4: k counts from 1 to n (for a 0-based array index use $((INDEX + 1)))');
  }, 180_000);
});
