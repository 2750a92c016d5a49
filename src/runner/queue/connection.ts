/**
 * Where the queue lives: a `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS) URL, parsed
 * into the connection options BullMQ hands to ioredis, and a reachability check that fails fast with one
 * clear line instead of retrying forever.
 */
import type { RedisOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { optionalImport } from '../../util/optional.js';

const ioredis = await optionalImport<typeof import('ioredis')>('ioredis');

/** A queue location that cannot be used (bad URL, unreachable server): a user mistake, exit code 2. */
export class QueueError extends Error {
  override name = 'QueueError';
}

export interface QueueLocation {
  /** ioredis options for BullMQ's own connections (they reconnect forever after a drop). */
  connection: RedisOptions;
  /** The URL without its password, for messages. */
  display: string;
}

/** Parse a Redis URL; throws QueueError naming what is wrong. */
export function parseQueueUrl(url: string): QueueLocation {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueError(`--queue: not a URL: "${url}" (expected redis://host:6379[/db])`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new QueueError(`--queue: "${url}" is not a redis:// or rediss:// URL`);
  }
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new QueueError(`--queue: database "${dbText}" in "${url}" is not a number`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const connection: RedisOptions = {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port,
    db,
    // BullMQ's workers block on Redis; commands wait for a reconnect instead of failing after a few retries.
    maxRetriesPerRequest: null,
  };
  if (u.username) connection.username = decodeURIComponent(u.username);
  if (u.password) connection.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') connection.tls = { servername: connection.host };
  const display = `${u.protocol}//${u.username ? `${u.username}:***@` : u.password ? ':***@' : ''}${u.host}${db ? `/${db}` : ''}`;
  return { connection, display };
}

/** A plain ioredis client on the same server (reconnecting forever), for commands BullMQ does not offer. */
export function redisClient(location: QueueLocation): Redis {
  const client = new (ioredis().Redis)({ ...(location.connection as object), maxRetriesPerRequest: null });
  client.on('error', () => undefined); // reconnects by itself; the caller reports outages
  return client;
}

/** Check that the server answers PING within `timeoutMs`; throws QueueError with the reason otherwise. */
export async function checkRedis(location: QueueLocation, timeoutMs = 5000): Promise<void> {
  const client = new (ioredis().Redis)({
    ...(location.connection as object),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
  });
  let lastError: Error | null = null;
  client.on('error', (e: Error) => {
    lastError = e;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    const why = (lastError as Error | null)?.message ?? (e as Error).message;
    throw new QueueError(`cannot reach Redis at ${location.display}: ${why}`);
  } finally {
    client.disconnect();
  }
}
