import { Counter, Registry } from 'prom-client';

/** The document prefix cache's counters (libs/prefix-cache reports to it through PrefixCacheEvents). */
export class PrefixCacheMetrics {
  private readonly hits: Counter;
  private readonly misses: Counter;
  private readonly evictions: Counter;
  private readonly waits: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.hits = new Counter({ name: 'lazyllm_prefix_cache_hits_total', help: 'Document prefixes found in the prefix cache', registers });
    this.misses = new Counter({ name: 'lazyllm_prefix_cache_misses_total', help: 'Document prefixes not in the prefix cache when asked for', registers });
    this.evictions = new Counter({ name: 'lazyllm_prefix_cache_evictions_total', help: 'Prefix cache entries evicted to stay within PREFIX_CACHE_MAX_BYTES', registers });
    this.waits = new Counter({ name: 'lazyllm_prefix_cache_waits_total', help: 'Misses that waited for another worker computing the same prefix instead of computing it again', registers });
  }

  hit(): void {
    this.hits.inc();
  }
  miss(): void {
    this.misses.inc();
  }
  evicted(count: number): void {
    this.evictions.inc(count);
  }
  waited(): void {
    this.waits.inc();
  }
}
