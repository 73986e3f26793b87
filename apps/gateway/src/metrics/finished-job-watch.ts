import { Inject, Injectable } from '@nestjs/common';
import type { JobRecord } from '@lazyllm/contracts';
import { JobStore, TERMINAL_STATUSES, type DecodeQueue } from '@lazyllm/jobs';
import { ServiceMetrics, type JobOutcome } from '@lazyllm/metrics';
import { DECODE_QUEUE } from '../job-queue/job-queue.module';

/** Jobs watched at most; past it the oldest are dropped unobserved (a gateway nobody scrapes must not grow without end). */
const MAX_WATCHED = 100_000;
/** Records read per Redis round of a sweep. */
const READ_BATCH = 200;

function isFinished(record: JobRecord): record is JobRecord & { status: JobOutcome } {
  return TERMINAL_STATUSES.includes(record.status);
}

/**
 * Feeds the job histograms from the records of the jobs this gateway accepted, each once, when it has
 * ended. Only this gateway's own jobs, so several gateways behind a load balancer do not count a job
 * twice. A sweep runs before each scrape of /metrics; a job whose record expired unseen is dropped.
 */
@Injectable()
export class FinishedJobWatch {
  private readonly watched = new Set<string>();
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly store: JobStore,
    @Inject(DECODE_QUEUE) private readonly decodeQueue: DecodeQueue,
    private readonly metrics: ServiceMetrics,
  ) {}

  watch(id: string): void {
    this.metrics.jobsAccepted.inc();
    this.watched.add(id);
    if (this.watched.size > MAX_WATCHED) this.watched.delete(this.watched.values().next().value as string);
  }

  /** Observes every watched job that has ended since the last sweep; concurrent callers share one sweep. */
  sweep(): Promise<void> {
    this.sweeping ??= this.observeFinished().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async observeFinished(): Promise<void> {
    const ids = [...this.watched];
    for (let i = 0; i < ids.length; i += READ_BATCH) {
      const batch = ids.slice(i, i + READ_BATCH);
      const records = await Promise.all(batch.map((id) => this.store.get(id)));
      for (const [j, record] of records.entries()) {
        if (record !== undefined && !isFinished(record)) continue;
        this.watched.delete(batch[j]);
        if (record !== undefined) this.metrics.observeFinishedJob(record, await this.handoffBytes(record));
      }
    }
  }

  /** The state size the prefill worker reported on the job's decode job, kept by BullMQ for an hour after it ends. */
  private async handoffBytes(record: JobRecord): Promise<number | undefined> {
    if (record.timings.handoffMs === undefined) return undefined;
    return (await this.decodeQueue.getJob(record.id))?.data.prefill.handoffBytes;
  }
}
