import { DynamicModule, Module, OnApplicationShutdown } from '@nestjs/common';
import { RedisStateStore } from '@lazyllm/handoff';
import { createRedisClient, JobStore } from '@lazyllm/jobs';
import { processMetrics, ServiceMetrics } from '@lazyllm/metrics';
import type { Redis } from 'ioredis';
import { ENGINE_SETTINGS } from './engine-settings';
import { LoadedModel } from './loaded-model';
import { WorkerMetricsEndpoint } from './worker-metrics';
import { WORKER_SETTINGS, WorkerSettings } from './worker-settings';

/** Injection token for the StateStore (an interface) the workers hand states over with. */
export const STATE_STORE = Symbol('StateStore');

/** The process's one client for the job and state keys; closed after the workers have stopped. */
export class RedisClient implements OnApplicationShutdown {
  readonly redis: Redis;

  constructor(url: string) {
    this.redis = createRedisClient(url);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit();
  }
}

/** What every worker process holds, whichever pool: its settings, the model, one Redis client, the job store, the state store and its metrics. */
@Module({})
export class WorkerResourcesModule {
  static withSettings(settings: WorkerSettings): DynamicModule {
    const providers = [
      { provide: WORKER_SETTINGS, useValue: settings },
      { provide: ENGINE_SETTINGS, useValue: settings.engine },
      { provide: LoadedModel, useFactory: () => LoadedModel.load(settings.engine) },
      { provide: RedisClient, useFactory: () => new RedisClient(settings.queue.redisUrl) },
      { provide: JobStore, useFactory: (client: RedisClient) => new JobStore(client.redis, settings.queue.prefix), inject: [RedisClient] },
      { provide: STATE_STORE, useFactory: (client: RedisClient) => new RedisStateStore(client.redis, settings.queue.prefix, settings.handoff), inject: [RedisClient] },
      { provide: ServiceMetrics, useFactory: () => processMetrics({ pool: settings.pool }) },
      {
        provide: WorkerMetricsEndpoint,
        useFactory: (metrics: ServiceMetrics, client: RedisClient) => new WorkerMetricsEndpoint(metrics, () => client.redis.status, settings),
        inject: [ServiceMetrics, RedisClient],
      },
    ];
    return { module: WorkerResourcesModule, providers, exports: providers.map((p) => p.provide) };
  }
}
