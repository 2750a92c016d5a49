/**
 * Array jobs: `recur study --shard k/n` over n = 3 plus `recur merge` equals the unsharded run; merging
 * files of different studies (or of different definitions of one study, or of another recur version) is refused; duplicates are
 * reported and kept once.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mergeResults } from '../../src/runner/queue/merge.js';
import { ResultStore } from '../../src/runner/store.js';
import { RECUR_VERSION } from '../../src/runner/queue/payload.js';
import { STACK_LINE, recur } from '../cli/helpers.js';
import { countTrials, storedResults, tempDir } from './helpers.js';

const dir = tempDir('shard');
// A learning-rate pilot, a staircase over T for one model and plain trials for the other: shards must make
// the same decisions as the whole run (each runs the whole pilot; a staircase condition stays in one shard).
const studyText = (name: string, lr: number): string => `name: ${name}
seeds: [1, 2, 3]
training: { steps: 30, batchSize: 8, optimizer: { kind: adam, lr: ${lr} }, evalEvery: 15, evalBatches: 1, evalBatchSize: 8 }
instruments: { gradientThroughTime: { at: [0, 1], batchSize: 4 } }
tasks: { adding: { kind: adding, T: 4, grid: { T: [4, 8] } } }
models:
  tanh: { cell: { kind: vanilla, hidden: 8 } }
  lstm: { cell: { kind: lstm, hidden: 6 } }
pairs:
  - { tasks: [adding], models: [tanh], staircase: T }
  - { tasks: [adding], models: [lstm] }
pilot: { task: adding, taskValues: { T: 4 }, lrs: [0.01, 0.03], training: { steps: 10 } }
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
      sizes.push(countTrials(join(out, `results.shard-${k}-of-3.db`)) - 4); // each shard also holds the 4 pilot trials
    }
    expect(sizes.every((n) => n >= 2)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(countTrials(whole) - 4);
    const merged = join(out, 'results.db');
    const m = recur(['merge', merged, ...[1, 2, 3].map((k) => join(out, `results.shard-${k}-of-3.db`))]);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout).toMatch(
      new RegExp(
        `results\\.shard-2-of-3\\.db: ${sizes[1] + 4} trials, ${sizes[1]} added; 4 duplicates \\(identical, kept once\\)`,
      ),
    );
    expect(m.stdout).toMatch(
      new RegExp(`results\\.db: ${countTrials(whole)} trials of sharded \\(recur \\d+\\.\\d+\\.\\d+\\)`),
    );
    expect(storedResults(merged)).toEqual(storedResults(whole));
    // the merged file lists every trial as part of the study's current definition (what the report reads)
    const store = new ResultStore(merged, { readonly: true });
    expect(store.trials('sharded').length).toBe(countTrials(whole));
    store.close();
    // merging shard 2 into the result again: nothing added, all its trials reported as duplicates
    const again = mergeResults(merged, [join(out, 'results.shard-2-of-3.db')]);
    expect(again).toMatchObject({
      trials: countTrials(whole),
      inputs: [{ trials: sizes[1] + 4, added: 0, duplicates: sizes[1] + 4, conflicts: [] }],
    });
    expect(storedResults(merged)).toEqual(storedResults(whole));
  }, 300_000);

  it('refuses to merge different studies, or two definitions of one study, with one clear line', () => {
    const beta = join(dir, 'beta.yaml');
    writeFileSync(beta, studyText('beta', 0.01));
    const b = join(dir, 'b.db');
    expect(recur(['study', beta, '--shard', '1/4', '--db', b, '--quiet', '--workers', '1']).code).toBe(0);
    const a = join(dir, 'shards', 'results.shard-1-of-3.db');
    const diff = recur(['merge', join(dir, 'ab.db'), a, b]);
    expect(diff.code).toBe(2);
    expect(diff.stderr.trim()).toBe(
      `recur: ${b} holds study beta, ${a} holds sharded: refusing to merge different studies`,
    );
    expect(diff.stderr).not.toMatch(STACK_LINE);
    // the same study name with another definition (here: another learning rate) is refused too
    const a2 = join(dir, 'redefined.db');
    copyFileSync(join(dir, 'shards', 'results.shard-2-of-3.db'), a2);
    const conn = new Database(a2);
    conn.prepare("UPDATE study SET config = json_set(config, '$.training.optimizer.lr', 0.02)").run();
    conn.close();
    expect(() => mergeResults(join(dir, 'aa.db'), [a, a2])).toThrow(
      /hold different definitions of study sharded \(content hashes [0-9a-f]{12} ≠ [0-9a-f]{12}\): refusing to merge/,
    );
    // and so is a file written by another recur version
    const other = join(dir, 'other-version.db');
    copyFileSync(join(dir, 'shards', 'results.shard-3-of-3.db'), other);
    const c2 = new Database(other);
    c2.prepare("UPDATE provenance SET version = '0.0.1'").run();
    c2.close();
    expect(() => mergeResults(join(dir, 'ao.db'), [a, other])).toThrow(
      `${other} was written by recur 0.0.1, ${a} by recur ${RECUR_VERSION}: refusing to merge`,
    );
    expect(() => mergeResults(join(dir, 'x.db'), [join(dir, 'nope.db')])).toThrow(
      `${join(dir, 'nope.db')}: no such file`,
    );
    expect(existsSync(join(dir, 'aa.db')) || existsSync(join(dir, 'ao.db'))).toBe(false); // nothing written on refusal
    const badShard = recur(['study', beta, '--shard', '0/4', '--db', join(dir, 'z.db')]);
    expect(badShard.code).toBe(2);
    expect(badShard.stderr.trim()).toBe(
      'recur: --shard 0/4: k counts from 1 to n (for a 0-based array index use $((INDEX + 1)))',
    );
  }, 300_000);
});
