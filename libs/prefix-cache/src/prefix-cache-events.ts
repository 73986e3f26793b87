/** What the cache reports, for metrics; libs/metrics' PrefixCacheMetrics implements it. */
export interface PrefixCacheEvents {
  hit(): void;
  miss(): void;
  /** Entries removed to keep the total under the budget. */
  evicted(count: number): void;
  /** Another worker was computing the same prefix, and this one waited for it instead. */
  waited(): void;
}

export const NO_PREFIX_CACHE_EVENTS: PrefixCacheEvents = { hit() {}, miss() {}, evicted() {}, waited() {} };
