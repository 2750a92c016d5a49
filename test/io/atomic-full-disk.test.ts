/**
 * A full disk, for real: a 16 KiB tmpfs mounted in a private mount namespace (`unshare -rm`: no privileges,
 * nothing outside the test sees it). A write that does not fit leaves no file behind — neither the target
 * nor the hidden temp file — and says "disk full" in one line, from the library and from the command line.
 * Skipped where unprivileged namespaces are not allowed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, STACK_LINE } from '../cli/helpers.js';

const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'recur-full-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `script` (sh) with a fresh 16 KiB tmpfs at `dir`; its last line lists what the tmpfs holds. */
function onFullDisk(script: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    'unshare',
    ['-rm', 'sh', '-c', `mount -t tmpfs -o size=16k tmpfs "${dir}" && cd "${dir}" && ${script}; echo "left: $(ls -A)"`],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FORCE_COLOR: '0' } },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!canUnshare)('atomic writes on a full disk', () => {
  it('writeFileAtomic: no half-written file, one line that says the disk is full', () => {
    const node = `import { writeFileAtomic } from '${join(ROOT, 'dist/node.js')}';
try { writeFileAtomic('${dir}/big.bin', new Uint8Array(100000)); } catch (e) { console.log(e.message); }`;
    const r = onFullDisk(`"${process.execPath}" --input-type=module -e "${node.replace(/"/g, '\\"')}"`);
    expect(r.stdout).toBe(
      `cannot write ${dir}/big.bin: disk full: no space left on the device that holds ${dir}\nleft: \n`,
    );
  });

  it('recur train --out on a full disk: one line, no file, no trace', () => {
    const train = `"${process.execPath}" "${BIN}" train --task adding --T 5 --cell vanilla --hidden 3 --steps 2 --out ${dir}/m.safetensors`;
    const r = onFullDisk(`head -c 1000000 /dev/zero > fill 2>/dev/null; ${train}; echo "exit $?"; rm fill`);
    const lines = r.stderr.trim().split('\n'); // (the plain progress lines, then the error)
    expect(lines.at(-1)).toBe(
      `recur: cannot write ${dir}/m.safetensors: disk full: no space left on the device that holds ${dir}`,
    );
    expect(lines.filter((l) => l.startsWith('recur:'))).toHaveLength(1);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).toMatch(/exit [12]\nleft: \n$/);
  });
});
