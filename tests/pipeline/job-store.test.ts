import { AddressInfo, createServer } from 'node:net';
import type { JobResult } from '@lazyllm/contracts';
import { checkRedisReachable, JobExistsError, jobKeys, JobStore, newJobRecord, RedisUnavailableError } from '@lazyllm/jobs';
import { Redis } from 'ioredis';
import { useTestRedis } from '../support/redis';

const RESULT: JobResult = {
  text: 'Paris',
  tokens: [42],
  finishReason: 'stop',
  usage: { promptTokens: 3, completionTokens: 1 },
  pruning: { schedule: { layers: [], percentiles: [] }, computedShare: 1, revived: 0 },
};

const server = useTestRedis();

describe('JobStore on a real Redis', () => {
  let redis: Redis;
  let store: JobStore;
  let n = 0;
  let id: string;

  beforeAll(() => {
    redis = new Redis(server.url);
    store = new JobStore(redis, '{test}');
  });
  afterAll(async () => {
    store.close();
    await redis.quit();
  });
  beforeEach(() => {
    id = `job-${++n}`;
  });

  it('stores a record and reads it back', async () => {
    const record = newJobRecord(id, 1000, 'batch-1');
    await expect(store.create(record)).resolves.toEqual({ id, created: true });
    await expect(store.get(id)).resolves.toEqual(record);
    await expect(store.get('no-such-job')).resolves.toBeUndefined();
    await expect(store.create(record)).rejects.toThrow(JobExistsError);
  });

  it('gives the first job id back for an idempotency key already used', async () => {
    await expect(store.create(newJobRecord(id, 1), 'client-key')).resolves.toEqual({ id, created: true });
    await expect(store.create(newJobRecord(`${id}-again`, 2), 'client-key')).resolves.toEqual({ id, created: false });
    await expect(store.get(`${id}-again`)).resolves.toBeUndefined();
    // The key is bookkeeping, not part of the record.
    expect(await store.get(id)).not.toHaveProperty('idempotencyKey');
  });

  it('merges timings across updates and refuses updates of a missing job', async () => {
    await store.create(newJobRecord(id, 1));
    await expect(store.update(id, { status: 'prefill', attempts: 1, timings: { queueWaitMs: 5 } })).resolves.toBe(true);
    await expect(store.update(id, { timings: { prefillMs: 7.5, ttftMs: 9 }, computedShare: 0.6 })).resolves.toBe(true);
    const record = await store.get(id);
    expect(record).toMatchObject({ status: 'prefill', attempts: 1, computedShare: 0.6, timings: { queueWaitMs: 5, prefillMs: 7.5, ttftMs: 9 } });
    expect(record!.updatedAt).toBeGreaterThan(1);
    await expect(store.update('no-such-job', { status: 'prefill' })).resolves.toBe(false);
    await expect(redis.exists(jobKeys('{test}', 'no-such-job').record)).resolves.toBe(0);
  });

  it('finishes a job once, with its final event, and freezes the record after', async () => {
    await store.create(newJobRecord(id, 1));
    await expect(store.finish(id, { status: 'completed', result: RESULT, timings: { decodeMs: 3 } }, 60)).resolves.toBe(true);
    await expect(store.finish(id, { status: 'failed', error: 'late failure' }, 60)).resolves.toBe(false);
    await expect(store.update(id, { status: 'decode' })).resolves.toBe(false);
    await expect(store.get(id)).resolves.toMatchObject({ status: 'completed', result: RESULT, timings: { decodeMs: 3 } });
    const events = await store.readEvents(id);
    expect(events.map((e) => e.event)).toEqual([{ type: 'done', result: RESULT }]);
  });

  it('publishes each token index once and in order, and nothing after the job ended', async () => {
    await store.create(newJobRecord(id, 1));
    const token = (index: number) => ({ type: 'token' as const, index, token: 100 + index, text: `t${index}` });
    await expect(store.publishToken(id, token(0))).resolves.toBe('published');
    await expect(store.publishToken(id, token(1))).resolves.toBe('published');
    // A retried attempt replays from the start.
    await expect(store.publishToken(id, token(0))).resolves.toBe('duplicate');
    await expect(store.publishToken(id, token(1))).resolves.toBe('duplicate');
    await expect(store.publishToken(id, token(3))).rejects.toThrow(/token 3 published before token 2/);
    await expect(store.publishedTokenCount(id)).resolves.toBe(2);
    await store.finish(id, { status: 'cancelled' }, 60);
    await expect(store.publishToken(id, token(2))).resolves.toBe('finished');
    const events = (await store.readEvents(id)).map((e) => e.event);
    expect(events).toEqual([token(0), token(1), { type: 'cancelled' }]);
  });

  it('reads on from a position and waits for the next event when asked to block', async () => {
    await store.create(newJobRecord(id, 1));
    await store.update(id, { status: 'decode' });
    await store.publishToken(id, { type: 'token', index: 0, token: 1, text: 'a' });
    const [first] = await store.readEvents(id);
    await expect(store.readEvents(id, first.id)).resolves.toEqual([]);
    const started = Date.now();
    await expect(store.readEvents(id, first.id, 200)).resolves.toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    const waiting = store.readEvents(id, first.id, 5000);
    setTimeout(() => void store.publishToken(id, { type: 'token', index: 1, token: 2, text: 'b' }), 100);
    const [second] = await waiting;
    expect(second.event).toEqual({ type: 'token', index: 1, token: 2, text: 'b' });
  });

  it('records a cancel request only for a running job', async () => {
    await store.create(newJobRecord(id, 1));
    await expect(store.isCancelled(id)).resolves.toBe(false);
    await expect(store.requestCancel(id)).resolves.toBe(true);
    await expect(store.isCancelled(id)).resolves.toBe(true);
    await store.finish(id, { status: 'cancelled' }, 60);
    await expect(store.requestCancel(id)).resolves.toBe(false);
    await expect(store.requestCancel('no-such-job')).resolves.toBe(false);
  });

  it('sets a TTL on every key of a job in the same step that finishes it, its idempotency key included', async () => {
    await store.create(newJobRecord(id, 1), `key-of-${id}`);
    await store.update(id, { status: 'decode' });
    await store.publishToken(id, { type: 'token', index: 0, token: 1, text: 'a' });
    await store.requestCancel(id);
    await store.finish(id, { status: 'cancelled' }, 60);
    const keys = jobKeys('{test}', id);
    for (const key of [keys.record, keys.events, keys.tokens, keys.cancel, `{test}:idempotency:key-of-${id}`]) {
      const ttl = await redis.ttl(key);
      expect({ key, ttl: ttl > 0 && ttl <= 60 }).toEqual({ key, ttl: true });
    }
  });
});

describe('checkRedisReachable', () => {
  it('passes for a running Redis', async () => {
    await expect(checkRedisReachable(server.url)).resolves.toBeUndefined();
  });

  it('says where it looked and how to get a Redis, without the password', async () => {
    const nothingThere = `redis://:s3cret@127.0.0.1:${await freePort()}`;
    const attempt = checkRedisReachable(nothingThere, 1000);
    await expect(attempt).rejects.toThrow(RedisUnavailableError);
    await expect(attempt).rejects.toThrow(/Cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+.*Set REDIS_URL.*npm start/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
