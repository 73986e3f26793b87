import { freePort } from '../../../libs/redis-server/src/tcp';
import { LoadedModel } from '../../../apps/shared/loaded-model';
import { modelPath } from '../../../apps/shared/engine-settings';
import { AppProcess } from '../../pipeline/support/app-process';
import { startTestRedis, type TestRedis } from '../../support/redis';
import { buildApps, type AppBuild } from './app-build';

/** One worker process: its pool and any environment of its own. */
export interface WorkerProcess {
  readonly pool: 'prefill' | 'decode';
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The service as deployed: the compiled gateway and workers, each a separate process, on a Redis of
 * their own; and the engine in the test's process, to compare their answers with.
 */
export class DeployedService {
  private constructor(
    readonly gatewayUrl: string,
    readonly engine: LoadedModel,
    /** The gateway first, then the workers in the order asked for. */
    private readonly apps: readonly AppProcess[],
    private readonly workers: readonly WorkerProcess[],
    private readonly redis: TestRedis,
    private readonly build: AppBuild,
  ) {}

  /** `env` goes to every app. */
  static async start(workers: readonly WorkerProcess[], env: NodeJS.ProcessEnv = {}): Promise<DeployedService> {
    const [build, redis] = await Promise.all([buildApps(), startTestRedis()]);
    const port = await freePort();
    // One thread everywhere: the processes share two cores, and the same thread count in every
    // process keeps onnxruntime's sums in the same order, so results can be compared exactly.
    const common = { ...process.env, ...env, MODEL_PATH: modelPath(), REDIS_URL: redis.url, PORT: String(port), HOST: '127.0.0.1', THREADS: '1', NO_COLOR: '1' };
    const started = await Promise.allSettled([
      AppProcess.start(build.entry('gateway'), common, /Gateway.*listening on/),
      ...workers.map(({ pool, env: own }) =>
        AppProcess.start(build.entry(`${pool}-worker`), { ...common, ...own }, pool === 'prefill' ? /PrefillProcessor.*ready/ : /DecodeProcessor.*ready/, 120_000),
      ),
    ]);
    const apps = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) {
      await Promise.all(apps.map((app) => app.stop()));
      await redis.stop();
      build.remove();
      throw failure.reason;
    }
    const engine = await LoadedModel.load({ modelPath: modelPath(), threads: 1 });
    return new DeployedService(`http://127.0.0.1:${port}`, engine, apps, workers, redis, build);
  }

  /** Every line the workers of a pool have written so far. */
  workerOutput(pool: WorkerProcess['pool']): string[] {
    return this.apps.slice(1).flatMap((app, i) => (this.workers[i].pool === pool ? app.output : []));
  }

  /** SIGTERMs every app and tears the rest down; resolves with the apps' exit codes. */
  async stop(): Promise<(number | null)[]> {
    const codes = await Promise.all(this.apps.map((app) => app.stop()));
    await this.engine.model.release();
    await this.redis.stop();
    this.build.remove();
    return codes;
  }
}
