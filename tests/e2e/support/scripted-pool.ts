import type { JobResult, PrefillJobData } from '@lazyllm/contracts';
import { createRedisClient, JobStore, workerOptions, type QueueSettings } from '@lazyllm/jobs';
import type { Tokenizer } from '@lazyllm/engine';
import { Worker } from 'bullmq';

/** What the scripted pool answers a job with, and how long each token takes. */
export interface Script {
  answer(data: PrefillJobData): string;
  readonly tokenDelayMs?: number;
}

/**
 * Both worker pools' part played without a model: takes prefill jobs off the real queue and writes what
 * the workers would to the real job store (status, timings, token events in order, the result), so the
 * gateway's readers can be tested quickly and deterministically. The answer is tokenized for real.
 */
export class ScriptedPool {
  private readonly redis;
  private readonly store: JobStore;
  private readonly worker: Worker<PrefillJobData>;

  constructor(settings: QueueSettings, tokenizer: Tokenizer, script: Script) {
    this.redis = createRedisClient(settings.redisUrl);
    this.store = new JobStore(this.redis, settings.prefix);
    this.worker = new Worker<PrefillJobData>(settings.prefillQueue, (job) => this.play(job.data, tokenizer, script), workerOptions(settings, 4));
  }

  private async play(data: PrefillJobData, tokenizer: Tokenizer, script: Script): Promise<void> {
    const { jobId, options } = data;
    await this.store.update(jobId, { status: 'prefill', attempts: 1, timings: { queueWaitMs: 2 } });
    const tokens = tokenizer.encode(script.answer(data), { addBos: false }).slice(0, options.maxTokens);
    await this.store.update(jobId, { status: 'decode', computedShare: 0.6, timings: { ttftMs: 25, prefillMs: 20, handoffMs: 1 } });
    for (const [index, token] of tokens.entries()) {
      if (await this.store.isCancelled(jobId)) {
        await this.store.finish(jobId, { status: 'cancelled' }, 60);
        return;
      }
      await this.store.publishToken(jobId, { type: 'token', index, token, text: tokenizer.decode([token]) });
      if (script.tokenDelayMs) await new Promise((resolve) => setTimeout(resolve, script.tokenDelayMs));
    }
    const result: JobResult = {
      text: tokenizer.decode(tokens),
      tokens,
      finishReason: tokens.length === options.maxTokens ? 'length' : 'stop',
      usage: { promptTokens: 11, completionTokens: tokens.length },
      pruning: { schedule: { layers: [8], percentiles: [50] }, computedShare: 0.6, revived: 1 },
    };
    await this.store.finish(jobId, { status: 'completed', result, timings: { decodeMs: 10, decodeTokensPerSec: 80, totalMs: 40 } }, 60);
  }

  async close(): Promise<void> {
    await this.worker.close();
    this.store.close();
    await this.redis.quit();
  }
}
