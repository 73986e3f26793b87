import { Redis } from 'ioredis';
import { redactRedisUrl } from './queue-settings';

/** Redis could not be reached at startup; the message says where and how to get one. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';

  constructor(url: string, cause: unknown) {
    super(
      `Cannot reach Redis at ${redactRedisUrl(url)} (${cause instanceof Error ? cause.message : String(cause)}). ` +
        'Set REDIS_URL to a running Redis, or run `npm start`, which starts a local redis-server.',
    );
  }
}

/**
 * A client for the service's own keys. Commands wait through reconnects instead of failing after a
 * few retries (as BullMQ requires of its connections too), so a Redis restart pauses work, not loses it.
 */
export function createRedisClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** BullMQ connection options for the same Redis: BullMQ opens (and closes) its own clients from them. */
export function bullmqConnection(url: string): { url: string; maxRetriesPerRequest: null } {
  return { url, maxRetriesPerRequest: null };
}

/** Fails fast with RedisUnavailableError when nothing answers PING at `url`, instead of retrying forever. */
export async function checkRedisReachable(url: string, timeoutMs = 3000): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Errors surface through connect()/ping(); without a listener ioredis would also log them.
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new RedisUnavailableError(url, err);
  } finally {
    // A failed probe has already ended; disconnecting it again would only leave a timer behind.
    if (probe.status !== 'end') probe.disconnect();
  }
}
