/** End-to-end tests of the CLI commands, run as a user runs them (node bin/recur.mjs …). */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recur, STACK_LINE } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-cli-'));

describe('recur CLI', () => {
  it('tasks --json lists every task with its definition and parameters', () => {
    const r = recur(['tasks', '--json']);
    expect(r.code).toBe(0);
    const tasks = JSON.parse(r.stdout) as { name: string; definition: string; parameters: unknown[] }[];
    expect(tasks.map((t) => t.name)).toEqual(
      expect.arrayContaining(['adding', 'copy', 'temporal-order', 'teacher', 'memory', 'chaos', 'mnist', 'text']),
    );
    expect(tasks.every((t) => t.definition.length > 40 && t.parameters.length > 0)).toBe(true);
  });

  it('train learns the adding problem, saves the model, and inspect reads it back', () => {
    const model = join(dir, 'gru.safetensors');
    const r = recur([
      'train',
      '--task',
      'adding',
      '--T',
      '20',
      '--cell',
      'gru',
      '--hidden',
      '24',
      '--steps',
      '400',
      '--lr',
      '0.01',
      '--out',
      model,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('completed');
    expect(out.final.metric).toBeLessThan(0.01);
    expect(existsSync(model)).toBe(true);
    const i = recur(['inspect', model, '--json', '--batch', '8', '--lyapunov', '2']);
    expect(i.code, i.stderr).toBe(0);
    const m = JSON.parse(i.stdout);
    expect(m.task).toMatchObject({ kind: 'adding', T: 20 });
    expect(m.gradientThroughTime[0].mean).toHaveLength(20);
    expect(m.bound.perStep).toBeNull(); // gated: measured values only
    expect(m.lyapunov.exponents).toHaveLength(2);
  });

  it('inspect on a spec: the linear RNN with A = 0.9·I decays by exactly log 0.9 per step; writes an SVG', () => {
    const svg = join(dir, 'linear.svg');
    const r = recur([
      'inspect',
      '--cell',
      'vanilla',
      '--activation',
      'identity',
      '--init',
      'identity',
      '--hidden',
      '8',
      '--spectral-norm',
      '0.9',
      '--T',
      '30',
      '--batch',
      '4',
      '--json',
      '--svg',
      svg,
      '--backend',
      'reference',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.gradientThroughTime[0].decayPerStep).toBeCloseTo(Math.log(0.9), 9);
    expect(m.boundComparison.allInside).toBe(true);
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('time step t');
  });

  const mistakes: [string, string[], RegExp][] = [
    ['a non-numeric option', ['train', '--T', 'abc'], /--T must be an integer/],
    ['an unknown task', ['train', '--task', 'addding'], /expected one of "adding"/],
    ['an unknown study', ['study', 'no-such-study'], /no named study "no-such-study"/],
    ['a missing model file', ['inspect', join(dir, 'missing.safetensors')], /missing\.safetensors/],
    ['a file that is not a model', ['inspect', join(dir, 'junk.safetensors')], /junk\.safetensors/],
    ['an invalid study file', ['study', join(dir, 'bad.yaml')], /bad\.yaml: training\.steps/],
    ['a database that is not one', ['report', join(dir, 'junk.safetensors')], /junk\.safetensors/],
    ['an unknown command', ['frobnicate'], /unknown command/],
  ];
  writeFileSync(join(dir, 'junk.safetensors'), 'not a model at all');
  writeFileSync(join(dir, 'bad.yaml'), 'name: x\nseeds: 1\ntraining: { steps: -1 }\n');
  for (const [name, args, pattern] of mistakes) {
    it(`a user mistake (${name}) prints one clear message, no stack trace, exit code 2`, () => {
      const r = recur(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.stdout).toBe('');
    });
  }
});
