import { Global, Inject, Injectable, Module, OnApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { createPrefillQueue, createRedisClient, JobStore, type PrefillQueue, type QueueSettings } from '@lazyllm/jobs';
import type { Redis } from 'ioredis';

/** Injection tokens for what has no class of its own to inject by. */
export const QUEUE_SETTINGS = Symbol('QueueSettings');
export const REDIS = Symbol('Redis');
export const PREFILL_QUEUE = Symbol('PrefillQueue');

/** Closes the connections this module opened, after the HTTP server has stopped taking requests. */
@Injectable()
class ConnectionCloser implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: JobStore,
    @Inject(PREFILL_QUEUE) private readonly queue: PrefillQueue,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.store.close();
    await this.queue.close();
    await this.redis.quit();
  }
}

/** The gateway's side of Redis: the job store (records, events, cancel flags) and the prefill queue. */
@Global()
@Module({})
export class JobQueueModule {
  static forSettings(settings: QueueSettings): DynamicModule {
    return {
      module: JobQueueModule,
      providers: [
        { provide: QUEUE_SETTINGS, useValue: settings },
        { provide: REDIS, useFactory: () => createRedisClient(settings.redisUrl) },
        { provide: JobStore, inject: [REDIS], useFactory: (redis: Redis) => new JobStore(redis, settings.prefix) },
        { provide: PREFILL_QUEUE, useFactory: () => createPrefillQueue(settings) },
        ConnectionCloser,
      ],
      exports: [QUEUE_SETTINGS, REDIS, JobStore, PREFILL_QUEUE],
    };
  }
}
