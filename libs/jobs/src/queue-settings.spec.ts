import { DEFAULT_JOB_TTL_SECONDS, DEFAULT_REDIS_URL, DEFAULT_WORKER_LOCK_MS, QueueSettingsError, readQueueSettings, redactRedisUrl } from './queue-settings';

describe('queue settings from the environment', () => {
  it('defaults to a local Redis and the lazyllm prefix', () => {
    expect(readQueueSettings({})).toEqual({
      redisUrl: DEFAULT_REDIS_URL,
      prefix: 'lazyllm',
      prefillQueue: 'prefill',
      decodeQueue: 'decode',
      jobTtlSeconds: DEFAULT_JOB_TTL_SECONDS,
      lockMs: DEFAULT_WORKER_LOCK_MS,
      stalledIntervalMs: DEFAULT_WORKER_LOCK_MS,
    });
    expect(DEFAULT_WORKER_LOCK_MS).toBe(30_000);
  });

  it('takes a shorter lock and stall check, for tests that kill workers', () => {
    expect(readQueueSettings({ WORKER_LOCK_MS: '2000' })).toMatchObject({ lockMs: 2000, stalledIntervalMs: 2000 });
    expect(readQueueSettings({ WORKER_LOCK_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' })).toMatchObject({ lockMs: 2000, stalledIntervalMs: 1000 });
    expect(() => readQueueSettings({ WORKER_LOCK_MS: '10' })).toThrow(/WORKER_LOCK_MS must be an integer of at least 1000/);
  });

  it('takes TLS URLs with a password and a hash-tagged prefix', () => {
    const settings = readQueueSettings({ REDIS_URL: 'rediss://:s3cret@redis.internal:6380/2', QUEUE_PREFIX: '{lazyllm}', JOB_TTL_SECONDS: '60' });
    expect(settings).toMatchObject({ redisUrl: 'rediss://:s3cret@redis.internal:6380/2', prefix: '{lazyllm}', jobTtlSeconds: 60 });
  });

  it('refuses what cannot work, naming the variable', () => {
    expect(() => readQueueSettings({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL must start with redis:\/\//);
    expect(() => readQueueSettings({ REDIS_URL: 'not a url' })).toThrow(QueueSettingsError);
    expect(() => readQueueSettings({ PREFILL_QUEUE: 'a:b' })).toThrow(/PREFILL_QUEUE must not contain ':'/);
    expect(() => readQueueSettings({ QUEUE_PREFIX: 'has space' })).toThrow(/QUEUE_PREFIX/);
    expect(() => readQueueSettings({ JOB_TTL_SECONDS: '0' })).toThrow(/JOB_TTL_SECONDS must be a positive integer/);
  });

  it('masks the password in messages', () => {
    expect(redactRedisUrl('redis://user:s3cret@host:6379')).toBe('redis://user:***@host:6379');
    expect(() => readQueueSettings({ REDIS_URL: 'http://:s3cret@host' })).toThrow(/http:\/\/:\*\*\*@host/);
  });
});
