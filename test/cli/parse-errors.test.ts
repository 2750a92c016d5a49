/**
 * Issue 12: commander's own errors read like every other user mistake (one line `recur: …`, exit 2, where the
 * options are), `inspect` refuses model flags next to a model file instead of ignoring them, and train and
 * inspect build the same model when no cell is named.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recur, STACK_LINE } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-parse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One line `recur: <message>` on stderr, exit 2, nothing on stdout. */
function oneLine(args: string[], message: string): void {
  const r = recur(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`recur: ${message}\n`);
  expect(r.stderr).not.toMatch(STACK_LINE);
}

describe("commander's errors in the house format", () => {
  it.each([
    [['train', '--bogus'], "unknown option '--bogus' (see `recur train --help`)"],
    [['train', '--stpes', '5'], "unknown option '--stpes' (Did you mean --steps?) (see `recur train --help`)"],
    [['train', '--steps'], "option '--steps <n>' argument missing (see `recur train --help`)"],
    [['train', '--steps', 'abc'], '--steps must be an integer, got "abc" (see `recur train --help`)'],
    [['inspect', '--T', 'x'], '--T must be an integer, got "x" (see `recur inspect --help`)'],
    [['study'], "missing required argument 'study' (see `recur study --help`)"],
    [['bogus'], "unknown command 'bogus' (see `recur --help`)"],
  ])('recur %j', (args, message) => oneLine(args, message));

  it('help and version still exit 0 on stdout', () => {
    for (const args of [['--help'], ['train', '--help'], ['--version']]) {
      const r = recur(args);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.length).toBeGreaterThan(0);
    }
  });
});

describe('inspect with a model file', () => {
  const model = join(dir, 'm.safetensors');
  it('train writes a small model', () => {
    const r = recur([
      'train',
      '--task',
      'adding',
      '--T',
      '6',
      '--hidden',
      '4',
      '--steps',
      '2',
      '--quiet',
      '--out',
      model,
    ]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it('refuses flags that describe another model', () => {
    oneLine(
      ['inspect', model, '--cell', 'gru', '--hidden', '12'],
      `--cell, --hidden: the model comes from ${model}; these flags describe a model built from flags (drop them, or the file)`,
    );
    oneLine(
      ['inspect', model, '--model-config', '{"cell":{"kind":"gru","hidden":4}}'],
      `--model-config: the model comes from ${model}; these flags describe a model built from flags (drop them, or the file)`,
    );
  });

  it('takes task flags with the file', () => {
    const r = recur(['inspect', model, '--T', '5', '--batch', '2', '--lyapunov', '0', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).task.T).toBe(5);
  }, 60_000);
});

it('inspect without --cell builds the LSTM, as train does', () => {
  const r = recur(['inspect', '--T', '5', '--hidden', '4', '--batch', '2', '--lyapunov', '0', '--json']);
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout).model.config.cell.kind).toBe('lstm');
}, 60_000);
