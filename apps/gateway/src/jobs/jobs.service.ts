import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { JobRecord } from '@lazyllm/contracts';
import { enqueuePrefill, JobStore, newJobRecord, type PrefillQueue, type QueueSettings } from '@lazyllm/jobs';
import { RequestAdmission } from '../admission/request-admission.service';
import { PREFILL_QUEUE, QUEUE_SETTINGS } from '../job-queue/job-queue.module';
import { FinishedJobWatch } from '../metrics/finished-job-watch';
import { MAX_IDEMPOTENCY_KEY_LENGTH, type CreateJobDto } from './dto/create-job.dto';
import { generationOptionsOf, jobInputOf, type JobRequest } from './job-request';
import { isFinished, jobView, type JobView } from './job-view';

export interface AcceptOptions {
  readonly idempotencyKey?: string;
  readonly batchId?: string;
}

/** BullMQ states in which no worker holds the job yet, so the gateway may take it off the queue. */
const NOT_STARTED = new Set(['waiting', 'delayed', 'prioritized']);

/** Jobs as the gateway handles them: accepted into the store and the prefill queue, read back, cancelled. */
@Injectable()
export class JobsService {
  constructor(
    private readonly store: JobStore,
    @Inject(PREFILL_QUEUE) private readonly queue: PrefillQueue,
    @Inject(QUEUE_SETTINGS) private readonly settings: QueueSettings,
    private readonly admission: RequestAdmission,
    private readonly finished: FinishedJobWatch,
  ) {}

  /** POST /jobs: the key may come in the body or as the Idempotency-Key header, not as two different ones. */
  async submit(dto: CreateJobDto, headerKey: string | undefined): Promise<string> {
    const idempotencyKey = idempotencyKeyOf(dto.idempotencyKey, headerKey);
    const request: JobRequest = { input: jobInputOf(dto, this.admission.chatByDefault), options: generationOptionsOf(dto) };
    this.admission.check(request);
    return this.accept(request, { idempotencyKey });
  }

  /**
   * Records a checked request and queues it for prefill; returns the job's id. With an idempotency key
   * already used, the first job's id comes back and that job is queued again only if it never left
   * the queue (the queue ignores a job id it already holds).
   */
  async accept(request: JobRequest, options: AcceptOptions = {}): Promise<string> {
    const acceptedAt = Date.now();
    const { id, created } = await this.store.create(newJobRecord(randomUUID(), acceptedAt, options.batchId), options.idempotencyKey);
    if (created) this.finished.watch(id);
    const existing = created ? undefined : await this.store.get(id);
    if (created || existing?.status === 'queued') {
      await enqueuePrefill(this.queue, {
        jobId: id,
        input: request.input,
        options: request.options,
        ...(options.batchId === undefined ? {} : { batchId: options.batchId }),
        acceptedAt: existing?.createdAt ?? acceptedAt,
      });
    }
    return id;
  }

  async view(id: string): Promise<JobView> {
    const [record, generatedTokens] = await Promise.all([this.record(id), this.store.publishedTokenCount(id)]);
    return jobView(record, generatedTokens);
  }

  async record(id: string): Promise<JobRecord> {
    const record = await this.store.get(id);
    if (!record) throw new NotFoundException(`job ${id} not found`);
    return record;
  }

  /**
   * A job that no worker has taken is removed from the queue and ends cancelled at once; a running
   * one is flagged, and its worker ends it at its next check.
   */
  async cancel(id: string): Promise<JobView> {
    const record = await this.record(id);
    if (isFinished(record.status)) {
      if (record.status === 'cancelled') return this.view(id);
      throw new ConflictException(`job ${id} is already ${record.status}`);
    }
    await this.store.requestCancel(id);
    if (await this.removeFromQueue(id)) {
      await this.store.finish(id, { status: 'cancelled' }, this.settings.jobTtlSeconds);
    }
    return this.view(id);
  }

  /** True when the prefill job was still waiting and is now gone; false when a worker holds it or it moved on. */
  private async removeFromQueue(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job || !NOT_STARTED.has(await job.getState())) return false;
    // 0 when a worker locked the job in the meantime: then the cancel flag stops it.
    return (await this.queue.remove(id)) === 1;
  }
}

function idempotencyKeyOf(bodyKey: string | undefined, headerKey: string | undefined): string | undefined {
  if (headerKey !== undefined && (headerKey === '' || headerKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
    throw new BadRequestException([`Idempotency-Key header must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`]);
  }
  if (bodyKey !== undefined && headerKey !== undefined && bodyKey !== headerKey) {
    throw new BadRequestException(['idempotencyKey differs from the Idempotency-Key header; send one of them']);
  }
  return bodyKey ?? headerKey;
}
