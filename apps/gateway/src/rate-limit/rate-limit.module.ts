import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { KeyOrIpThrottlerGuard } from './key-or-ip-throttler.guard';
import type { RateLimit } from './rate-limit';

/**
 * Optional rate limiting (@nestjs/throttler) of every controller route: over the limit is 429 with
 * Retry-After. Counters live in each gateway process, so with N gateways a client gets up to N times
 * the limit. Without a RateLimit nothing is registered.
 */
@Module({})
export class RateLimitModule {
  static forLimit(rateLimit: RateLimit | undefined): DynamicModule {
    if (rateLimit === undefined) return { module: RateLimitModule };
    return {
      module: RateLimitModule,
      imports: [ThrottlerModule.forRoot([{ ttl: rateLimit.windowSeconds * 1000, limit: rateLimit.limit }])],
      providers: [{ provide: APP_GUARD, useClass: KeyOrIpThrottlerGuard }],
    };
  }
}
