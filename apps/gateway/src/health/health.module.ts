import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { PoolsHealth } from './pools.health';
import { RedisHealth } from './redis.health';

/** GET /health (the gateway) and GET /health/service (Redis and both worker pools). */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [RedisHealth, PoolsHealth],
})
export class HealthModule {}
