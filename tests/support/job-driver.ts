import type { GenerationOptions, JobEvent, JobInput, JobResult } from '@lazyllm/contracts';
import { createDecodeQueue, createPrefillQueue, DecodeQueue, enqueuePrefill, JobStore, newJobRecord, PrefillQueue, readQueueSettings } from '@lazyllm/jobs';
import { Redis } from 'ioredis';
import { eventually } from './eventually';

export type TokenEvent = Extract<JobEvent, { type: 'token' }>;

/** Submits jobs straight to Redis as the gateway does (record, then prefill job) and reads their events back. */
export class JobDriver {
  readonly redis: Redis;
  readonly store: JobStore;
  readonly prefillQueue: PrefillQueue;
  readonly decodeQueue: DecodeQueue;
  private count = 0;

  constructor(
    url: string,
    readonly prefix: string,
  ) {
    const settings = readQueueSettings({ REDIS_URL: url, QUEUE_PREFIX: prefix });
    this.redis = new Redis(url, { maxRetriesPerRequest: null });
    this.store = new JobStore(this.redis, prefix);
    this.prefillQueue = createPrefillQueue(settings);
    this.decodeQueue = createDecodeQueue(settings);
    // While Redis restarts these reconnect by themselves; the connection errors meanwhile are expected.
    for (const emitter of [this.redis, this.prefillQueue, this.decodeQueue]) emitter.on('error', () => undefined);
  }

  async submit(input: JobInput, options: GenerationOptions, jobId = `job-${++this.count}`): Promise<string> {
    const acceptedAt = Date.now();
    await this.store.create(newJobRecord(jobId, acceptedAt));
    await enqueuePrefill(this.prefillQueue, { jobId, input, options, acceptedAt });
    return jobId;
  }

  /** Resolves once the job has published at least `count` tokens, so a fault lands in the middle of it. */
  async untilTokens(jobId: string, count: number, timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const published = await this.store.publishedTokenCount(jobId);
      if (published >= count) return published;
      if (Date.now() > deadline) throw new Error(`job ${jobId} published only ${published} tokens in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Every event of the job, up to and including the final one. */
  async eventsUntilEnd(jobId: string, timeoutMs = 90_000): Promise<JobEvent[]> {
    const events: JobEvent[] = [];
    let after = '0';
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const { id, event } of await this.store.readEvents(jobId, after, 1000)) {
        events.push(event);
        after = id;
        if (event.type !== 'token') return events;
      }
    }
    throw new Error(`job ${jobId} did not end in ${timeoutMs} ms; ${events.length} events so far`);
  }

  /** Keys of generation states, and of jobs' lists of them, still in Redis once the worker that ended the job has cleaned up. */
  async stateKeys(): Promise<string[]> {
    const read = async () => [...(await this.redis.keys(`${this.prefix}:state:*`)), ...(await this.redis.keys(`${this.prefix}:job:*:states`))];
    return eventually(read, (keys) => keys.length === 0);
  }

  /** Job keys that would stay forever: every key of a finished job must carry a TTL. */
  async jobKeysWithoutTtl(): Promise<string[]> {
    const keys = await this.redis.keys(`${this.prefix}:job:*`);
    const ttls = await Promise.all(keys.map((key) => this.redis.ttl(key)));
    return keys.filter((_, i) => ttls[i] < 0);
  }

  async close(): Promise<void> {
    await Promise.all([this.prefillQueue.close(), this.decodeQueue.close()]);
    this.store.close();
    await this.redis.quit();
  }
}

export function tokenEvents(events: readonly JobEvent[]): TokenEvent[] {
  return events.filter((e): e is TokenEvent => e.type === 'token');
}

/** The job's result, when its stream ended with exactly one final event and that one is 'done'. */
export function resultOf(events: readonly JobEvent[]): JobResult {
  const finals = events.filter((e) => e.type !== 'token');
  const last = events[events.length - 1];
  if (finals.length !== 1 || last.type !== 'done') throw new Error(`job ended with ${JSON.stringify(finals)}`);
  return last.result;
}
