import type { JobEvent, JobRecord } from '@lazyllm/contracts';
import type { Redis } from 'ioredis';
import { idempotencyKey, jobKeys } from './job-keys';
import { CREATE_JOB, FINISH_JOB, PUBLISH_TOKEN, REQUEST_CANCEL, UPDATE_JOB } from './job-scripts';
import { finalEvent, JobOutcome, JobPatch, recordFields, recordFromFields } from './record-fields';

export type TokenEvent = Extract<JobEvent, { type: 'token' }>;

/** An event as read back from a job's stream; `id` is the position to read on from. */
export interface StoredEvent {
  readonly id: string;
  readonly event: JobEvent;
}

/** 'duplicate': an earlier attempt already published this index; 'finished': the job ended (e.g. cancelled), stop. */
export type PublishOutcome = 'published' | 'duplicate' | 'finished';

export class JobExistsError extends Error {
  override readonly name = 'JobExistsError';
  constructor(readonly id: string) {
    super(`job ${id} already exists`);
  }
}

const EVENT_FIELD = 'event';
const READ_BATCH = 256;
// Blocking reads each hold a connection; keep a few idle ones for the next SSE poll, close the rest.
const IDLE_READERS = 8;

/** Job records, their event streams and cancel flags in Redis (keys: see job-keys.ts). */
export class JobStore {
  private readonly idleReaders: Redis[] = [];
  private readonly busyReaders = new Set<Redis>();
  private closed = false;

  /** `redis` stays the caller's to close; the store closes only the connections it opened for blocking reads. */
  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {}

  /**
   * Stores a new record. With an idempotency key already used, nothing is written and the first job's
   * id comes back with created false. A record id already taken is a JobExistsError.
   */
  async create(record: JobRecord, idempotencyKeyValue?: string): Promise<{ id: string; created: boolean }> {
    const keys = [jobKeys(this.prefix, record.id).record];
    if (idempotencyKeyValue !== undefined) keys.push(idempotencyKey(this.prefix, idempotencyKeyValue));
    const fields = recordFields({ ...record, ...(idempotencyKeyValue === undefined ? {} : { idempotencyKey: idempotencyKeyValue }) });
    const [id, outcome] = (await CREATE_JOB.run(this.redis, keys, [record.id, ...fields])) as [string, number];
    if (outcome === -1) throw new JobExistsError(id);
    return { id, created: outcome === 1 };
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const hash = await this.redis.hgetall(jobKeys(this.prefix, id).record);
    return Object.keys(hash).length === 0 ? undefined : recordFromFields(hash);
  }

  /** Applies a patch to a running job (timings merge field by field); false when the job is missing or finished. */
  async update(id: string, patch: JobPatch): Promise<boolean> {
    const fields = recordFields({ ...patch, updatedAt: Date.now() });
    return (await UPDATE_JOB.run(this.redis, [jobKeys(this.prefix, id).record], fields)) === 1;
  }

  /**
   * Ends a job: the final record fields and the final event ('done', 'failed' or 'cancelled') in one
   * atomic write, applied only if the job has not ended yet, which also starts the TTL (JOB_TTL_SECONDS)
   * of every key of the job. True when this call ended it.
   */
  async finish(id: string, outcome: JobOutcome, ttlSeconds: number): Promise<boolean> {
    const keys = jobKeys(this.prefix, id);
    const fields = recordFields({ ...outcome, updatedAt: Date.now() });
    const args = [JSON.stringify(finalEvent(outcome)), ttlSeconds, idempotencyKey(this.prefix, '')];
    return (await FINISH_JOB.run(this.redis, [keys.record, keys.events, keys.tokens, keys.cancel], [...args, ...fields])) === 1;
  }

  /** Appends any event as is. Workers publish tokens with publishToken and end jobs with finish. */
  async appendEvent(id: string, event: JobEvent): Promise<string> {
    const streamId = await this.redis.xadd(jobKeys(this.prefix, id).events, '*', EVENT_FIELD, JSON.stringify(event));
    return streamId as string;
  }

  /** Publishes token `event.index` exactly once, in order, also when a retried attempt replays earlier indices. */
  async publishToken(id: string, event: TokenEvent): Promise<PublishOutcome> {
    const keys = jobKeys(this.prefix, id);
    const outcome = await PUBLISH_TOKEN.run(this.redis, [keys.record, keys.events, keys.tokens], [event.index, JSON.stringify(event)]);
    return outcome === 1 ? 'published' : outcome === 0 ? 'duplicate' : 'finished';
  }

  async publishedTokenCount(id: string): Promise<number> {
    return Number((await this.redis.get(jobKeys(this.prefix, id).tokens)) ?? 0);
  }

  /**
   * Events after stream position `afterId` ('0': from the start), oldest first. With blockMs > 0 it
   * waits up to that long for the first new event (XREAD BLOCK), on a connection of its own.
   */
  async readEvents(id: string, afterId = '0', blockMs = 0): Promise<StoredEvent[]> {
    const key = jobKeys(this.prefix, id).events;
    if (blockMs <= 0) return parseStream(await this.redis.xread('COUNT', READ_BATCH, 'STREAMS', key, afterId));
    const reader = this.idleReaders.pop() ?? this.redis.duplicate();
    this.busyReaders.add(reader);
    try {
      return parseStream(await reader.xread('COUNT', READ_BATCH, 'BLOCK', blockMs, 'STREAMS', key, afterId));
    } finally {
      this.busyReaders.delete(reader);
      if (this.closed || this.idleReaders.length >= IDLE_READERS) reader.disconnect();
      else this.idleReaders.push(reader);
    }
  }

  /** Asks the workers to stop the job at their next check; false when the job is missing or already finished. */
  async requestCancel(id: string): Promise<boolean> {
    const keys = jobKeys(this.prefix, id);
    return (await REQUEST_CANCEL.run(this.redis, [keys.record, keys.cancel], [])) === 1;
  }

  async isCancelled(id: string): Promise<boolean> {
    return (await this.redis.exists(jobKeys(this.prefix, id).cancel)) === 1;
  }

  /** Closes the blocking-read connections; a read in progress ends with a connection error. */
  close(): void {
    this.closed = true;
    for (const reader of [...this.idleReaders.splice(0), ...this.busyReaders]) reader.disconnect();
  }
}

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

function parseStream(reply: StreamReply): StoredEvent[] {
  if (!reply) return [];
  return reply[0][1].map(([id, fields]) => ({ id, event: JSON.parse(fields[fields.indexOf(EVENT_FIELD) + 1]) as JobEvent }));
}
