/**
 * The package as a library-only user installs it: the runtime dependencies are zod and commander; the
 * study, report, queue and progress-bar packages are optional peers. A copy of the built package is laid out
 * in a temporary node_modules next to those two packages alone (symlinked from this repository), so the
 * optional ones cannot be found from it — the same resolution as after `npm install recur`, no mocks.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isInstalled, MissingPackageError, optionalImport, requirePackages } from '../../src/util/optional.js';
import { packagesFor } from '../../src/cli/packages.js';
import { ROOT, STACK_LINE } from './helpers.js';

describe('optional packages: the loader', () => {
  it('a missing package throws at first use, naming what needs it and the npm command', async () => {
    const get = await optionalImport('recur-no-such-package', 'the widget');
    expect(get).toThrow(MissingPackageError);
    expect(get).toThrow('the widget needs recur-no-such-package: npm install recur-no-such-package');
  });

  it('an installed package is handed out', async () => {
    const get = await optionalImport<typeof import('yaml')>('yaml');
    expect(get().parse('a: 1')).toEqual({ a: 1 });
    expect(isInstalled('better-sqlite3')).toBe(true);
  });

  it('a command names every package it lacks at once', () => {
    expect(() => requirePackages('the x command', ['yaml', 'recur-nope-a', 'recur-nope-b'])).toThrow(
      'the x command needs recur-nope-a and recur-nope-b: npm install recur-nope-a recur-nope-b',
    );
    expect(packagesFor('study', { report: false }, ['s.json'])).toEqual(['better-sqlite3']);
    expect(packagesFor('study', { queue: 'redis://h' }, ['deep-transition'])).toEqual([
      'yaml',
      'better-sqlite3',
      'vega',
      'vega-lite',
      'bullmq',
      'ioredis',
    ]);
    expect(packagesFor('train', {}, [])).toEqual([]);
  });
});

describe('optional packages: a library-only install', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recur-lib-only-'));
  const modules = join(dir, 'node_modules'),
    pkg = join(modules, 'recur');
  mkdirSync(pkg, { recursive: true });
  for (const part of ['package.json', 'dist', 'bin', 'build', 'studies'])
    cpSync(join(ROOT, part), join(pkg, part), { recursive: true });
  for (const dep of ['zod', 'commander']) symlinkSync(join(ROOT, 'node_modules', dep), join(modules, dep), 'dir');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [join(pkg, 'bin', 'recur.mjs'), ...args], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('the library runs with its dependencies alone', () => {
    const script = join(dir, 'fit.mjs');
    writeFileSync(
      script,
      `import { Model, addingTask, fit, referenceBackend } from 'recur';
const task = addingTask({ T: 5 });
const model = new Model({ inputSize: 2, outputSize: 1, target: 'last', cell: { kind: 'gru', hidden: 3 } }, referenceBackend, 1);
const r = fit(model, task, { steps: 3, batchSize: 2, seed: 1, optimizer: { kind: 'adam', lr: 0.01 } });
console.log(r.steps);`,
    );
    const r = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('3');
  });

  it('`recur --help`, `recur tasks` and `recur train` work; the progress bar is the only thing missing', () => {
    expect(run(['--help'])).toMatchObject({ code: 0, stderr: '' });
    expect(run(['tasks']).code).toBe(0);
    const t = run(['train', '--task', 'adding', '--T', '5', '--cell', 'vanilla', '--hidden', '3', '--steps', '2']);
    expect(t.code, t.stderr).toBe(0);
  });

  it('a command that needs optional packages says, in one line, which to install (exit 2)', () => {
    const s = run(['study', 'deep-transition', '--profile', 'quick', '--out', join(dir, 'out')]);
    expect(s.code).toBe(2);
    expect(s.stderr).toBe(
      'recur: the study command needs yaml, better-sqlite3, vega and vega-lite: npm install yaml better-sqlite3 vega vega-lite\n',
    );
    const r = run(['report', join(dir, 'results.db')]);
    expect(r.stderr).toBe(
      'recur: the report command needs better-sqlite3, vega and vega-lite: npm install better-sqlite3 vega vega-lite\n',
    );
    const m = run(['merge', 'b.db', 'a.db']);
    expect(m.stderr).toBe('recur: the merge command needs better-sqlite3: npm install better-sqlite3\n');
    for (const x of [s, r, m]) expect(x.stderr).not.toMatch(STACK_LINE);
  });
});
