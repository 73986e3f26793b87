import { Global, Inject, Injectable, Module, OnApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { createDecodeQueue, createPrefillQueue, createRedisClient, JobStore, type DecodeQueue, type PrefillQueue, type QueueSettings } from '@lazyllm/jobs';
import type { Redis } from 'ioredis';

/** Injection tokens for what has no class of its own to inject by. */
export const QUEUE_SETTINGS = Symbol('QueueSettings');
export const REDIS = Symbol('Redis');
export const PREFILL_QUEUE = Symbol('PrefillQueue');
/** The gateway never adds decode jobs: it reads the queue for the dashboard, depths and handoff sizes. */
export const DECODE_QUEUE = Symbol('DecodeQueue');

/** Closes the connections this module opened, after the HTTP server has stopped taking requests. */
@Injectable()
class ConnectionCloser implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: JobStore,
    @Inject(PREFILL_QUEUE) private readonly prefill: PrefillQueue,
    @Inject(DECODE_QUEUE) private readonly decode: DecodeQueue,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.store.close();
    await Promise.all([this.prefill.close(), this.decode.close()]);
    await this.redis.quit();
  }
}

/** The gateway's side of Redis: the job store (records, events, cancel flags) and both pools' queues. */
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
        { provide: DECODE_QUEUE, useFactory: () => createDecodeQueue(settings) },
        ConnectionCloser,
      ],
      exports: [QUEUE_SETTINGS, REDIS, JobStore, PREFILL_QUEUE, DECODE_QUEUE],
    };
  }
}
