#!/usr/bin/env node
/**
 * Line budget: every source file stays small enough to read in one sitting. Fails (exit 1) when a file under
 * src/ is longer than LIMIT lines, naming each one. Run by `npm test`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIMIT = 300;
const root = fileURLToPath(new URL('..', import.meta.url));
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(p);
  }
};
walk(join(root, 'src'));
const over = files
  .map((f) => [relative(root, f), readFileSync(f, 'utf8').split('\n').length])
  .filter(([, n]) => n > LIMIT);
for (const [f, n] of over) console.error(`line budget: ${f} has ${n} lines (limit ${LIMIT}); split it`);
const total = files.reduce((s, f) => s + readFileSync(f, 'utf8').split('\n').length, 0);
if (over.length) process.exit(1);
console.log(`line budget: ${files.length} source files, ${total} lines, none over ${LIMIT}`);
