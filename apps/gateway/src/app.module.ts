import { Module } from '@nestjs/common';
import { HealthController } from './health/health.controller';

/** The HTTP API. For now only health; jobs, streaming and the OpenAI-compatible API come with the queue. */
@Module({
  controllers: [HealthController],
})
export class AppModule {}
