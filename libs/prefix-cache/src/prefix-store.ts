import type { PrefixCacheMode } from './prefix-cache-settings';

/** How a prefix was obtained, for logs and the job's report. */
export type PrefixSource = 'hit' | 'computed' | 'waited';

/** Where prefixes are kept: Redis for the workers (RedisPrefixCache), memory for one process (MemoryPrefixCache). */
export interface PrefixStore {
  readonly settings: { readonly mode: PrefixCacheMode };
  /** The entry, computing and storing it when there is none. */
  getOrCompute(id: string, compute: () => Promise<Uint8Array>): Promise<{ bytes: Uint8Array; source: PrefixSource }>;
  /** Stores or replaces an entry; returns whether it was stored. */
  write(id: string, bytes: Uint8Array): Promise<boolean>;
}
