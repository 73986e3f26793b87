import { prefixChunkKey, prefixManifestKey, PrefixCacheEvents, RedisPrefixCache, DEFAULT_PREFIX_CACHE_SETTINGS, PrefixCacheSettings } from '@lazyllm/prefix-cache';
import { Redis } from 'ioredis';
import { useTestRedis } from '../support/redis';

const server = useTestRedis();

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

class CountingEvents implements PrefixCacheEvents {
  hits = 0;
  misses = 0;
  evictions = 0;
  waits = 0;
  hit() {
    this.hits++;
  }
  miss() {
    this.misses++;
  }
  evicted(n: number) {
    this.evictions += n;
  }
  waited() {
    this.waits++;
  }
}

describe('RedisPrefixCache on a real Redis', () => {
  let redis: Redis;
  let run = 0;
  let events: CountingEvents;
  const cache = (settings: Partial<PrefixCacheSettings> = {}) => new RedisPrefixCache(redis, `{prefix-test-${++run}}`, { ...DEFAULT_PREFIX_CACHE_SETTINGS, chunkBytes: 256, ...settings }, events);

  beforeAll(() => {
    redis = new Redis(server.url);
  });
  beforeEach(() => {
    events = new CountingEvents();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('stores an entry in chunks with a TTL and reads it back; another id is a miss', async () => {
    const c = cache({ ttlSeconds: 90 });
    const bytes = pattern(1000, 1);
    expect(await c.write('a', bytes)).toBe(true);
    await expect(c.read('a')).resolves.toEqual(bytes);
    await expect(c.read('b')).resolves.toBeUndefined();
    const prefix = `{prefix-test-${run}}`;
    const manifest = JSON.parse((await redis.get(prefixManifestKey(prefix, 'a')))!) as { chunks: number; gen: string };
    expect(manifest.chunks).toBe(4);
    for (let i = 0; i < 4; i++) {
      const ttl = await redis.ttl(prefixChunkKey(prefix, 'a', manifest.gen, i));
      expect(ttl > 0 && ttl <= 90).toBe(true);
    }
    expect(await c.totalBytes()).toBe(1000);
  });

  it('evicts the least recently used entries to stay within the budget, and counts them', async () => {
    const c = cache({ maxBytes: 1000 });
    await c.write('a', pattern(400, 1));
    await c.write('b', pattern(400, 2));
    await c.read('a'); // a is now more recent than b
    await c.write('c', pattern(400, 3));
    await expect(c.read('b')).resolves.toBeUndefined();
    await expect(c.read('a')).resolves.toEqual(pattern(400, 1));
    await expect(c.read('c')).resolves.toEqual(pattern(400, 3));
    expect(events.evictions).toBe(1);
    expect(await c.totalBytes()).toBe(800);
    // Larger than the whole budget: not stored, nothing evicted for it.
    expect(await c.write('huge', pattern(1001, 4))).toBe(false);
    await expect(c.read('a')).resolves.toBeDefined();
  });

  it('replaces an entry without leaving the old chunks or counting it twice', async () => {
    const c = cache();
    await c.write('a', pattern(600, 1));
    await c.write('a', pattern(300, 2));
    await expect(c.read('a')).resolves.toEqual(pattern(300, 2));
    expect(await c.totalBytes()).toBe(300);
    expect(await redis.keys(`{prefix-test-${run}}:prefix:a:*:chunk:*`)).toHaveLength(2);
  });

  it('eviction never breaks a job: loaded bytes stay whole, and an entry evicted mid-read reads as a miss', async () => {
    const c = cache({ maxBytes: 1000 });
    const bytes = pattern(900, 7);
    const { bytes: loaded } = await c.getOrCompute('doc', async () => bytes);
    await c.write('other', pattern(900, 8)); // evicts 'doc'
    expect(events.evictions).toBe(1);
    expect(loaded).toEqual(bytes);
    await expect(c.read('doc')).resolves.toBeUndefined();
    // Chunks gone while the manifest is still there (eviction between a reader's two commands).
    const prefix = `{prefix-test-${run}}`;
    const manifest = JSON.parse((await redis.get(prefixManifestKey(prefix, 'other')))!) as { gen: string };
    await redis.del(prefixChunkKey(prefix, 'other', manifest.gen, 2));
    await expect(c.read('other')).resolves.toBeUndefined();
    const recomputed = await c.getOrCompute('other', async () => pattern(900, 8));
    expect(recomputed.source).toBe('computed');
    expect(recomputed.bytes).toEqual(pattern(900, 8));
  });

  it('computes a prefix once for concurrent questions (no thundering herd)', async () => {
    const c = cache({ pollMs: 20 });
    let computations = 0;
    const compute = async () => {
      computations++;
      await new Promise((r) => setTimeout(r, 300));
      return pattern(700, 9);
    };
    const results = await Promise.all(Array.from({ length: 6 }, () => c.getOrCompute('shared', compute)));
    expect(computations).toBe(1);
    for (const r of results) expect(r.bytes).toEqual(pattern(700, 9));
    expect(results.filter((r) => r.source === 'computed')).toHaveLength(1);
    expect(events.waits).toBe(5);
    const again = await c.getOrCompute('shared', compute);
    expect(again.source).toBe('hit');
    expect(events.hits).toBe(1);
  });

  it('keeps the lock past its lease while the holder computes', async () => {
    const c = cache({ pollMs: 20, leaseMs: 150 });
    let computations = 0;
    const compute = async () => {
      computations++;
      await new Promise((r) => setTimeout(r, 600));
      return pattern(50, 3);
    };
    const results = await Promise.all([c.getOrCompute('slow', compute), c.getOrCompute('slow', compute)]);
    expect(computations).toBe(1);
    expect(results.map((r) => r.source).sort()).toEqual(['computed', 'waited']);
  });

  it('does not wait forever for a lock whose holder died', async () => {
    const c = cache({ pollMs: 20, lockMs: 300 });
    await redis.set(`{prefix-test-${run}}:prefix:orphan:lock`, 'dead-worker', 'PX', 10_000);
    const t0 = Date.now();
    const r = await c.getOrCompute('orphan', async () => pattern(10, 1));
    expect(r.source).toBe('computed');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });
});
