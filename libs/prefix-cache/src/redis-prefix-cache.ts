import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { prefixChunkKey, prefixIndexKeys, prefixLockKey, prefixManifestKey } from './prefix-cache-keys';
import { COMMIT_PREFIX, EXTEND_LOCK, RELEASE_LOCK, TOUCH_PREFIX } from './prefix-cache-scripts';
import { NO_PREFIX_CACHE_EVENTS, PrefixCacheEvents } from './prefix-cache-events';
import type { PrefixCacheSettings } from './prefix-cache-settings';
import type { PrefixSource, PrefixStore } from './prefix-store';

interface Manifest {
  readonly bytes: number;
  readonly chunks: number;
  readonly chunkBytes: number;
  readonly gen: string;
}

const CHUNKS_PER_BATCH = 16;

/**
 * Serialized prefix states in Redis, shared by every worker: chunked like the handoff states, within a
 * byte budget with LRU eviction, each entry expiring when unused for the TTL. A reader copies an entry's
 * bytes into its own memory and holds nothing afterwards, so eviction can never take anything from a
 * job that is using a prefix; an entry evicted while it is being read reads as a miss.
 */
export class RedisPrefixCache implements PrefixStore {
  private readonly index;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly settings: PrefixCacheSettings,
    private readonly events: PrefixCacheEvents = NO_PREFIX_CACHE_EVENTS,
  ) {
    this.index = prefixIndexKeys(prefix);
  }

  /** The entry's bytes, or undefined when there is none (or it went while being read). Counts nothing. */
  async read(id: string): Promise<Uint8Array | undefined> {
    const raw = await this.redis.get(prefixManifestKey(this.prefix, id));
    if (raw === null) return undefined;
    const m = JSON.parse(raw) as Manifest;
    const out = new Uint8Array(m.bytes);
    for (let first = 0; first < m.chunks; first += CHUNKS_PER_BATCH) {
      const keys = [];
      for (let i = first; i < Math.min(m.chunks, first + CHUNKS_PER_BATCH); i++) keys.push(prefixChunkKey(this.prefix, id, m.gen, i));
      const chunks = await this.redis.mgetBuffer(...keys);
      for (let k = 0; k < chunks.length; k++) {
        const chunk = chunks[k];
        const index = first + k;
        if (chunk === null || chunk.length !== Math.min(m.chunkBytes, m.bytes - index * m.chunkBytes)) return undefined;
        out.set(chunk, index * m.chunkBytes);
      }
    }
    await TOUCH_PREFIX.run(this.redis, [this.index.lru, this.index.clock], [this.prefix, id, m.gen, this.settings.ttlSeconds]);
    return out;
  }

  /** Stores (or replaces) an entry; one larger than the whole budget is not stored. Returns whether it was. */
  async write(id: string, bytes: Uint8Array): Promise<boolean> {
    const { chunkBytes, ttlSeconds, maxBytes } = this.settings;
    if (bytes.length > maxBytes) return false;
    const gen = randomBytes(6).toString('hex');
    const chunks = Math.max(1, Math.ceil(bytes.length / chunkBytes));
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let first = 0; first < chunks; first += CHUNKS_PER_BATCH) {
      const batch = this.redis.pipeline();
      for (let i = first; i < Math.min(chunks, first + CHUNKS_PER_BATCH); i++) batch.set(prefixChunkKey(this.prefix, id, gen, i), view.subarray(i * chunkBytes, (i + 1) * chunkBytes), 'EX', ttlSeconds);
      for (const [err] of (await batch.exec()) ?? []) if (err) throw err;
    }
    const manifest: Manifest = { bytes: bytes.length, chunks, chunkBytes, gen };
    const evicted = Number(
      await COMMIT_PREFIX.run(this.redis, [this.index.lru, this.index.sizes, this.index.bytes, this.index.clock], [this.prefix, id, JSON.stringify(manifest), bytes.length, ttlSeconds, maxBytes]),
    );
    if (evicted > 0) this.events.evicted(evicted);
    return true;
  }

  /**
   * The entry, computing and storing it on a miss. Concurrent callers for one id compute it once: the
   * first takes a lock (a lease it renews while computing) and computes, the others poll until the entry
   * appears (or the lock is gone, when they try again), and after lockMs compute it themselves rather
   * than wait longer.
   */
  async getOrCompute(id: string, compute: () => Promise<Uint8Array>): Promise<{ bytes: Uint8Array; source: PrefixSource }> {
    const found = await this.read(id);
    if (found) {
      this.events.hit();
      return { bytes: found, source: 'hit' };
    }
    this.events.miss();
    const lock = prefixLockKey(this.prefix, id);
    const token = randomBytes(8).toString('hex');
    const giveUpAt = Date.now() + this.settings.lockMs;
    let waited = false;
    while (Date.now() < giveUpAt) {
      if ((await this.redis.set(lock, token, 'PX', this.settings.leaseMs, 'NX')) === 'OK') {
        // A failed renewal only lets another worker compute the same prefix too: harmless.
        const renewal = setInterval(() => EXTEND_LOCK.run(this.redis, [lock], [token, this.settings.leaseMs]).catch(() => undefined), this.settings.leaseMs / 3);
        try {
          // Another worker may have finished between our miss and our lock.
          const late = await this.read(id);
          if (late) return { bytes: late, source: 'waited' };
          const bytes = await compute();
          await this.write(id, bytes);
          return { bytes, source: 'computed' };
        } finally {
          clearInterval(renewal);
          await RELEASE_LOCK.run(this.redis, [lock], [token]);
        }
      }
      if (!waited) this.events.waited();
      waited = true;
      await sleep(this.settings.pollMs);
      const ready = await this.read(id);
      if (ready) return { bytes: ready, source: 'waited' };
    }
    return { bytes: await compute(), source: 'computed' };
  }

  /** Bytes the budget counts now. */
  async totalBytes(): Promise<number> {
    return Number((await this.redis.get(this.index.bytes)) ?? 0);
  }
}
