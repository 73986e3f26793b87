import { IncompleteStateError, RedisStateStore, StateNotFoundError } from '@lazyllm/handoff';
import { stateChunkKey, stateManifestKey } from '@lazyllm/jobs';
import { Redis } from 'ioredis';
import { useTestRedis } from '../support/redis';

const server = useTestRedis();
const PREFIX = '{handoff-test}';

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

describe('RedisStateStore on a real Redis', () => {
  let redis: Redis;
  let store: RedisStateStore;

  beforeAll(() => {
    redis = new Redis(server.url);
    store = new RedisStateStore(redis, PREFIX, { ttlSeconds: 120, chunkBytes: 1024 });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('round-trips states across chunk boundaries, and views into larger buffers', async () => {
    for (const length of [0, 1, 1023, 1024, 1025, 5 * 1024 + 17]) {
      const bytes = pattern(length, length);
      await expect(store.load(await store.save('job-a', 1, bytes))).resolves.toEqual(bytes);
    }
    const backing = pattern(4000, 7);
    const view = backing.subarray(100, 3100);
    await expect(store.load(await store.save('job-a', 1, view))).resolves.toEqual(view.slice());
  });

  it('splits a state into chunks with a TTL, under keys naming the job and the attempt', async () => {
    const ref = await store.save('job-b', 2, pattern(2500, 1));
    expect(ref).toMatch(/^state:job-b:2:[0-9a-f]+$/);
    const keys = (await redis.keys(`${PREFIX}:${ref}*`)).sort();
    expect(keys).toEqual([stateManifestKey(PREFIX, ref), ...[0, 1, 2].map((i) => stateChunkKey(PREFIX, ref, i))].sort());
    for (const key of keys) {
      const ttl = await redis.ttl(key);
      expect({ key, ttlSet: ttl > 0 && ttl <= 120 }).toEqual({ key, ttlSet: true });
    }
    expect((await redis.getBuffer(stateChunkKey(PREFIX, ref, 2)))!.length).toBe(2500 - 2048);
  });

  it('gives every save its own keys, so a retry never touches an earlier attempt', async () => {
    const first = await store.save('job-c', 1, pattern(3000, 1));
    const retry = await store.save('job-c', 2, pattern(3000, 2));
    const again = await store.save('job-c', 2, pattern(3000, 3));
    expect(new Set([first, retry, again]).size).toBe(3);
    await expect(store.load(first)).resolves.toEqual(pattern(3000, 1));
    await expect(store.load(retry)).resolves.toEqual(pattern(3000, 2));
    await expect(store.load(again)).resolves.toEqual(pattern(3000, 3));
  });

  it('never loads a state whose manifest was not written', async () => {
    const ref = await store.save('job-d', 1, pattern(3000, 1));
    // What a writer that died before its last command leaves behind: chunks without a manifest.
    await redis.del(stateManifestKey(PREFIX, ref));
    await expect(store.load(ref)).rejects.toThrow(StateNotFoundError);
    await expect(store.load(ref)).rejects.toThrow(/never completely written/);
  });

  it('refuses a state with a chunk missing or cut short', async () => {
    const missing = await store.save('job-e', 1, pattern(3000, 1));
    await redis.del(stateChunkKey(PREFIX, missing, 1));
    await expect(store.load(missing)).rejects.toThrow(new IncompleteStateError(missing, 'chunk 1 of 3 is missing'));
    const short = await store.save('job-e', 1, pattern(3000, 1));
    await redis.set(stateChunkKey(PREFIX, short, 0), Buffer.alloc(10));
    await expect(store.load(short)).rejects.toThrow(/chunk 0 has 10 bytes, expected 1024/);
  });

  it('refuses references that are not state references', async () => {
    await expect(store.load('job:x')).rejects.toThrow(StateNotFoundError);
    await expect(store.load('state:nothing-here:1:abc')).rejects.toThrow(StateNotFoundError);
  });

  it('deletes every key of a state, and deleting twice is fine', async () => {
    const ref = await store.save('job-f', 1, pattern(5000, 1));
    await store.delete(ref);
    await expect(redis.keys(`${PREFIX}:${ref}*`)).resolves.toEqual([]);
    await expect(store.load(ref)).rejects.toThrow(StateNotFoundError);
    await expect(store.delete(ref)).resolves.toBeUndefined();
  });
});
