/**
 * `recur train` as a user meets it: mistakes in flags give one line in the flag's own words (exit 2);
 * Ctrl-C writes a checkpoint and exits 130, and --resume ends with the very same model file as a run that
 * was never interrupted; --json carries the loss and evaluation history.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, STACK_LINE, recur } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("recur train: mistakes in the user's words", () => {
  const cases: [string[], string][] = [
    [['--steps', '-5'], '--steps must be a positive integer, got -5'],
    [['--batch', '0'], '--batch must be a positive integer, got 0'],
    [['--lr', '-0.1'], '--lr must be a number > 0, got -0.1'],
    [['--eval-every', '0'], '--eval-every must be a positive integer, got 0'],
    [['--optimizer', 'adagrad'], '--optimizer must be one of adam, adamw, sgd, rmsprop, got "adagrad"'],
    [
      ['--cell', 'lstm', '--hidden', '128', '--model-config', '{"cell":{"kind":"gru","hidden":8}}'],
      '--cell, --hidden conflict with --model-config, which gives the whole model shape: use one or the other',
    ],
    [
      ['--task', 'copy', '--task-config', '{"kind":"adding"}'],
      '--task conflicts with --task-config, which names the task ("kind"): use one or the other',
    ],
    [['--resume'], '--resume needs --checkpoint FILE (the checkpoint to continue from)'],
    [['--resume', '--checkpoint', join(dir, 'none.ckpt')], `--resume: no checkpoint at ${join(dir, 'none.ckpt')}`],
    [
      ['--out', '/nonexistent/dir/m.safetensors'],
      '--out /nonexistent/dir/m.safetensors: the directory /nonexistent/dir does not exist',
    ],
    [['--dropout', '0.5'], '--dropout acts between stacked layers: add --layers 2 (or more)'],
    [['--dropout', '1', '--layers', '2'], '--dropout must be a probability in [0, 1), got 1'],
    [['--schedule', 'linear'], '--schedule must be one of constant, cosine, step, exponential, got "linear"'],
    [['--schedule', 'exponential'], '--schedule exponential needs --gamma (the factor per step, e.g. 0.999)'],
    [['--early-stopping', '0'], '--early-stopping must be a positive integer, got 0'],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), () => {
      const r = recur(['train', ...args, '--quiet']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`recur: ${message}\n`);
      expect(r.stderr).not.toMatch(STACK_LINE);
    });
  }

  it('inspect on a file that is not safetensors says so', () => {
    const r = recur(['inspect', 'README.md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^recur: README\.md: not a safetensors file \(it does not start with a header length and a JSON header\)/,
    );
  });

  it('resuming with other flags names the difference', () => {
    const ckpt = join(dir, 'other.ckpt');
    const base = [
      'train',
      '--T',
      '5',
      '--hidden',
      '4',
      '--steps',
      '3',
      '--backend',
      'reference',
      '--checkpoint',
      ckpt,
      '--quiet',
    ];
    expect(recur(base).code).toBe(0);
    const r = recur([...base, '--batch', '8', '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `recur: ${ckpt}: the checkpoint was made with batchSize 32, this run has 8 (resume with the same options)\n`,
    );
  });
});

describe('recur train: the training flags reach fit', () => {
  it('--schedule cosine --warmup --stop-when-solved --weight-decay --layers 2 --dropout, and --json has the histories', () => {
    const r = recur([
      'train',
      '--T',
      '10',
      '--hidden',
      '16',
      '--steps',
      '3000',
      '--lr',
      '0.02',
      '--schedule',
      'cosine',
      '--warmup',
      '50',
      '--stop-when-solved',
      '--eval-every',
      '100',
      '--weight-decay',
      '0.0001',
      '--layers',
      '2',
      '--dropout',
      '0.1',
      '--json',
      '--threads',
      '1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.status).toBe('solved');
    expect(j.steps).toBeLessThan(3000);
    expect(j.model).toMatchObject({ layers: 2, dropout: 0.1 });
    expect(j.history.loss).toHaveLength(j.steps);
    expect(j.history.gradNorm).toHaveLength(j.steps);
    expect(j.evals.map((e: { step: number }) => e.step)).toEqual(
      Array.from({ length: j.steps / 100 }, (_, i) => 100 * (i + 1)),
    );
  }, 120_000);
});

describe('recur train: Ctrl-C, checkpoint, resume', () => {
  it("SIGINT saves a checkpoint and exits 130; --resume gives the uninterrupted run's model byte for byte", async () => {
    const ckpt = join(dir, 'run.ckpt');
    const flags = ['--T', '8', '--hidden', '8', '--eval-every', '50', '--seed', '4', '--threads', '1', '--batch', '8'];
    const child = spawn(process.execPath, [BIN, 'train', ...flags, '--steps', '1000000', '--checkpoint', ckpt], {
      cwd: ROOT,
    });
    let stderr = '',
      sent = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (!sent && /step 100: eval/.test(stderr)) sent = child.kill('SIGINT'); // once: a second Ctrl-C leaves at once
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(130);
    const m =
      /recur: SIGINT at step (\d+) of 1000000: checkpoint saved to (.+); continue with the same command and --checkpoint .+ --resume\n$/.exec(
        stderr,
      );
    expect(m, stderr).not.toBeNull();
    expect(m![2]).toBe(ckpt);
    const at = Number(m![1]);
    expect(at).toBeGreaterThanOrEqual(100);
    const steps = String(at + 30);
    const resumed = recur([
      'train',
      ...flags,
      '--steps',
      steps,
      '--checkpoint',
      ckpt,
      '--resume',
      '--out',
      join(dir, 'a.safetensors'),
      '--json',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const j = JSON.parse(resumed.stdout);
    expect(j.resumedFrom).toBe(at);
    expect(j.history.loss).toHaveLength(at + 30);
    expect(j.evals.length).toBeGreaterThanOrEqual(2);
    const whole = recur(['train', ...flags, '--steps', steps, '--out', join(dir, 'b.safetensors'), '--quiet']);
    expect(whole.code, whole.stderr).toBe(0);
    expect(readFileSync(join(dir, 'a.safetensors')).equals(readFileSync(join(dir, 'b.safetensors')))).toBe(true);
    expect(existsSync(join(ROOT, 'recur-train.ckpt'))).toBe(false); // with --checkpoint, nothing is written elsewhere
  }, 120_000);

  it('without --checkpoint, an uninterrupted run writes no checkpoint file', () => {
    writeFileSync(join(dir, 'keep'), '');
    const r = recur(
      ['train', '--T', '5', '--hidden', '4', '--steps', '3', '--quiet', '--out', join(dir, 'm.safetensors')],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'm.ckpt'))).toBe(false);
  });
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasScript)('recur train on a terminal', () => {
  it('the bar moves between evaluations (steps/s, loss) and the cursor is shown again at the end', () => {
    // `script` runs the command on a pseudo-terminal; the only evaluation is at the last step
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} train --T 20 --hidden 32 --steps 1500 --eval-every 1500 --threads 1`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const values = new Set(
      [...r.stdout.matchAll(/ (\d+)\/1500 \| [\d.]+ steps\/s \| ETA [^|]+\| loss \d/g)].map((m) => Number(m[1])),
    );
    expect(values.size).toBeGreaterThanOrEqual(3); // redrawn while training, not only at the end
    expect([...values].some((v) => v > 0 && v < 1500)).toBe(true);
    expect(r.stdout).toContain('\x1b[?25h');
  }, 120_000);
});
