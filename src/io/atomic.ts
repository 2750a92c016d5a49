/**
 * Atomic file writes: every file recur writes (checkpoints, safetensors, reports) goes through
 * `writeFileAtomic`, so a crash or a full disk never leaves a half-written file under the final name.
 *
 * Protocol: write to a uniquely named temp file in the *same directory* (rename is only atomic within one
 * file system), fsync it, rename it over the target, then fsync the directory (best effort) so the rename
 * itself survives a power loss.
 */
import { nodeBuiltin } from '../util/node-builtin.js';

/** Node's fs (files exist only there: a browser saves with encodeSafetensors / modelToBytes instead). */
const fs = () => nodeBuiltin('node:fs', 'writing a file');

/**
 * Write `bytes` to `path` atomically: readers see either the old file or the complete new one.
 *
 * @example
 * writeFileAtomic('runs/ckpt.safetensors', encodeSafetensors(tensors));
 * @throws Error naming `path` when the directory does not exist or the write fails (the temp file is removed).
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const { basename, dirname, join } = nodeBuiltin('node:path', `writeFileAtomic(${path})`);
  const random = nodeBuiltin('node:crypto', `writeFileAtomic(${path})`).randomBytes(6).toString('hex');
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${random}.tmp`);
  let fd: number;
  try {
    fd = fs().openSync(tmp, 'wx', 0o666);
  } catch (e) {
    throw new Error(`cannot write ${path}: ${why(e, dir, tmp, path)}`);
  }
  try {
    let written = 0;
    while (written < bytes.byteLength) {
      // writeSync may write fewer bytes than asked (e.g. on some pipes/file systems): loop until done.
      written += fs().writeSync(fd, bytes, written, bytes.byteLength - written);
    }
    fs().fsyncSync(fd);
    fs().closeSync(fd);
  } catch (e) {
    try {
      fs().closeSync(fd);
    } catch {
      /* already closed */
    }
    removeQuietly(tmp);
    throw new Error(`cannot write ${path}: ${why(e, dir, tmp, path)}`);
  }
  try {
    fs().renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    throw new Error(`cannot write ${path}: ${why(e, dir, tmp, path)}`);
  }
  fsyncDirectory(dir);
}

/** The reason a write failed, in terms of the user's path (never the hidden temp file's name). */
function why(e: unknown, dir: string, tmp: string, path: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `the directory ${dir} does not exist`;
  if (code === 'ENOTDIR') return `${dir} is not a directory`;
  if (code === 'EACCES' || code === 'EPERM') return `permission denied: ${dir} (may not write in it)`;
  if (code === 'EROFS') return `read-only file system: ${dir}`;
  if (code === 'ENOSPC') return `disk full: no space left on the device that holds ${dir}`;
  if (code === 'EISDIR') return `${path} is a directory`;
  return (e as Error).message.split(tmp).join(path);
}

function removeQuietly(path: string): void {
  try {
    fs().unlinkSync(path);
  } catch {
    /* nothing to clean up */
  }
}

/** Make the rename durable. Not supported everywhere (e.g. Windows cannot open directories): best effort. */
function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs().openSync(dir, 'r');
    fs().fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd !== undefined)
      try {
        fs().closeSync(fd);
      } catch {
        /* ignore */
      }
  }
}
