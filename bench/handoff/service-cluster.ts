import { modelPath } from '../../apps/shared/engine-settings';
import { freePort } from '../../libs/redis-server/src/tcp';
import type { AppBuild } from '../../tests/e2e/support/app-build';
import { AppProcess } from '../../tests/pipeline/support/app-process';
import { startTestRedis, type TestRedis } from '../../tests/support/redis';

/** A worker loads the model before it says it is ready; on a busy machine that takes a while. */
const WORKER_START_MS = 180_000;

/**
 * The service as deployed, each part its own process: a redis-server, the gateway and the worker pools
 * running the compiled apps (as the end-to-end tests run them). The prefill pool can be resized between
 * measurements; the decode pool keeps its size.
 */
export class ServiceCluster {
  private readonly prefill: AppProcess[] = [];

  private constructor(
    private readonly build: AppBuild,
    private readonly redis: TestRedis,
    private readonly env: NodeJS.ProcessEnv,
    private readonly gateway: AppProcess,
    private readonly decode: AppProcess[],
    readonly url: string,
  ) {}

  /** Runs the apps of `build` (tests/e2e/support/app-build.ts), which the cluster then owns; `threads` is every process's THREADS, the onnxruntime threads of one worker. */
  static async start(build: AppBuild, threads: number, decodeWorkers: number): Promise<ServiceCluster> {
    const redis = await startTestRedis();
    const started: AppProcess[] = [];
    try {
      const port = await freePort();
      // The prefix cache off: every burst must do the same work, also when it repeats an earlier burst's jobs.
      const env = { ...process.env, MODEL_PATH: modelPath(), REDIS_URL: redis.url, PORT: String(port), HOST: '127.0.0.1', THREADS: String(threads), PREFIX_CACHE_MAX_BYTES: '0', NO_COLOR: '1' };
      started.push(await AppProcess.start(build.entry('gateway'), env, /Gateway.*listening on/));
      for (let i = 0; i < decodeWorkers; i++) started.push(await AppProcess.start(build.entry('decode-worker'), env, /DecodeProcessor.*ready/, WORKER_START_MS));
      const [gateway, ...decode] = started;
      return new ServiceCluster(build, redis, env, gateway, decode, `http://127.0.0.1:${port}`);
    } catch (err) {
      await Promise.all(started.map((app) => app.stop()));
      await redis.stop();
      throw err;
    }
  }

  get prefillWorkers(): number {
    return this.prefill.length;
  }

  get decodeWorkers(): number {
    return this.decode.length;
  }

  /** Starts or stops prefill worker processes until `count` run; a stopped one finishes its job first. */
  async scalePrefill(count: number): Promise<void> {
    while (this.prefill.length < count) this.prefill.push(await AppProcess.start(this.build.entry('prefill-worker'), this.env, /PrefillProcessor.*ready/, WORKER_START_MS));
    while (this.prefill.length > count) await this.prefill.pop()?.stop();
  }

  /** The last lines of every app's output, to explain a job that never finished. */
  outputTail(lines = 20): string {
    return [this.gateway, ...this.decode, ...this.prefill].map((app) => `--- ${app.entry}\n${app.output.slice(-lines).join('\n')}`).join('\n');
  }

  /** Stops the apps (SIGTERM, as a deployment does), then Redis; returns the apps' exit codes. */
  async stop(): Promise<(number | null)[]> {
    const codes = await Promise.all([...this.prefill, ...this.decode, this.gateway].map((app) => app.stop()));
    await this.redis.stop();
    this.build.remove();
    return codes;
  }
}
