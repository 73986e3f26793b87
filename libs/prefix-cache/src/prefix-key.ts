import { createHash } from 'node:crypto';
import type { PruningSchedule } from '@lazyllm/engine';
import type { PrefixCacheMode } from './prefix-cache-settings';

/** What a cached prefix depends on; any difference must give another key. */
export interface PrefixIdentity {
  /** sha256 of the GGUF. */
  readonly modelIdentity: string;
  readonly documentTokens: readonly number[];
  readonly schedule: PruningSchedule;
  /** Version of the state format the value is written in. */
  readonly formatVersion: number;
  readonly mode: PrefixCacheMode;
}

/**
 * sha256 over the identity, hex. An exact entry holds the documents through the first pruning layer
 * only, so it depends on that layer alone; a shared-revival entry also holds rows computed under the
 * rest of the schedule, so the whole schedule is part of its key.
 */
export function prefixKey(id: PrefixIdentity): string {
  const h = createHash('sha256');
  const scheduleShape = id.mode === 'exact' ? { firstPruningLayer: id.schedule.layers[0] } : { layers: id.schedule.layers, percentiles: id.schedule.percentiles, selection: id.schedule.selection ?? { kind: 'lazy' } };
  h.update(JSON.stringify({ v: 1, model: id.modelIdentity, format: id.formatVersion, mode: id.mode, schedule: scheduleShape, tokens: id.documentTokens.length }));
  h.update(new Uint8Array(Int32Array.from(id.documentTokens).buffer));
  return h.digest('hex');
}
