import { positiveSeconds, QueueSettingsError } from '@lazyllm/jobs';

export interface HandoffSettings {
  /** A state not picked up (and deleted) by a decode worker within this time expires. */
  readonly ttlSeconds: number;
  /** States are split into chunks of this size, so no single Redis value or command gets large. */
  readonly chunkBytes: number;
}

export const DEFAULT_STATE_TTL_SECONDS = 3600;
export const DEFAULT_STATE_CHUNK_BYTES = 1 << 20;

export function readHandoffSettings(env: NodeJS.ProcessEnv = process.env): HandoffSettings {
  const chunkKib = env.STATE_CHUNK_KIB;
  let chunkBytes = DEFAULT_STATE_CHUNK_BYTES;
  if (chunkKib !== undefined && chunkKib !== '') {
    const n = Number(chunkKib);
    if (!Number.isInteger(n) || n < 1 || n > 512 * 1024) throw new QueueSettingsError(`STATE_CHUNK_KIB must be an integer in 1..524288, got "${chunkKib}"`);
    chunkBytes = n * 1024;
  }
  return { ttlSeconds: positiveSeconds('STATE_TTL_SECONDS', env.STATE_TTL_SECONDS, DEFAULT_STATE_TTL_SECONDS), chunkBytes };
}
