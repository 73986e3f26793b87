import type { GenerationOptions, JobInput } from '@lazyllm/contracts';
import { createDecodeQueue, createPrefillQueue, DecodeQueue, enqueuePrefill, JobStore, newJobRecord, PrefillQueue, readQueueSettings } from '@lazyllm/jobs';
import { Redis } from 'ioredis';
import { AppProcess } from './app-process';

/** One prefill and one decode worker, each in its own process, and the clients a test drives them with. */
export class WorkerPools {
  private constructor(
    /** The prefill worker first, then the decode worker. */
    readonly workers: readonly AppProcess[],
    readonly redis: Redis,
    readonly store: JobStore,
    readonly prefillQueue: PrefillQueue,
    readonly decodeQueue: DecodeQueue,
  ) {}

  static async start(modelPath: string, redisUrl: string, prefix: string): Promise<WorkerPools> {
    const env = { ...process.env, MODEL_PATH: modelPath, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, THREADS: '1', NO_COLOR: '1' };
    const workers = await Promise.all([
      AppProcess.start('apps/prefill-worker/src/main.ts', env, /PrefillProcessor.*ready/),
      AppProcess.start('apps/decode-worker/src/main.ts', env, /DecodeProcessor.*ready/),
    ]);
    const settings = readQueueSettings({ REDIS_URL: redisUrl, QUEUE_PREFIX: prefix });
    const redis = new Redis(redisUrl);
    return new WorkerPools(workers, redis, new JobStore(redis, prefix), createPrefillQueue(settings), createDecodeQueue(settings));
  }

  /** Creates the job's record and queues its prefill, as the gateway does. */
  async submit(jobId: string, input: JobInput, options: GenerationOptions): Promise<void> {
    const acceptedAt = Date.now();
    await this.store.create(newJobRecord(jobId, acceptedAt));
    await enqueuePrefill(this.prefillQueue, { jobId, input, options, acceptedAt });
  }

  /** Every worker's output, for the message of a failed wait. */
  logs(): string {
    return this.workers.map((w) => w.output.join('\n')).join('\n');
  }

  /** SIGTERMs the workers and closes the clients; resolves with the workers' exit codes. */
  async stop(): Promise<(number | null)[]> {
    const codes = await Promise.all(this.workers.map((w) => w.stop()));
    await Promise.all([this.prefillQueue.close(), this.decodeQueue.close()]);
    this.store.close();
    await this.redis.quit();
    return codes;
  }
}
