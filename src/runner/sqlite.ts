/**
 * SQLite through better-sqlite3, an optional package (util/optional.ts): the results store, shards and
 * merges open their files here, and a missing package says what to install when a file is first opened.
 */
import type Database from 'better-sqlite3';
import { optionalImport } from '../util/optional.js';

const sqlite = await optionalImport<{ default: typeof Database }>('better-sqlite3');

/** An open SQLite connection. */
export type Connection = Database.Database;

/** Open (or create) the SQLite file at `path`. */
export function openDatabase(path: string, options?: Database.Options): Connection {
  return new (sqlite().default)(path, options);
}
