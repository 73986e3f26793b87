import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { JobStatus, PrefillJobData, PrefillReport } from '@lazyllm/contracts';
import { Generation, serializeGeneration } from '@lazyllm/engine';
import type { StateStore } from '@lazyllm/handoff';
import { createDecodeQueue, DecodeQueue, enqueueDecode, JobStore, TERMINAL_STATUSES } from '@lazyllm/jobs';
import { PrefixCacheMetrics, ServiceMetrics } from '@lazyllm/metrics';
import { RedisPrefixCache, readPrefixCacheSettings } from '@lazyllm/prefix-cache';
import { AnswerText } from '@lazyllm/prompts';
import { UnrecoverableError } from 'bullmq';
import { AnswerPublisher } from '../../shared/answer-publisher';
import { isRequestError } from '../../shared/generation-params';
import { JobPrefill, startJobGeneration } from '../../shared/job-prefill';
import { jobResult } from '../../shared/job-result';
import { LoadedModel } from '../../shared/loaded-model';
import { RedisClient, STATE_STORE } from '../../shared/worker-resources.module';
import { WORKER_SETTINGS, WorkerSettings } from '../../shared/worker-settings';

/** How an attempt ended, for the logs and BullMQ's job result. */
export type PrefillOutcome = 'handed-off' | 'completed' | 'cancelled' | 'already-handed-off' | 'already-finished';

/**
 * One prefill attempt: prompt to tokens, LazyLLM prefill, the first token published, then the
 * generation state handed to the decode pool, or the job finished here when the first token ends it.
 */
@Injectable()
export class PrefillService implements OnApplicationShutdown {
  private readonly logger = new Logger(PrefillService.name);
  private readonly decodeQueue: DecodeQueue;
  /** Document prefixes shared by every prefill worker; undefined when PREFIX_CACHE_MAX_BYTES=0. */
  private readonly prefixes: RedisPrefixCache | undefined;

  constructor(
    @Inject(LoadedModel) private readonly engine: LoadedModel,
    @Inject(JobStore) private readonly jobs: JobStore,
    @Inject(STATE_STORE) private readonly states: StateStore,
    @Inject(WORKER_SETTINGS) private readonly settings: WorkerSettings,
    @Inject(ServiceMetrics) private readonly metrics: ServiceMetrics,
    @Inject(RedisClient) client: RedisClient,
  ) {
    this.decodeQueue = createDecodeQueue(settings.queue);
    const prefixSettings = readPrefixCacheSettings();
    this.prefixes = prefixSettings && new RedisPrefixCache(client.redis, settings.queue.prefix, prefixSettings, new PrefixCacheMetrics(metrics.registry));
  }

  async run(data: PrefillJobData, attempt: number): Promise<PrefillOutcome> {
    const startedAt = Date.now();
    const { jobId, options } = data;
    const record = await this.jobs.get(jobId);
    if (!record) throw new UnrecoverableError(`job ${jobId} has no record: it expired or was never created`);
    if (isFinished(record.status)) return 'already-finished';
    // An earlier attempt that died after enqueuing the decode job has done this job's prefill.
    if (await this.decodeQueue.getJob(jobId)) return 'already-handed-off';
    const queueWaitMs = startedAt - data.acceptedAt;
    await this.jobs.update(jobId, { status: 'prefill', attempts: attempt, timings: { queueWaitMs } });
    if (await this.jobs.isCancelled(jobId)) return this.cancel(jobId);

    const { tokenizer } = this.engine;
    const t0 = performance.now();
    let generation: Generation;
    let prompt: number[];
    try {
      let prefix: JobPrefill['prefix'];
      ({ prompt, generation, prefix } = await this.prefill(data));
      if (this.settings.logContent) this.logger.log(`job ${jobId} prompt: ${JSON.stringify(tokenizer.decode(prompt))}`);
      if (prefix !== 'none') this.logger.log(`job ${jobId}: document prefix ${prefix}`);
    } catch (err) {
      if (isRequestError(err)) throw new UnrecoverableError(err.message);
      throw err;
    }
    const publisher = new AnswerPublisher(this.jobs, jobId, new AnswerText(tokenizer, options.stop));
    const published = await publisher.pushAll(generation.generated);
    const firstTokenAt = Date.now();
    const prefillMs = performance.now() - t0;
    const ttftMs = firstTokenAt - data.acceptedAt;
    const computedShare = generation.state.computedShare;
    if (published === 'job-ended') return 'cancelled';
    if (await this.jobs.isCancelled(jobId)) return this.cancel(jobId);

    if (generation.done || published === 'stopped') {
      const result = jobResult(generation, publisher, prompt.length, computedShare);
      const timings = { prefillMs, ttftMs, totalMs: Date.now() - data.acceptedAt };
      await this.jobs.finish(jobId, { status: 'completed', result, computedShare, timings }, this.settings.queue.jobTtlSeconds);
      await this.states.deleteJobStates(jobId);
      this.metrics.observePrefill({ queueWaitMs, prefillMs, ttftMs, computedShare });
      this.metrics.finished('completed');
      if (this.settings.logContent) this.logger.log(`job ${jobId} answer: ${JSON.stringify(result.text)}`);
      return 'completed';
    }

    const h0 = performance.now();
    const bytes = serializeGeneration(generation, { kvPrecision: options.kvPrecision });
    const stateRef = await this.states.save(jobId, attempt, bytes);
    const handoffMs = performance.now() - h0;
    const prefill: PrefillReport = { promptTokens: prompt.length, queueWaitMs, prefillMs, handoffMs, handoffBytes: bytes.length, computedShare, firstTokenAt };
    await this.jobs.update(jobId, { computedShare, timings: { prefillMs, ttftMs, handoffMs } });
    await enqueueDecode(this.decodeQueue, { jobId, stateRef, prefill, stop: options.stop, acceptedAt: data.acceptedAt });
    this.metrics.observePrefill({ queueWaitMs, prefillMs, ttftMs, computedShare, handoffMs, handoffBytes: bytes.length });
    return 'handed-off';
  }

  /** The prefill, from the prefix cache unless the request opts out. */
  private prefill(data: PrefillJobData): Promise<JobPrefill> {
    const cache = data.input.kind === 'document-qa' && data.input.reusePrefix === false ? undefined : this.prefixes;
    return startJobGeneration(this.engine, data.input, data.options, cache);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.decodeQueue.close();
  }

  private async cancel(jobId: string): Promise<PrefillOutcome> {
    await this.jobs.finish(jobId, { status: 'cancelled' }, this.settings.queue.jobTtlSeconds);
    await this.states.deleteJobStates(jobId);
    this.metrics.finished('cancelled');
    return 'cancelled';
  }
}

function isFinished(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
