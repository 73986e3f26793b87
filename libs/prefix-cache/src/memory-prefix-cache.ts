import type { PrefixCacheMode } from './prefix-cache-settings';
import type { PrefixSource, PrefixStore } from './prefix-store';

/** Prefixes of one process (the CLI's --local answers): the most recently used `maxEntries`, as bytes. */
export class MemoryPrefixCache implements PrefixStore {
  private readonly entries = new Map<string, Uint8Array>();

  constructor(
    readonly settings: { readonly mode: PrefixCacheMode },
    private readonly maxEntries = 2,
  ) {}

  async getOrCompute(id: string, compute: () => Promise<Uint8Array>): Promise<{ bytes: Uint8Array; source: PrefixSource }> {
    const found = this.entries.get(id);
    if (found) {
      await this.write(id, found);
      return { bytes: found, source: 'hit' };
    }
    const bytes = await compute();
    await this.write(id, bytes);
    return { bytes, source: 'computed' };
  }

  async write(id: string, bytes: Uint8Array): Promise<boolean> {
    // Map order is insertion order: re-inserting makes the entry the most recent.
    this.entries.delete(id);
    this.entries.set(id, bytes);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
    return true;
  }
}
