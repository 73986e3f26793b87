import type { JobEvent } from '@lazyllm/contracts';
import { JobDriver } from '../../support/job-driver';
import { AppProcess } from './app-process';

/** One prefill and one decode worker, each in its own process, driven through Redis as the gateway drives them. */
export class WorkerPools extends JobDriver {
  private constructor(
    url: string,
    prefix: string,
    /** The prefill worker first, then the decode worker. */
    readonly workers: readonly AppProcess[],
  ) {
    super(url, prefix);
  }

  static async start(modelPath: string, redisUrl: string, prefix: string): Promise<WorkerPools> {
    const env = { ...process.env, MODEL_PATH: modelPath, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, THREADS: '1', NO_COLOR: '1' };
    const workers = await Promise.all([
      AppProcess.start('apps/prefill-worker/src/main.ts', env, /PrefillProcessor.*ready/),
      AppProcess.start('apps/decode-worker/src/main.ts', env, /DecodeProcessor.*ready/),
    ]);
    return new WorkerPools(redisUrl, prefix, workers);
  }

  /** As the driver's, with the workers' output in the error when the job does not end. */
  override async eventsUntilEnd(jobId: string, timeoutMs?: number): Promise<JobEvent[]> {
    try {
      return await super.eventsUntilEnd(jobId, timeoutMs);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${this.workers.map((w) => w.output.join('\n')).join('\n')}`);
    }
  }

  /** SIGTERMs the workers and closes the clients; resolves with the workers' exit codes. */
  async stop(): Promise<(number | null)[]> {
    const codes = await Promise.all(this.workers.map((w) => w.stop()));
    await this.close();
    return codes;
  }
}
