import { Controller, Get } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { PoolsHealth } from './pools.health';
import { RedisHealth } from './redis.health';

/** 200 when healthy, 503 with the failing checks otherwise (Terminus' format). */
@ApiTags('operations')
@Public()
// Probes and scrapers poll often from one address; they must not use up its rate limit.
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealth,
    private readonly pools: PoolsHealth,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'The gateway can take jobs: it serves HTTP and reaches Redis (for load balancers and container healthchecks)' })
  gateway(): Promise<HealthCheckResult> {
    return this.health.check([() => this.redis.check()]);
  }

  @Get('service')
  @HealthCheck()
  @ApiOperation({ summary: 'The whole service: Redis, and each worker pool has a worker with its model loaded; queue depths' })
  service(): Promise<HealthCheckResult> {
    return this.health.check([() => this.redis.check(), () => this.pools.check()]);
  }
}
