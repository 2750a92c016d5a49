/**
 * Issue 13's CLI cases: a diverged `recur train --out` saves finite parameters that `recur inspect` reads;
 * --detect-anomaly names the op; numeric options of every command are range-checked (exit 2, one line
 * naming the option); a study refused before its first trial leaves no output folder; permission problems
 * are reported as such (run as `nobody` when this test runs as root, where permissions do not apply).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, recur } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-hygiene-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STUDY = `name: tiny
seeds: [1]
training: { steps: 2, batchSize: 4, optimizer: { kind: adam, lr: 0.01 }, evalBatches: 1, evalBatchSize: 4 }
tasks: { adding: { kind: adding, T: 5 } }
models: { tanh: { cell: { kind: vanilla, hidden: HIDDEN } } }
`;
const study = (name: string, hidden: number): string => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, STUDY.replace('HIDDEN', String(hidden)));
  return path;
};

/** A training run that diverges at its first step (SGD at lr 1e300). */
const DIVERGING = ['train', '--optimizer', 'sgd', '--lr', '1e300', '--steps', '5', '--hidden', '8', '--T', '10'];

describe('recur train: a diverged run saves its last finite parameters', () => {
  it('--optimizer sgd --lr 1e300 --out: saved, said so, and recur inspect reads the file', () => {
    const out = join(dir, 'd.safetensors');
    const r = recur([...DIVERGING, '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/diverged at step 1/);
    expect(r.stdout).toMatch(
      /saved .*d\.safetensors \(the parameters step 0 started from, the last with a finite loss and gradient/,
    );
    const i = recur(['inspect', out, '--json', '--lyapunov', '0']);
    expect(i.stderr).toBe('');
    expect(i.code).toBe(0);
  });

  it('--detect-anomaly names the op that made the first non-finite value', () => {
    const r = recur([...DIVERGING, '--detect-anomaly', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/diverged at step \d: .*anomaly: the (forward|backward) pass of op '\w+' \(node \d+\)/);
  });
});

describe('numeric options: exit 2, one line naming the option', () => {
  const s = study('ok', 4);
  const cases: [string[], RegExp][] = [
    [['study', s, '--workers', '-1'], /^recur: --workers must be a whole number from 0 to 1024/],
    [['study', s, '--limit', '-5'], /^recur: --limit must be a whole number ≥ 0, got -5/],
    [['train', '--threads', '9999'], /^recur: --threads must be a whole number from 1 to 256/],
    [['train', '--steps', '1e12'], /^recur: --steps must be at most/],
    [['train', '--hidden', '20000', '--steps', '1'], /^recur: the model has 1\.6e9 parameters, more than the limit/],
    [
      ['train', '--batch', '100000000', '--steps', '1'],
      /activations, more than the limit of .* \(use a smaller --batch\)/,
    ],
    [['inspect', '--batch', '100000000'], /activations, more than the limit/],
    [['inspect', '--T', '0'], /^recur: --T must be a positive integer, got 0/],
    [['inspect', '--fraction', '2'], /^recur: --fraction must be in \(0, 1\), got 2/],
    [['inspect', '--lyapunov', '-1'], /^recur: --lyapunov must be a whole number from 0 to 4096/],
    [['inspect', '--seed', '-3'], /^recur: --seed must be an integer ≥ 0/],
    [
      ['worker', '--queue', 'redis://127.0.0.1:1', '--concurrency', '0'],
      /^recur: --concurrency must be a whole number from 1 to 1024/,
    ],
    [['worker', '--queue', 'redis://127.0.0.1:1', '--grace', '-1'], /^recur: --grace must be 0 to 86400 seconds/],
    [['worker', '--queue', 'redis://127.0.0.1:1', '--lock', '5'], /^recur: --lock must be 1000 to 86400000 ms/],
  ];
  it.each(cases)('recur %j', (args, message) => {
    const r = recur(args, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('outputs only where asked', () => {
  it('a study refused at validation (parameters past the limit) leaves no output folder', () => {
    const out = join(dir, 'refused');
    const r = recur(['study', study('big', 20000), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/more than the limit of 20,000,000/);
    expect(existsSync(out)).toBe(false);
  });

  it('--db X --no-report creates no out/ folder', () => {
    const cwd = join(dir, 'nofolder');
    mkdirSync(cwd);
    const r = recur(['study', study('nofolder', 4), '--db', 'x.db', '--no-report', '--quiet'], { cwd });
    expect(r.code).toBe(0);
    expect(existsSync(join(cwd, 'x.db'))).toBe(true);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });
});

/** Run the CLI as `nobody` (root ignores permissions); null when that is not possible here. */
function asNobody(args: string[], cwd: string): { code: number | null; stderr: string } | null {
  if (process.getuid?.() !== 0) return null;
  const r = spawnSync(
    'setpriv',
    ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, ...args],
    {
      cwd,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return r.error ? null : { code: r.status, stderr: r.stderr };
}

describe.runIf(process.getuid?.() === 0)('permission errors are reported as what they are', () => {
  const base = mkdtempSync(join(tmpdir(), 'recur-perm-'));
  chmodSync(base, 0o777);
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const s = join(base, 'p.yaml');
  writeFileSync(s, STUDY.replace('HIDDEN', '4'));
  const ro = join(base, 'ro');
  mkdirSync(ro);
  chmodSync(ro, 0o555);

  it('a read-only --out folder: "permission denied: <folder>"', () => {
    const r = asNobody(['study', s, '--out', ro, '--quiet'], base);
    if (!r) return;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`recur: cannot write in the output folder ${ro}: permission denied: ${ro}\n`);
  });

  it('a database in a read-only folder: "permission denied", not "not a recur results database"', () => {
    const r = asNobody(['study', s, '--db', join(ro, 'r.db'), '--no-report', '--quiet'], base);
    if (!r) return;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^recur: permission denied: .*ro \(the results database/);
  });

  it('train --checkpoint in a read-only folder is refused before training', () => {
    const r = asNobody(['train', '--steps', '2', '--hidden', '4', '--checkpoint', join(ro, 'm.ckpt'), '--quiet'], base);
    if (!r) return;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`recur: --checkpoint ${join(ro, 'm.ckpt')}: permission denied: ${ro}\n`);
  });
});
