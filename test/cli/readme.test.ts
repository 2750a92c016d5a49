/**
 * README's examples are real: every "$ node examples/…" block in README.md is run, and its output must be
 * exactly what README shows (the examples are deterministic: fixed seeds, and the float64 reference or the
 * plain-SIMD wasm backend, whose results do not depend on the machine).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```\n\$ node (examples\/[\w-]+\.mjs)[^\n]*\n([\s\S]*?)```/g)].map((m) => ({
  script: m[1],
  expected: m[2].trimEnd(),
}));

describe('README examples print what README shows', () => {
  it('README has example blocks', () => expect(blocks.length).toBeGreaterThanOrEqual(4));
  for (const { script, expected } of blocks) {
    it(script, () => {
      const r = spawnSync(process.execPath, [script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trimEnd()).toBe(expected);
    }, 120_000);
  }
  it('the CLI help block is what `recur --help` prints', () => {
    const block = /```\n\$ node bin\/recur\.mjs --help\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const r = spawnSync(process.execPath, ['bin/recur.mjs', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout.trimEnd()).toBe(block![1].trimEnd());
  });
});
