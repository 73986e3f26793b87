import { randomBytes } from 'node:crypto';
import { jobKeys, stateChunkKey, stateManifestKey, stateName } from '@lazyllm/jobs';
import type { Redis } from 'ioredis';
import { HandoffSettings } from './handoff-settings';
import { IncompleteStateError, StateNotFoundError, StateStore } from './state-store';

/** Written last: a state is loadable only once every chunk it counts is stored. */
interface Manifest {
  readonly bytes: number;
  readonly chunks: number;
  readonly chunkBytes: number;
}

// Chunks per round trip: enough to keep the pipe full, few enough to bound the memory queued in the client.
const CHUNKS_PER_BATCH = 16;
const STATE_REF = /^state:.+:\d+:[0-9a-f]+$/;

/**
 * States in Redis (keys: libs/jobs/src/job-keys.ts). Every save gets fresh keys named by job, attempt
 * and a random token, so a retried attempt can never read or overwrite an earlier attempt's chunks;
 * all keys carry the TTL, so states of attempts that died are cleaned up by Redis.
 */
export class RedisStateStore implements StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly settings: HandoffSettings,
  ) {}

  async save(jobId: string, attempt: number, bytes: Uint8Array): Promise<string> {
    const name = stateName(jobId, attempt, randomBytes(8).toString('hex'));
    const { chunkBytes, ttlSeconds } = this.settings;
    const chunks = Math.ceil(bytes.length / chunkBytes);
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Listed before any chunk is written, so the job's end finds the chunks of a save that died halfway.
    const listed = jobKeys(this.prefix, jobId).states;
    await this.redis.multi().sadd(listed, name).expire(listed, ttlSeconds).exec();
    for (let first = 0; first < chunks; first += CHUNKS_PER_BATCH) {
      const batch = this.redis.pipeline();
      for (let i = first; i < Math.min(chunks, first + CHUNKS_PER_BATCH); i++) {
        batch.set(stateChunkKey(this.prefix, name, i), view.subarray(i * chunkBytes, (i + 1) * chunkBytes), 'EX', ttlSeconds);
      }
      throwFirstError(await batch.exec());
    }
    const manifest: Manifest = { bytes: bytes.length, chunks, chunkBytes };
    await this.redis.set(stateManifestKey(this.prefix, name), JSON.stringify(manifest), 'EX', ttlSeconds);
    return name;
  }

  async load(stateRef: string): Promise<Uint8Array> {
    const manifest = await this.manifest(stateRef);
    if (!manifest) throw new StateNotFoundError(stateRef);
    const out = new Uint8Array(manifest.bytes);
    let offset = 0;
    for (let first = 0; first < manifest.chunks; first += CHUNKS_PER_BATCH) {
      const keys = [];
      for (let i = first; i < Math.min(manifest.chunks, first + CHUNKS_PER_BATCH); i++) keys.push(stateChunkKey(this.prefix, stateRef, i));
      const values = await this.redis.mgetBuffer(...keys);
      values.forEach((chunk, k) => {
        const index = first + k;
        if (chunk === null) throw new IncompleteStateError(stateRef, `chunk ${index} of ${manifest.chunks} is missing`);
        const expected = Math.min(manifest.chunkBytes, manifest.bytes - index * manifest.chunkBytes);
        if (chunk.length !== expected) throw new IncompleteStateError(stateRef, `chunk ${index} has ${chunk.length} bytes, expected ${expected}`);
        out.set(chunk, offset);
        offset += chunk.length;
      });
    }
    return out;
  }

  async delete(stateRef: string): Promise<void> {
    const manifest = await this.manifest(stateRef);
    // The manifest goes first, so a concurrent load fails cleanly instead of finding chunks missing.
    await this.redis.del(stateManifestKey(this.prefix, stateRef));
    if (!manifest) return;
    await this.deleteChunkRange(stateRef, 0, manifest.chunks);
  }

  /**
   * Deletes a state whether or not its manifest was written: a save that died halfway left chunks
   * 0..k without one, so chunks are deleted in batches until a batch finds none.
   */
  private async deleteChunks(stateRef: string): Promise<void> {
    const manifest = await this.manifest(stateRef);
    await this.redis.del(stateManifestKey(this.prefix, stateRef));
    if (manifest) {
      await this.deleteChunkRange(stateRef, 0, manifest.chunks);
      return;
    }
    const batch = CHUNKS_PER_BATCH * 16;
    for (let first = 0; ; first += batch) {
      if ((await this.deleteChunkRange(stateRef, first, first + batch)) === 0) return;
    }
  }

  /** Deletes chunks [from, to); returns how many existed. */
  private async deleteChunkRange(stateRef: string, from: number, to: number): Promise<number> {
    let deleted = 0;
    for (let first = from; first < to; first += CHUNKS_PER_BATCH * 16) {
      const keys = [];
      for (let i = first; i < Math.min(to, first + CHUNKS_PER_BATCH * 16); i++) keys.push(stateChunkKey(this.prefix, stateRef, i));
      deleted += await this.redis.del(...keys);
    }
    return deleted;
  }

  async deleteJobStates(jobId: string): Promise<void> {
    const listed = jobKeys(this.prefix, jobId).states;
    for (const name of await this.redis.smembers(listed)) await this.deleteChunks(name);
    await this.redis.del(listed);
  }

  private async manifest(stateRef: string): Promise<Manifest | undefined> {
    if (!STATE_REF.test(stateRef)) throw new StateNotFoundError(stateRef);
    const text = await this.redis.get(stateManifestKey(this.prefix, stateRef));
    return text === null ? undefined : (JSON.parse(text) as Manifest);
  }
}

function throwFirstError(results: [Error | null, unknown][] | null): void {
  for (const [err] of results ?? []) if (err) throw err;
}
