import { Logger } from '@nestjs/common';
import type { StateStore } from '@lazyllm/handoff';
import { bullmqConnection, JobStore, QueueSettings } from '@lazyllm/jobs';
import { QueueEvents } from 'bullmq';

/**
 * Marks a job failed (record, 'failed' event, TTL) once BullMQ gives up on it: after its last attempt,
 * on an UnrecoverableError, or when it stalled too often, which no processor sees. Every process of
 * the pool hears every failure; the store applies the first and ignores the rest. The job's states go
 * with it.
 */
export class FinalFailureRecorder {
  private readonly logger = new Logger(FinalFailureRecorder.name);
  private readonly events: QueueEvents;

  constructor(queueName: string, settings: QueueSettings, jobs: JobStore, states: StateStore) {
    this.events = new QueueEvents(queueName, { connection: bullmqConnection(settings.redisUrl), prefix: settings.prefix });
    this.events.on('failed', ({ jobId, failedReason }) => {
      void (async () => {
        if (await jobs.finish(jobId, { status: 'failed', error: failedReason }, settings.jobTtlSeconds)) {
          await states.deleteJobStates(jobId);
          this.logger.warn(`job ${jobId} failed: ${failedReason}`);
        }
      })().catch((err: Error) => this.logger.error(`could not record the failure of job ${jobId}: ${err.message}`));
    });
  }

  /** Resolves once it listens, so no failure from then on is missed. */
  waitUntilReady(): Promise<void> {
    return this.events.waitUntilReady().then(() => undefined);
  }

  close(): Promise<void> {
    return this.events.close();
  }
}
