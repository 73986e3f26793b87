import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { REDIS } from '../job-queue/job-queue.module';

/** Longer than this for a PING and Redis counts as down: commands wait through reconnects, a probe must not. */
const PING_TIMEOUT_MS = 1_000;

@Injectable()
export class RedisHealth {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(): Promise<HealthIndicatorResult> {
    const indicator = this.health.check('redis');
    const started = performance.now();
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), PING_TIMEOUT_MS).unref());
    const answer = await Promise.race([this.redis.ping().catch((err: Error) => err.message), timeout]);
    if (answer !== 'PONG') return indicator.down({ message: `no answer to PING: ${answer}` });
    return indicator.up({ pingMs: Math.round((performance.now() - started) * 10) / 10 });
  }
}
