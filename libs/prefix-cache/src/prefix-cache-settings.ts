import { positiveSeconds, QueueSettingsError } from '@lazyllm/jobs';

/**
 * - exact: only question-independent work is shared; answers are identical to computing the prefix per question.
 * - shared-revival: K/V rows a question's step computes for revived document tokens are stored back and
 *   reused by later questions (LazyLLM's own approximation across decode steps, applied across questions).
 */
export type PrefixCacheMode = 'exact' | 'shared-revival';
export const PREFIX_CACHE_MODES: readonly PrefixCacheMode[] = ['exact', 'shared-revival'];

export interface PrefixCacheSettings {
  /** Sum of the stored prefixes' sizes; least recently used ones are evicted beyond it. */
  readonly maxBytes: number;
  /** An entry not used for this long expires; every use renews it. */
  readonly ttlSeconds: number;
  readonly chunkBytes: number;
  readonly mode: PrefixCacheMode;
  /** How long one worker may hold the right to compute a prefix before others stop waiting for it. */
  readonly lockMs: number;
  /**
   * Expiry of that right, renewed by its holder while it computes: a worker that dies mid-computation
   * holds others up for at most this long, not lockMs.
   */
  readonly leaseMs: number;
  /** How often a worker waiting for another's prefix looks again. */
  readonly pollMs: number;
}

export const DEFAULT_PREFIX_CACHE_SETTINGS: PrefixCacheSettings = {
  maxBytes: 2 * 1024 ** 3,
  ttlSeconds: 3600,
  chunkBytes: 1 << 20,
  mode: 'exact',
  lockMs: 120_000,
  leaseMs: 10_000,
  pollMs: 100,
};

/** PREFIX_CACHE_MAX_BYTES, PREFIX_CACHE_TTL_SECONDS, PREFIX_CACHE_MODE; PREFIX_CACHE_MAX_BYTES=0 turns the cache off (undefined). */
export function readPrefixCacheSettings(env: NodeJS.ProcessEnv = process.env): PrefixCacheSettings | undefined {
  const d = DEFAULT_PREFIX_CACHE_SETTINGS;
  const max = env.PREFIX_CACHE_MAX_BYTES;
  let maxBytes = d.maxBytes;
  if (max !== undefined && max !== '') {
    maxBytes = Number(max);
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new QueueSettingsError(`PREFIX_CACHE_MAX_BYTES must be an integer >= 0 (0 turns the cache off), got "${max}"`);
    if (maxBytes === 0) return undefined;
  }
  const mode = env.PREFIX_CACHE_MODE === undefined || env.PREFIX_CACHE_MODE === '' ? d.mode : (env.PREFIX_CACHE_MODE as PrefixCacheMode);
  if (!PREFIX_CACHE_MODES.includes(mode)) throw new QueueSettingsError(`PREFIX_CACHE_MODE must be one of ${PREFIX_CACHE_MODES.join(', ')}, got "${env.PREFIX_CACHE_MODE}"`);
  return { ...d, maxBytes, mode, ttlSeconds: positiveSeconds('PREFIX_CACHE_TTL_SECONDS', env.PREFIX_CACHE_TTL_SECONDS, d.ttlSeconds) };
}
