/**
 * Reading files that users hand to recur (study files, model files) without trusting them: regular files
 * only — a FIFO would block the reader forever and a device such as /dev/zero never ends — and never more
 * than a stated number of bytes, checked before the bytes are read.
 */
import { nodeBuiltin } from '../util/node-builtin.js';

/** `1234567` → "1,234,567": byte counts in messages. */
const count = (n: number): string => n.toLocaleString('en-US');

/**
 * Read a whole regular file of at most `maxBytes` bytes.
 *
 * @example
 * const bytes = readRegularFile('model.safetensors', 2 ** 31, 'a model file');
 * @throws Error naming `path`: missing, not permitted, not a regular file, or larger than `maxBytes`.
 */
export function readRegularFile(path: string, maxBytes: number, what = 'the file'): Buffer {
  const { closeSync, constants, fstatSync, openSync, readSync } = nodeBuiltin('node:fs', `reading ${path}`);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file`);
    if (code === 'EACCES' || code === 'EPERM') throw new Error(`${path}: permission denied`);
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const kind = st.isDirectory()
        ? 'a directory'
        : st.isFIFO()
          ? 'a FIFO'
          : st.isCharacterDevice() || st.isBlockDevice()
            ? 'a device'
            : st.isSocket()
              ? 'a socket'
              : 'a special file';
      throw new Error(`${path}: not a regular file (${kind})`);
    }
    if (st.size > maxBytes)
      throw new Error(`${path}: ${count(st.size)} bytes, more than the ${count(maxBytes)} ${what} may have`);
    const buf = Buffer.allocUnsafe(st.size + 1);
    let n = 0;
    for (let r: number; n < buf.length && (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    if (n > st.size) throw new Error(`${path}: the file grew while being read`);
    return buf.subarray(0, n);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new Error(`${path}: not a regular file (a directory)`);
    throw code ? new Error(`${path}: cannot read (${(e as Error).message})`) : e;
  } finally {
    closeSync(fd);
  }
}

/**
 * How deeply arrays and objects nest in JSON text, by one linear scan (strings skipped), so that a
 * hostile header nested 100,000 levels deep is refused before anything recursive touches it. Stops
 * counting once past `stopAt`.
 */
export function jsonNestingDepth(text: string, stopAt = Infinity): number {
  let depth = 0,
    deepest = 0,
    inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > stopAt) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
