/**
 * README's "Training on your own data" shows examples/your-data.mjs verbatim (test/cli/readme.test.ts runs
 * the file and compares its output with README's).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('the code in "Training on your own data" is examples/your-data.mjs', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split('## Training on your own data\n')[1];
  expect(section).toBeDefined();
  const code = /```js\n([\s\S]*?)```/.exec(section)![1];
  const file = readFileSync(new URL('../../examples/your-data.mjs', import.meta.url), 'utf8');
  expect(code).toBe(file.slice(file.indexOf('\n') + 1)); // all but the first comment line
});
