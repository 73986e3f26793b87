/**
 * The prefix cache's Redis keys (`p` is QUEUE_PREFIX, as for libs/jobs/src/job-keys.ts):
 *
 *   {p}:prefix:{id}                       string  manifest, JSON {bytes, chunks, chunkBytes, gen}, written last
 *   {p}:prefix:{id}:{gen}:chunk:{i}       string  chunk i of the serialized prefix state
 *   {p}:prefix:{id}:lock                  string  held (SET NX PX) by the one worker computing the prefix
 *   {p}:prefix-index:lru                  zset    id -> last use (a tick of the clock below), for LRU eviction
 *   {p}:prefix-index:clock                string  counter ticked by every write and read; a logical clock
 *                                                 orders uses within one millisecond and across machines
 *   {p}:prefix-index:sizes                hash    id -> bytes
 *   {p}:prefix-index:bytes                string  sum of the sizes
 *
 * Each write uses a fresh `gen`, so replacing an entry never mixes chunks of two versions. The eviction
 * script names chunk keys it derives from the manifest; with Redis Cluster the prefix must carry a hash
 * tag (as for the job keys).
 */
export function prefixManifestKey(prefix: string, id: string): string {
  return `${prefix}:prefix:${id}`;
}

export function prefixChunkKey(prefix: string, id: string, gen: string, index: number): string {
  return `${prefix}:prefix:${id}:${gen}:chunk:${index}`;
}

export function prefixLockKey(prefix: string, id: string): string {
  return `${prefix}:prefix:${id}:lock`;
}

export interface PrefixIndexKeys {
  readonly lru: string;
  readonly sizes: string;
  readonly bytes: string;
  readonly clock: string;
}

export function prefixIndexKeys(prefix: string): PrefixIndexKeys {
  return { lru: `${prefix}:prefix-index:lru`, sizes: `${prefix}:prefix-index:sizes`, bytes: `${prefix}:prefix-index:bytes`, clock: `${prefix}:prefix-index:clock` };
}
