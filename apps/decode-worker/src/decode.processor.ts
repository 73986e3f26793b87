import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { DecodeJobData } from '@lazyllm/contracts';
import { JobStore, workerOptions } from '@lazyllm/jobs';
import { Worker } from 'bullmq';
import type { StateStore } from '@lazyllm/handoff';
import { FinalFailureRecorder } from '../../shared/final-failure-recorder';
import { STATE_STORE } from '../../shared/worker-resources.module';
import { WORKER_SETTINGS, WorkerSettings } from '../../shared/worker-settings';
import { DecodeService } from './decode.service';

/**
 * The decode queue's consumer: takes jobs and hands each to DecodeService. Retries, backoff and stall
 * handling are BullMQ configuration (libs/jobs/src/queues.ts). On shutdown it stops taking jobs and
 * lets the running ones finish before the model and the Redis client are closed.
 */
@Injectable()
export class DecodeProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DecodeProcessor.name);
  private worker: Worker<DecodeJobData> | undefined;
  private failures: FinalFailureRecorder | undefined;

  constructor(
    @Inject(DecodeService) private readonly decode: DecodeService,
    @Inject(JobStore) private readonly jobs: JobStore,
    @Inject(WORKER_SETTINGS) private readonly settings: WorkerSettings,
    @Inject(STATE_STORE) private readonly states: StateStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { queue, concurrency, engine } = this.settings;
    this.failures = new FinalFailureRecorder(queue.decodeQueue, queue, this.jobs, this.states);
    await this.failures.waitUntilReady();
    this.worker = new Worker<DecodeJobData>(queue.decodeQueue, (job) => this.decode.run(job.data, job.attemptsMade + 1), workerOptions(queue, concurrency));
    this.worker.on('error', (err) => this.logger.error(`queue error: ${err.message}`));
    this.worker.on('completed', (job, outcome) => this.logger.log(`job ${job.id}: ${outcome}`));
    this.worker.on('failed', (job, err) => this.logger.warn(`job ${job?.id} attempt ${job?.attemptsMade} failed: ${err.message}`));
    await this.worker.waitUntilReady();
    this.logger.log(`ready: consuming ${queue.prefix}:${queue.decodeQueue}, concurrency ${concurrency}, model ${engine.modelPath}, threads ${engine.threads ?? 'all cores'}`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    await this.failures?.close();
  }
}
