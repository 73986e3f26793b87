/** Where the queues and job keys live. Read from the environment once, shared by the gateway and both pools. */
export interface QueueSettings {
  /** ioredis URL: `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  readonly redisUrl: string;
  /** Prefix of every key, BullMQ's included; may carry a Redis Cluster hash tag such as `{lazyllm}`. */
  readonly prefix: string;
  readonly prefillQueue: string;
  readonly decodeQueue: string;
  /** How long a finished job's record and events stay readable. */
  readonly jobTtlSeconds: number;
  /** How long a worker's lock on its job lasts (WORKER_LOCK_MS); see LOCK_OPTIONS in queues.ts. */
  readonly lockMs: number;
  /** How often workers look for jobs whose lock expired (WORKER_STALLED_INTERVAL_MS, default lockMs). */
  readonly stalledIntervalMs: number;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_JOB_TTL_SECONDS = 24 * 3600;
/** Production default: far above the longest stretch a 4k-token prefill blocks the event loop (queues.ts). */
export const DEFAULT_WORKER_LOCK_MS = 30_000;

/** A queue setting that cannot work; the message says which variable and why. */
export class QueueSettingsError extends Error {
  override readonly name = 'QueueSettingsError';
}

export function readQueueSettings(env: NodeJS.ProcessEnv = process.env): QueueSettings {
  const lockMs = milliseconds('WORKER_LOCK_MS', env.WORKER_LOCK_MS, DEFAULT_WORKER_LOCK_MS);
  return {
    redisUrl: redisUrl(env.REDIS_URL),
    prefix: keyPart('QUEUE_PREFIX', env.QUEUE_PREFIX ?? 'lazyllm'),
    prefillQueue: queueName('PREFILL_QUEUE', env.PREFILL_QUEUE ?? 'prefill'),
    decodeQueue: queueName('DECODE_QUEUE', env.DECODE_QUEUE ?? 'decode'),
    jobTtlSeconds: positiveSeconds('JOB_TTL_SECONDS', env.JOB_TTL_SECONDS, DEFAULT_JOB_TTL_SECONDS),
    lockMs,
    stalledIntervalMs: milliseconds('WORKER_STALLED_INTERVAL_MS', env.WORKER_STALLED_INTERVAL_MS, lockMs),
  };
}

function redisUrl(value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_REDIS_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new QueueSettingsError(`REDIS_URL must be a URL like redis://host:6379, got "${value}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new QueueSettingsError(`REDIS_URL must start with redis:// or rediss:// (TLS), got "${redactRedisUrl(value)}"`);
  }
  return value;
}

function keyPart(name: string, value: string): string {
  if (value === '' || /\s/.test(value)) throw new QueueSettingsError(`${name} must be non-empty and without spaces, got "${value}"`);
  return value;
}

// BullMQ refuses queue names with a colon: they are part of its keys.
function queueName(name: string, value: string): string {
  if (value.includes(':')) throw new QueueSettingsError(`${name} must not contain ':', got "${value}"`);
  return keyPart(name, value);
}

export function positiveSeconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new QueueSettingsError(`${name} must be a positive integer (seconds), got "${value}"`);
  return n;
}

// Below a second the lock renewals (every lockMs / 2) would compete with the work itself.
function milliseconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1000) throw new QueueSettingsError(`${name} must be an integer of at least 1000 (milliseconds), got "${value}"`);
  return n;
}

/** The URL with its password masked, for logs and error messages. */
export function redactRedisUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable URL)';
  }
}
