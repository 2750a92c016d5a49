/**
 * Node's built-in modules, reached at call time instead of by `import`, so that the library entry imports no
 * `node:` module and bundles for a browser as it is. In Node (≥ 20.16) `process.getBuiltinModule` hands out
 * the module; elsewhere there is none, and the few functions that need one (files, worker threads) say so.
 *
 *   const fs = nodeBuiltin('node:fs', 'saveModel(path)');   // Node: the fs module; a browser: a clear Error
 */
import type * as Crypto from 'node:crypto';
import type * as Fs from 'node:fs';
import type * as Module from 'node:module';
import type * as Path from 'node:path';
import type * as WorkerThreads from 'node:worker_threads';
import type * as Zlib from 'node:zlib';

/** The built-in modules recur uses, by name. */
export interface NodeBuiltins {
  'node:crypto': typeof Crypto;
  'node:fs': typeof Fs;
  'node:module': typeof Module;
  'node:path': typeof Path;
  'node:worker_threads': typeof WorkerThreads;
  'node:zlib': typeof Zlib;
}

type GetBuiltin = (name: string) => unknown;

/** The module `name` when running in Node, else undefined. */
export function maybeNodeBuiltin<K extends keyof NodeBuiltins>(name: K): NodeBuiltins[K] | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process;
  const get = proc?.getBuiltinModule;
  return typeof get === 'function' ? (get.call(proc, name) as NodeBuiltins[K]) : undefined;
}

/**
 * The module `name`; outside Node an Error saying that `what` needs Node (e.g. "saveModel(path) writes a
 * file: it needs Node; in a browser use modelToBytes").
 */
export function nodeBuiltin<K extends keyof NodeBuiltins>(name: K, what: string): NodeBuiltins[K] {
  const m = maybeNodeBuiltin(name);
  if (m === undefined) throw new Error(`${what} needs Node (${name}), which this platform does not have`);
  return m;
}

/** An environment variable in Node (undefined elsewhere). */
export function envVar(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}
