import { Inject, Injectable } from '@nestjs/common';
import type { QueueSettings } from '@lazyllm/jobs';
import type { Redis } from 'ioredis';
import { QUEUE_SETTINGS, REDIS } from '../job-queue/job-queue.module';

/** One question of a batch and the job that answers it. */
export interface BatchEntry {
  readonly jobId: string;
  readonly question: string;
}

export interface BatchRecord {
  readonly id: string;
  readonly createdAt: number;
  readonly entries: readonly BatchEntry[];
}

/**
 * Batches in Redis, one JSON string each under `{prefix}:batch:{id}` (only the gateway reads them; the
 * jobs carry their batchId themselves). A batch stays readable for JOB_TTL_SECONDS after it was
 * created or last read, so one that is still being polled never expires under its client.
 */
@Injectable()
export class BatchStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(QUEUE_SETTINGS) private readonly settings: QueueSettings,
  ) {}

  async save(batch: BatchRecord): Promise<void> {
    await this.redis.set(this.key(batch.id), JSON.stringify(batch), 'EX', this.settings.jobTtlSeconds);
  }

  async get(id: string): Promise<BatchRecord | undefined> {
    const value = await this.redis.getex(this.key(id), 'EX', this.settings.jobTtlSeconds);
    return value === null ? undefined : (JSON.parse(value) as BatchRecord);
  }

  private key(id: string): string {
    return `${this.settings.prefix}:batch:${id}`;
  }
}
