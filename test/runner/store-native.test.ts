/**
 * A better-sqlite3 install whose native addon was never built (no prebuilt binary here, node-gyp failed or
 * was skipped): opening a results database says so and how to fix it, instead of blaming the file. The broken
 * install is real: the package's JavaScript and its `bindings` dependency copied without build/.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-nosqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a missing better-sqlite3 build is reported as such, with the fix', () => {
  const nm = join(dir, 'node_modules');
  for (const pkg of ['bindings', 'file-uri-to-path'])
    cpSync(join(ROOT, 'node_modules', pkg), join(nm, pkg), { recursive: true });
  mkdirSync(join(nm, 'better-sqlite3'), { recursive: true });
  for (const f of ['lib', 'package.json'])
    cpSync(join(ROOT, 'node_modules/better-sqlite3', f), join(nm, 'better-sqlite3', f), { recursive: true });
  for (const part of ['runner', 'util']) // store.js and what it imports
    cpSync(join(ROOT, 'dist', part), join(dir, 'dist', part), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const script =
    "import { ResultStore } from './dist/runner/store.js'; try { new ResultStore('results.db'); } catch (e) { console.log(e.message); }";
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
  expect(r.stdout).toMatch(
    /^cannot open results\.db: better-sqlite3's native module is missing or was built for another Node\.js \(this is v\d+/,
  );
  expect(r.stdout).toContain('run `npm rebuild better-sqlite3`');
  expect(r.stdout).not.toContain('not a recur results database');
});
