import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DecodeJobData } from '@lazyllm/contracts';
import { Generation, resumeGeneration, StateFormatError } from '@lazyllm/engine';
import { HandoffError, StateStore } from '@lazyllm/handoff';
import { JobStore, TERMINAL_STATUSES } from '@lazyllm/jobs';
import { ServiceMetrics } from '@lazyllm/metrics';
import { AnswerText } from '@lazyllm/prompts';
import { UnrecoverableError } from 'bullmq';
import { AnswerPublisher } from '../../shared/answer-publisher';
import { jobResult } from '../../shared/job-result';
import { LoadedModel } from '../../shared/loaded-model';
import { STATE_STORE } from '../../shared/worker-resources.module';
import { WORKER_SETTINGS, WorkerSettings } from '../../shared/worker-settings';

/** How an attempt ended, for the logs and BullMQ's job result. */
export type DecodeOutcome = 'completed' | 'cancelled' | 'already-finished';

/**
 * One decode attempt: load and check the state, resume the generation, publish each new token, and
 * write the result once. A retried attempt starts again from the same state: it replays the tokens
 * an earlier attempt published (the store skips them) and continues where that one stopped.
 */
@Injectable()
export class DecodeService {
  private readonly logger = new Logger(DecodeService.name);

  constructor(
    @Inject(LoadedModel) private readonly engine: LoadedModel,
    @Inject(JobStore) private readonly jobs: JobStore,
    @Inject(STATE_STORE) private readonly states: StateStore,
    @Inject(WORKER_SETTINGS) private readonly settings: WorkerSettings,
    @Inject(ServiceMetrics) private readonly metrics: ServiceMetrics,
  ) {}

  async run(data: DecodeJobData, attempt: number): Promise<DecodeOutcome> {
    const { jobId, stateRef, prefill } = data;
    const record = await this.jobs.get(jobId);
    if (!record || TERMINAL_STATUSES.includes(record.status)) {
      await this.states.deleteJobStates(jobId);
      return 'already-finished';
    }
    await this.jobs.update(jobId, { status: 'decode', attempts: attempt });
    if (await this.jobs.isCancelled(jobId)) return this.end(data, 'cancelled');

    const generation = await this.resume(stateRef);
    const publisher = new AnswerPublisher(this.jobs, jobId, new AnswerText(this.engine.tokenizer, data.stop));
    let state = await publisher.pushAll(generation.generated);
    const resumedTokens = generation.generated.length;
    const t0 = performance.now();
    while (state === 'open' && !generation.done) {
      if (await this.jobs.isCancelled(jobId)) return this.end(data, 'cancelled');
      const token = await generation.step();
      if (token !== undefined) state = await publisher.push(token);
    }
    if (state === 'job-ended') return this.end(data, 'job-ended');
    const decodeMs = performance.now() - t0;
    const decoded = generation.generated.length - resumedTokens;
    const result = jobResult(generation, publisher, prefill.promptTokens, prefill.computedShare);
    const timings = { decodeMs, decodeTokensPerSec: decodeMs > 0 ? (decoded * 1000) / decodeMs : 0, totalMs: Date.now() - data.acceptedAt };
    await this.jobs.finish(jobId, { status: 'completed', result, timings }, this.settings.queue.jobTtlSeconds);
    this.metrics.decodeSpeed.observe(timings.decodeTokensPerSec);
    this.metrics.finished('completed');
    if (this.settings.logContent) this.logger.log(`job ${jobId} answer: ${JSON.stringify(result.text)}`);
    return this.end(data, 'completed');
  }

  /** The state, decoded and checked; one that cannot be (gone, cut short, corrupt, other model) fails the job for good. */
  private async resume(stateRef: string): Promise<Generation> {
    try {
      return resumeGeneration(this.engine.model, await this.states.load(stateRef));
    } catch (err) {
      if (err instanceof HandoffError || err instanceof StateFormatError) {
        await this.states.delete(stateRef);
        throw new UnrecoverableError(err.message);
      }
      throw err;
    }
  }

  /** Cleans up after the job ended: its states (every attempt's) deleted; a cancel is recorded first. */
  private async end(data: DecodeJobData, how: 'completed' | 'cancelled' | 'job-ended'): Promise<DecodeOutcome> {
    if (how === 'cancelled') {
      await this.jobs.finish(data.jobId, { status: 'cancelled' }, this.settings.queue.jobTtlSeconds);
      this.metrics.finished('cancelled');
    }
    await this.states.deleteJobStates(data.jobId);
    return how === 'completed' ? 'completed' : 'cancelled';
  }
}
